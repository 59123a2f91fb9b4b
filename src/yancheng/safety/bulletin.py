"""安全生产通报: the month's figures as a 安委办 sends them — the overall figures, the 重大隐患
under 挂牌督办, the overdue hazards by department (曝光), checks against the plan by unit, the
repeat hazards and the ranking of regions — as a 公文 (.docx) and a workbook (.xlsx).

``bulletin_data`` reads them over what the issuing clerk sees (the 安委办's region) and keeps
plain values (numbers, names, codes, ISO days) that are stored with the bulletin: the labels
are put on when a document is made, in the reader's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.kit.documents import OfficialDocument
from yancheng.core.typing import Actor
from yancheng.lib.deadlines import due_day_label
from yancheng.lib.xlsx import write_sheets

from .models import Bulletin, HazardLevel, HazardStage
from .models.hazards import OPEN_STAGES
from .selectors import period_bounds
from .selectors_stats import (
    HAZARD_FIGURE_LABELS,
    HAZARD_FIGURES,
    TASK_FIGURE_LABELS,
    hazard_figures,
    hazard_totals,
    period_of,
    task_figures,
    task_totals,
    visible_hazards,
)

TASK_COLUMNS = ("tasks", "done", "overdue", "target", "checked")


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def bulletin_data(user: Actor, month: dt.date, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The month's bulletin over what ``user`` sees, as plain values."""
    now = now or timezone.now()
    period = period_of("month", month)
    today = timezone.localtime(now).date()
    span = period_bounds(period.key)
    assert span is not None
    visible = visible_hazards(user, now)
    major = (
        visible.filter(level=HazardLevel.MAJOR, supervised_at__isnull=False)
        .filter(stage__in=OPEN_STAGES) | visible.filter(
            level=HazardLevel.MAJOR, supervised_at__isnull=False, closed_at__gte=span[0], closed_at__lt=span[1])
    )
    major_rows = [
        {"number": h.number, "enterprise": h.enterprise.name if h.enterprise else h.location,
         "deadline": due_day_label(h.case.solve_due_at)
         if h.case is not None and h.case.solve_due_at else (h.plan_deadline.isoformat() if h.plan_deadline else ""),
         "stage": h.stage, "org": h.supervising_org.name}
        for h in major.select_related("enterprise", "case", "supervising_org").order_by("reported_at", "pk")
    ]
    orgs = hazard_figures(user, "org", period, now=now)
    exposed: list[dict[str, Any]] = sorted(
        ({"org": r.label, "overdue": r.counts["overdue_open"], "major_open": r.counts["major_open"]}
         for r in orgs if r.counts["overdue_open"]),
        key=lambda r: (-r["overdue"], r["org"]),
    )
    overdue_list = [
        {"number": h.number, "org": h.supervising_org.name, "enterprise": h.enterprise.name if h.enterprise else h.location,
         "title": h.title}
        for h in visible.filter(stage__in=OPEN_STAGES, **{"light": "red"}).select_related("supervising_org", "enterprise")
        .order_by("supervising_org__name", "reported_at", "pk")
    ]
    repeats = [
        {"number": h.number, "enterprise": h.enterprise.name if h.enterprise else "", "title": h.title,
         "repeat_of": h.repeat_of.number if h.repeat_of else ""}
        for h in visible.filter(repeat_of__isnull=False, reported_at__gte=span[0], reported_at__lt=span[1])
        .select_related("enterprise", "repeat_of").order_by("reported_at", "pk")
    ]
    regions: list[dict[str, Any]] = []
    for r in hazard_figures(user, "region", period, now=now):
        regions.append({"region": r.label, "code": r.key, "found": r.counts["found"], "ontime": r.counts["ontime"],
                        "late": r.counts["late"], "overdue": r.counts["overdue_open"],
                        "rate": _rate(r.counts["ontime"], r.counts["ontime"] + r.counts["late"])})
    # Ranked: the on-time rate of the closures (none closed: last), then fewer overdue, then name.
    regions.sort(key=lambda r: (r["rate"] is None, -(r["rate"] or 0), r["overdue"], r["region"]))
    for position, row in enumerate(regions, start=1):
        row["rank"] = position
    return {
        "month": period.key,
        "totals": hazard_totals(user, period, now=now).counts,
        "tasks": task_totals(user, period, today=today).counts,
        "major": major_rows,
        "exposed": exposed,
        "overdue": overdue_list,
        "units": [{"unit": r.label, **r.counts, "rate": r.done_rate} for r in task_figures(user, "unit", period, today=today)],
        "repeats": repeats,
        "regions": regions,
    }


def bulletin_title(bulletin: Bulletin) -> str:
    return _("%(year)d年%(month)d月安全生产通报") % {"year": bulletin.month.year, "month": bulletin.month.month}


def _stage(value: str) -> str:
    return str(dict(HazardStage.choices).get(value, value))


def _summary(data: dict[str, Any]) -> str:
    t, k = data["totals"], data["tasks"]
    return _(
        "本月共排查发现隐患 %(found)d 项，其中重大事故隐患 %(major)d 项；按期整改销号 %(ontime)d 项，逾期销号 %(late)d 项；"
        "目前逾期未整改 %(overdue)d 项，重大隐患未销号 %(major_open)d 项（挂牌督办 %(supervised)d 项）；"
        "重复出现的隐患 %(repeat)d 项。本月检查任务 %(tasks)d 项，已完成 %(done)d 项，逾期未完成 %(late_tasks)d 项。"
    ) % {"found": t["found"], "major": t["major_found"], "ontime": t["ontime"], "late": t["late"],
         "overdue": t["overdue_open"], "major_open": t["major_open"], "supervised": t["supervised_open"],
         "repeat": t["repeat"], "tasks": k["tasks"], "done": k["done"], "late_tasks": k["overdue"]}


def _sections(data: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]], str]]:
    """(heading, headers, rows, what to say when empty) of each part, for both formats."""
    return [
        (_("总体情况"), [str(HAZARD_FIGURE_LABELS[n]) for n in HAZARD_FIGURES],
         [[data["totals"][n] for n in HAZARD_FIGURES]], ""),
        (_("重大事故隐患挂牌督办情况"), [_("隐患编号"), _("企业或地点"), _("整改期限"), _("状态"), _("监管部门")],
         [[r["number"], r["enterprise"], r["deadline"], _stage(r["stage"]), r["org"]] for r in data["major"]],
         _("本月无挂牌督办的重大事故隐患。")),
        (_("逾期未整改隐患曝光（按监管部门）"), [_("监管部门"), _("逾期未整改"), _("重大隐患未销号")],
         [[r["org"], r["overdue"], r["major_open"]] for r in data["exposed"]], _("本月无逾期未整改隐患。")),
        (_("逾期未整改隐患清单"), [_("隐患编号"), _("监管部门"), _("企业或地点"), _("隐患名称")],
         [[r["number"], r["org"], r["enterprise"], r["title"]] for r in data["overdue"]], _("本月无逾期未整改隐患。")),
        (_("检查计划完成情况（按责任单位）"),
         [_("责任单位"), *[str(TASK_FIGURE_LABELS[n]) for n in TASK_COLUMNS], _("完成率（%）")],
         [[r["unit"], *[r[n] for n in TASK_COLUMNS], r["rate"]] for r in data["units"]], _("本月无到期检查任务。")),
        (_("重复隐患"), [_("隐患编号"), _("企业"), _("隐患名称"), _("重复于")],
         [[r["number"], r["enterprise"], r["title"], r["repeat_of"]] for r in data["repeats"]], _("本月无重复隐患。")),
        (_("各县市区排名"), [_("名次"), _("区划"), _("发现隐患"), _("按期整改销号"), _("逾期销号"), _("逾期未整改"),
                            _("按期整改率（%）")],
         [[r["rank"], r["region"], r["found"], r["ontime"], r["late"], r["overdue"], r["rate"]] for r in data["regions"]],
         _("本月无隐患。")),
    ]


def bulletin_docx(bulletin: Bulletin) -> bytes:
    """The 通报 as a 公文: its 文号, the summary, each part as a heading and a table; the
    安委办 and the day it was issued as 落款."""
    data = bulletin.data
    issued = timezone.localtime(bulletin.issued_at).date()
    document = OfficialDocument(bulletin_title(bulletin), issuer=bulletin.issuer.name, date=issued, landscape=True)
    document.reference_number(bulletin.number)
    document.addressee(_("各县市区安委会、市安委会各成员单位："))
    document.paragraph(_("现将%(year)d年%(month)d月安全生产隐患排查治理情况通报如下。") % {
        "year": bulletin.month.year, "month": bulletin.month.month})
    for heading, headers, rows, empty in _sections(data):
        document.heading(heading)
        if heading == _("总体情况"):
            document.paragraph(_summary(data))
        if rows:
            document.table(headers, rows)
        elif empty:
            document.paragraph(empty)
    document.imprint(copy_to=[_("市人民政府")], issuer=bulletin.issuer.name, date=issued)
    return document.to_bytes()


def bulletin_xlsx(bulletin: Bulletin) -> bytes:
    """The same parts, one sheet each (the first: the summary and the overall figures)."""
    data = bulletin.data
    sheets: list[tuple[str, list[str], list[list[Any]]]] = []
    for heading, headers, rows, _empty in _sections(data):
        sheets.append((heading, [str(h) for h in headers], rows))
    sheets.insert(0, (_("通报"), [_("文号"), _("通报月份"), _("情况")], [[bulletin.number, data["month"], _summary(data)]]))
    return write_sheets(sheets)

