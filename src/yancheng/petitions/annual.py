"""The annual report on 信访 work (《信访工作条例》第四十一条), made from the data.

Every figure counts the matters the user may see (``Petition.objects.visible_to``), so a
county's 信访局 reports on its county, and a 检举控告 about an organ is never counted for
that organ's people. The matters of the year are those received in it (``received_on``);
复查/复核 are counted by the year they were asked for; "open at year end" are the matters
registered by 31 December and not ended by then.

No table carries personal data or a matter's content: counts, organs, categories and rates.
``annual_report(user, year)`` gives the tables; ``report_docx`` and ``report_xlsx`` write
them as a 公文 with tables and as a workbook with one sheet per table."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yancheng.core.calendar import natural_deadline
from yancheng.core.kit.documents import OfficialDocument
from yancheng.core.typing import Actor, organisation_of

from .models import (
    OPEN_STAGES,
    Channel,
    DocumentKind,
    Outcome,
    Petition,
    PetitionDocument,
    PetitionReview,
    PetitionType,
    Rating,
    Stage,
    TransferMode,
)

NOTICE_KINDS = (DocumentKind.ACCEPTANCE, DocumentKind.NON_ACCEPTANCE)
CONCLUSION_KINDS = (DocumentKind.OPINION, DocumentKind.AGREEMENT)
ACCEPT_NOTICE_DAYS = 15  # 第二十四条: 受理告知 within 15日 of receiving the matter
SOLVE_DAYS = 60  # 第三十二条
TOP_RESPONDENTS = 10


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class AnnualReport:
    year: int
    scope: str
    made_on: dt.date
    tables: list[Table]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage with two decimals (None when there is nothing to count)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz))


def _counted(rows: Iterable[tuple[Any, int]]) -> list[list[Any]]:
    listed = [[label, n] for label, n in rows]
    return [*listed, [_("合计"), sum(n for _label, n in listed)]]


def _count_by(qs: QuerySet[Petition], name: str) -> Counter[Any]:
    return Counter({row[name]: row["n"] for row in qs.order_by().values(name).annotate(n=Count("pk"))})


def _first_documents(petitions: QuerySet[Petition], kinds: Iterable[str]) -> dict[int, dt.datetime]:
    firsts: dict[int, dt.datetime] = {}
    for pid, made in (PetitionDocument.objects.filter(petition__in=petitions, kind__in=list(kinds))
                      .order_by("created_at").values_list("petition_id", "created_at")):
        firsts.setdefault(pid, made)
    return firsts


def _on_time_notices(matters: QuerySet[Petition], now: dt.datetime) -> tuple[int, int]:
    """受理告知: the first 受理/不予受理告知书 made within 15日 of the 转送/交办. Counted when
    made, or when the limit has passed without one."""
    transferred = matters.filter(transferred_at__isnull=False)
    notices = _first_documents(transferred, NOTICE_KINDS)
    due, on_time = 0, 0
    for pid, at in transferred.values_list("pk", "transferred_at"):
        if at is None:
            continue
        limit = natural_deadline(at, ACCEPT_NOTICE_DAYS).at
        made = notices.get(pid)
        if made is None and limit > now:
            continue
        due += 1
        on_time += made is not None and made < limit
    return due, on_time


def _on_time_conclusions(matters: QuerySet[Petition], now: dt.datetime) -> tuple[int, int]:
    """办结: the 处理意见书 (or 协议书) made by the handling case's limit, or within 60日 of
    acceptance when the case has none. Counted when made, or when the limit has passed."""
    accepted = matters.filter(accepted_at__isnull=False)
    made_on = _first_documents(accepted, CONCLUSION_KINDS)
    due, on_time = 0, 0
    for pid, accepted_at, case_due in accepted.values_list("pk", "accepted_at", "case__solve_due_at"):
        if accepted_at is None:
            continue
        limit = case_due or natural_deadline(accepted_at, SOLVE_DAYS).at
        made = made_on.get(pid)
        if made is None and limit > now:
            continue
        due += 1
        on_time += made is not None and made < limit
    return due, on_time


def annual_report(user: Actor, year: int, *, now: dt.datetime | None = None) -> AnnualReport:
    now = now or timezone.now()
    end = _year_bounds(year)[1]
    visible = Petition.objects.visible_to(user)
    matters = visible.filter(received_on__year=year)
    total = matters.count()
    tables: list[Table] = []

    by_channel = _count_by(matters, "channel")
    tables.append(Table("channel", _("按信访形式"), [_("信访形式"), _("件数")],
                        _counted((label, by_channel.get(value, 0)) for value, label in Channel.choices)))

    by_type = _count_by(matters, "petition_type")
    type_rows: list[tuple[str, int]] = [(str(label), by_type.get(value, 0)) for value, label in PetitionType.choices]
    if by_type.get(""):
        type_rows.append((_("未分类"), by_type[""]))
    tables.append(Table("type", _("按类型"), [_("类型"), _("件数")], _counted(type_rows)))

    english = (translation.get_language() or "").startswith("en")
    tables.append(Table("topic", _("按问题类别"), [_("问题类别"), _("件数")], _counted(
        ((english and r["topic__name_en"]) or r["topic__name"], r["n"])
        for r in matters.order_by().values("topic__name", "topic__name_en").annotate(n=Count("pk"))
        .order_by("-n", "topic__name"))))
    tables.append(Table("region", _("按问题属地"), [_("问题属地"), _("件数")], _counted(
        (r["region__name"], r["n"]) for r in matters.order_by().values("region__name").annotate(n=Count("pk"))
        .order_by("-n", "region__name"))))

    forwarded = matters.filter(transfer_mode=TransferMode.FORWARD).count()
    assigned = matters.filter(transfer_mode=TransferMode.ASSIGN).count()
    supervised = matters.filter(Q(case__supervised_at__isnull=False) | Q(case__escalation_level__gt=0)).count()
    tables.append(Table("transfer", _("转送、交办和督办"), [_("方式"), _("件数")], [
        [_("转送"), forwarded], [_("交办"), assigned], [_("督办"), supervised]]))

    notice_due, notice_on_time = _on_time_notices(matters, now)
    solve_due, solve_on_time = _on_time_conclusions(matters, now)
    tables.append(Table("on_time", _("按期情况"), [_("环节"), _("应办件数"), _("按期件数"), _("按期率（%）")], [
        [_("受理告知（15日）"), notice_due, notice_on_time, rate(notice_on_time, notice_due)],
        [_("办结（60日，含批准延期）"), solve_due, solve_on_time, rate(solve_on_time, solve_due)],
    ]))

    ratings = _count_by(matters.exclude(rating_result=""), "rating_result")
    rated = sum(ratings.values())
    pleased = ratings.get(Rating.SATISFIED, 0) + ratings.get(Rating.BASICALLY, 0)
    tables.append(Table("satisfaction", _("满意度（对办理结果的评价）"), [_("评价"), _("件数")], [
        *([label, ratings.get(value, 0)] for value, label in Rating.choices),
        [_("已评价合计"), rated],
        [_("满意率（%，满意和基本满意）"), rate(pleased, rated)],
    ]))

    respondents = (matters.filter(respondent_org__isnull=False).order_by().values("respondent_org__name")
                   .annotate(n=Count("pk"), accusations=Count("pk", filter=Q(petition_type=PetitionType.ACCUSATION)))
                   .order_by("-n", "respondent_org__name")[:TOP_RESPONDENTS])
    tables.append(Table("respondents", _("被反映较多的单位"), [_("被反映单位"), _("件数"), _("其中检举控告类")],
                        [[r["respondent_org__name"], r["n"], r["accusations"]] for r in respondents]))

    tables.append(Table("repeat", _("重复信访"), [_("情形"), _("件数"), _("占比（%）")], [
        [_("同一信访人或同一事项再次信访"), n := matters.filter(earlier__isnull=False).count(), rate(n, total)],
        [_("重复信访（原事项仍在办理期限内）"), n := matters.filter(duplicate_of__isnull=False).count(), rate(n, total)],
        [_("终结后再次反映"), n := matters.filter(after_final=True).count(), rate(n, total)],
    ]))

    reviews = PetitionReview.objects.filter(petition__in=visible, requested_on__year=year)
    review_rows = []
    for level, label in PetitionReview.Level.choices:
        of_level = reviews.filter(level=level)
        outcomes = Counter(of_level.values_list("outcome", flat=True))
        review_rows.append([label, of_level.count(), outcomes.get(Outcome.SUPPORT, 0), outcomes.get(Outcome.EXPLAIN, 0),
                            outcomes.get(Outcome.REJECT, 0), outcomes.get("", 0)])
    tables.append(Table("reviews", _("复查和复核"), [_("级别"), _("申请件数"), _("支持"), _("解释说明"), _("不予支持"),
                                                   _("尚未作出意见")], review_rows))

    suggestions = matters.filter(petition_type=PetitionType.SUGGESTION)
    adopted = suggestions.filter(outcome=Outcome.SUPPORT).count()
    tables.append(Table("suggestions", _("建议意见类采纳情况"), [_("收到件数"), _("采纳件数"), _("采纳率（%）")],
                        [[suggestions.count(), adopted, rate(adopted, suggestions.count())]]))

    open_at_end = visible.filter(registered_at__lt=end).filter(
        Q(ended_at__gte=end) | Q(ended_at__isnull=True, stage__in=OPEN_STAGES))
    by_type_open = _count_by(open_at_end, "petition_type")
    open_rows: list[tuple[str, int]] = [(str(label), by_type_open.get(value, 0))
                                        for value, label in PetitionType.choices]
    if by_type_open.get(""):
        open_rows.append((_("未分类"), by_type_open[""]))
    tables.append(Table("open", _("年末未办结事项"), [_("类型"), _("件数")], _counted(open_rows)))

    group = matters.filter(is_group=True)
    summary: list[list[Any]] = [
        [_("收到信访事项"), total],
        [_("其中集体访（批次）"), group.count()],
        [_("集体访人次"), sum(group.values_list("head_count", flat=True))],
        [_("其中重大紧急事项"), matters.filter(is_urgent=True).count()],
        [_("已办结或终结"), matters.filter(stage__in=[Stage.CLOSED, Stage.FINAL]).count()],
        [_("不予受理或不再受理"), matters.filter(stage=Stage.NOT_ACCEPTED).count()],
        [_("受理告知按期率（%）"), rate(notice_on_time, notice_due)],
        [_("办结按期率（%）"), rate(solve_on_time, solve_due)],
        [_("满意率（%）"), rate(pleased, rated)],
        [_("年末未办结"), open_at_end.count()],
    ]
    tables.insert(0, Table("summary", _("总体情况"), [_("指标"), _("数值")], summary))
    organisation = organisation_of(user)
    return AnnualReport(year=year, scope=organisation.name, made_on=timezone.localdate(now), tables=tables)


def report_title(report: AnnualReport) -> str:
    return _("%(year)s年度信访工作报告") % {"year": report.year}


def report_docx(report: AnnualReport) -> bytes:
    """The report as a 公文: an opening paragraph, then one heading and table per part."""
    doc = OfficialDocument(report_title(report), issuer=report.scope, date=report.made_on)
    doc.subtitle(_("（%(start)s至%(end)s）") % {"start": f"{report.year}-01-01", "end": f"{report.year}-12-31"})
    total = report.table("summary").rows[0][1]
    doc.paragraph(_("根据《信访工作条例》第四十一条，现将%(year)s年度信访工作情况报告如下。本年度共收到信访事项%(n)s件。"
                    "以下数据由信访信息系统按登记、办理记录自动统计。") % {"year": report.year, "n": total})
    for table in report.tables:
        doc.heading(table.title)
        if table.rows:
            doc.table(table.headers, table.rows)
        else:
            doc.paragraph(_("本年度无此类事项。"))
    return doc.to_bytes()


def report_xlsx(report: AnnualReport) -> bytes:
    """One sheet per table: counts and rates as number cells."""
    from yancheng.lib.xlsx import write_sheets

    return write_sheets([(t.title, t.headers, t.rows) for t in report.tables])
