"""The monthly ranking as the offices circulate it: a printable 月排名通报 (.docx) and a
spreadsheet (.xlsx), both made from the frozen snapshot only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.kit.documents import OfficialDocument, chinese_date, document_issuer
from yancheng.lib.xlsx import write_workbook

from .models import METRICS, RankingKind, RankingSnapshot, RedYellowEntry


def ranking_columns() -> list[tuple[str, str]]:
    """(row key, header) of the ranking table, in the order of the formula."""
    return [
        ("rank", _("名次")),
        ("name", _("单位")),
        *[(key, str(label) + ("" if key == "escalations" else "（%）" if "rate" in key else "")) for
          _field, key, label, _sign in METRICS],
        ("attracted", _("引资（万元）")),
        ("won", _("争资（万元）")),
        ("score", _("得分")),
    ]


def snapshot_title(snapshot: RankingSnapshot) -> str:
    return _("%(city)s%(year)d年%(month)d月重大项目%(kind)s月排名通报") % {
        "city": settings.YANCHENG_CITY_NAME,
        "year": snapshot.month.year,
        "month": snapshot.month.month,
        "kind": RankingKind(snapshot.kind).label,
    }


def _cell(value: Any) -> Any:
    return "—" if value is None else value


def ranking_xlsx(snapshot: RankingSnapshot) -> bytes:
    columns = ranking_columns()
    rows = [[_cell(row.get(key)) for key, _header in columns] for row in snapshot.rows]
    rows.append([])
    rows.append([_("计分办法"), snapshot.formula.get("text", "")])
    rows.append([_("版本"), snapshot.version, _("生成时间"), timezone.localtime(snapshot.created_at)])
    return write_workbook(_("月排名"), [header for _key, header in columns], rows, filter_rows=len(snapshot.rows))


def ranking_docx(snapshot: RankingSnapshot) -> bytes:
    """月排名通报 as a 公文 (``core.kit.documents``, landscape): the formula, the ranking
    table, the note; the city's issuer and the day the snapshot was frozen as 落款; a 版记."""
    issued = timezone.localdate(snapshot.created_at)
    document = OfficialDocument(snapshot_title(snapshot), issuer=document_issuer(), date=issued, landscape=True)
    document.subtitle(_("（第 %(version)d 版）") % {"version": snapshot.version})
    document.blank()
    document.heading(_("计分办法"))
    document.paragraph(snapshot.formula.get("text", ""))
    document.heading(_("排名情况"))
    columns = ranking_columns()
    document.table([header for _key, header in columns],
                   [[row.get(key) for key, _header in columns] for row in snapshot.rows])
    if snapshot.note:
        document.paragraph(_("说明：%(note)s") % {"note": snapshot.note})
    document.imprint(date=issued)
    return document.to_bytes()


def snapshot_filename(snapshot: RankingSnapshot, ext: str) -> str:
    """月排名通报-县市区-2026年10月-第1版.docx"""
    return _("月排名通报-%(kind)s-%(year)d年%(month)d月-第%(version)d版") % {
        "kind": RankingKind(snapshot.kind).label, "year": snapshot.month.year, "month": snapshot.month.month,
        "version": snapshot.version,
    } + f".{ext}"


# --- 季讲评 and 年考核 -----------------------------------------------------------------------


def review_title(review: dict[str, Any], title: str) -> str:
    """衡阳市2026年第4季度讲评（县市区）"""
    return f"{settings.YANCHENG_CITY_NAME}{title}（{review['kind_label']}）"


def _review_method(review: dict[str, Any]) -> str:
    text = _("按各月已固化的月排名计算：得分取各月平均，升级次数、引资、争资取合计；不随当前数据变化。")
    if review["missing"]:
        text += _("以下月份尚无月排名，未计入：") + "、".join(f"{m:%Y-%m}" for m in review["missing"]) + "。"
    return str(text)


def review_docx(review: dict[str, Any], title: str) -> bytes:
    """季讲评 / 年考核 as a 公文 (landscape): the method, then the table of average scores,
    each month's score, and the sums. Made from the frozen snapshots only."""
    today = timezone.localdate()
    document = OfficialDocument(review_title(review, title), issuer=document_issuer(), date=today, landscape=True)
    document.heading(_("计分办法"))
    document.paragraph(_review_method(review))
    document.heading(_("排名情况"))
    months = review["months"]
    headers = [_("名次"), _("单位"), _("平均得分"), _("计入月数"), *[_("%(m)d月") % {"m": m.month} for m in months],
               _("升级次数"), _("引资（万元）"), _("争资（万元）")]
    rows = [[row["rank"], row["name"], row["average"], row["months_counted"],
             *[score for _m, score, _rank in row["monthly"]], row["escalations"], row["attracted"], row["won"]]
            for row in review["rows"]]
    if rows:
        widths = [3, 8, 4, 4, *[4] * len(months), 4, 5, 5]
        document.table(headers, rows, widths=widths)
    else:
        document.paragraph(_("本期尚无月排名。"))
    document.imprint(date=today)
    return document.to_bytes()


def review_xlsx(review: dict[str, Any], title: str) -> bytes:
    """The same table as a sheet: numbers as numbers, each month's score and rank."""
    months = review["months"]
    headers: list[Any] = [_("名次"), _("单位"), _("平均得分"), _("计入月数")]
    for m in months:
        headers += [_("%(m)d月得分") % {"m": m.month}, _("%(m)d月名次") % {"m": m.month}]
    headers += [_("升级次数"), _("引资（万元）"), _("争资（万元）")]
    rows: list[list[Any]] = []
    for row in review["rows"]:
        monthly: list[Any] = []
        for _m, score, rank in row["monthly"]:
            monthly += [score, rank]
        rows.append([row["rank"], row["name"], row["average"], row["months_counted"], *monthly,
                     row["escalations"], row["attracted"], row["won"]])
    count = len(rows)
    rows += [[], [review_title(review, title)], [_("计分办法"), _review_method(review)]]
    return write_workbook(title[:31], headers, rows, filter_rows=count)


def review_filename(kind_label: str, year: int, quarter: int | None, ext: str) -> str:
    """季讲评-县市区-2026年第4季度.docx / 年考核-县市区-2026年.docx"""
    if quarter is None:
        name = _("年考核-%(kind)s-%(year)d年") % {"kind": kind_label, "year": year}
    else:
        name = _("季讲评-%(kind)s-%(year)d年第%(q)d季度") % {"kind": kind_label, "year": year, "q": quarter}
    return f"{name}.{ext}"


# --- 红黄榜 --------------------------------------------------------------------------------


def red_yellow_docx(entries: list[RedYellowEntry], board: str) -> bytes:
    """红黄榜 as a 公文 (landscape): one section per board, a row per entry."""
    today = timezone.localdate()
    boards = [b for b in RedYellowEntry.Board.choices if not board or b[0] == board]
    name = RedYellowEntry.Board(board).label if board else _("红黄榜")
    document = OfficialDocument(_("%(city)s重大项目%(board)s") % {"city": settings.YANCHENG_CITY_NAME, "board": name},
                                issuer=document_issuer(), date=today, landscape=True)
    document.subtitle(_("（截至%(date)s）") % {"date": chinese_date(today)})
    document.blank()
    headers = [_("月份"), _("项目编号"), _("项目名称"), _("区划"), _("理由"), _("整改时限"), _("整改方案"), _("状态")]
    for value, label in boards:
        listed = [e for e in entries if e.board == value]
        document.heading(_("%(board)s（%(n)d 项）") % {"board": label, "n": len(listed)})
        if not listed:
            document.paragraph(_("暂无上榜项目。"))
            continue
        document.table(headers, [
            [f"{e.month:%Y-%m}", e.project.code, e.project.name, e.project.region.name, e.reason, e.deadline,
             e.rectification_plan, e.get_status_display() + (f"：{e.closing_note}" if e.closing_note else "")]
            for e in listed
        ], widths=[3, 4, 7, 3, 7, 4, 8, 4])
    document.imprint(date=today)
    return document.to_bytes()
