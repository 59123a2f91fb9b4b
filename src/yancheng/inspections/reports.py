"""The periodic 通报 on inspections of enterprises (涉企行政检查情况通报), the way offices
circulate it: a .docx to print and an .xlsx to work with, both made from the same figures
(`department_dashboard`) for a month, a quarter or a year.

It names the departments that exceeded caps and those reported for unregistered visits
(国办发〔2024〕54号: 对超频次、未登记入企的予以通报). Ratings appear per department only — a
rating names no enterprise, so neither can the notice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.kit.documents import OfficialDocument, chinese_date, document_issuer
from yancheng.core.models import Region
from yancheng.lib.numbers import MISSING, is_number, percent, plain
from yancheng.lib.xlsx import write_workbook

from .ratings import publishable
from .supervision.dashboard import Dashboard, DepartmentRow, department_dashboard
from .supervision.periods import Period


@dataclass
class ReportData:
    title: str
    period: Period
    scope: str
    dashboard: Dashboard
    summary: str
    named_caps: list[DepartmentRow]
    named_unregistered: list[DepartmentRow]


def report_title(period: Period) -> str:
    return _("涉企行政检查情况通报（%(p)s）") % {"p": period.label}


def _percent(value: float | None) -> str:
    return percent(value)


def _number(value: Any) -> Any:
    return MISSING if value is None else plain(value) if is_number(value) else value


def department_columns(ratings: bool = True) -> list[tuple[str, str]]:
    """(attribute, header) of the department table, in the notice's order."""
    columns = [
        ("name", _("部门")),
        ("inspections", _("入企登记")),
        ("enforcement", _("行政检查")),
        ("visits", _("非执法入企")),
        ("joint", _("联合检查")),
        ("joint_rate", _("联合检查率")),
        ("exempt", _("豁免检查")),
        ("emergency", _("先查后扫")),
        ("backfill", _("事后补录")),
        ("alerts", _("预警")),
        ("alerts_open", _("待处理预警")),
        ("cap_exceeded", _("超频次")),
        ("complaints", _("投诉")),
    ]
    if ratings:
        columns += [("ratings", _("评价数")), ("rating_average", _("平均分"))]
    return columns


def department_values(row: DepartmentRow, columns: list[tuple[str, str]], *, text: bool) -> list[Any]:
    """A department's figures: written for people when `text` ("67.9%", "4.5", "—"), else
    as numbers (None where missing) for the spreadsheet."""
    values: list[Any] = []
    for attribute, _header in columns:
        value = getattr(row, attribute)
        if attribute == "joint_rate":
            values.append(_percent(value) if text else value)
        else:
            values.append(_number(value) if text else value)
    return values


def _circulable_ratings(dashboard: Dashboard, period: Period) -> None:
    """A 通报 reaches the departments, so its rating figures follow the departments' rule
    (`ratings.publishable`): a period that has not ended shows none (it could be differenced
    later), a department with fewer than the minimum count shows neither count nor average,
    and the totals show ratings only when no department's are hidden (else the hidden ones
    could be worked out by subtraction). The dashboard's figures already leave out every
    department-month below the minimum (`ratings.monthly_figures`), so its rows arrive here
    as None or as at least the minimum, and its totals add the shown ones only."""
    ended = period.end < timezone.localdate()
    hidden = False
    for row in dashboard.rows:
        if not row.ratings:
            continue
        count = publishable(row.ratings, 0)[0] if ended else None
        if count is None:
            row.ratings, row.rating_sum = None, 0
            hidden = True
    if hidden or not ended:
        dashboard.totals.ratings, dashboard.totals.rating_sum = None, 0


def report_data(period: Period, region: Region | None = None) -> ReportData:
    dashboard = department_dashboard(start=period.start, end=period.end, region=region)
    _circulable_ratings(dashboard, period)
    t = dashboard.totals
    parts = [
        _("本期共登记入企 %(n)d 次，其中行政检查 %(e)d 次、非执法入企 %(v)d 次。") % {
            "n": t.inspections, "e": t.enforcement, "v": t.visits},
        _("联合检查 %(j)d 次（一次联合检查只计一次），联合检查率 %(r)s。") % {"j": t.joint, "r": _percent(t.joint_rate)},
        _("豁免检查 %(x)d 次，紧急情况先查后扫 %(m)d 次，系统故障事后补录 %(b)d 次。") % {
            "x": t.exempt, "m": t.emergency, "b": t.backfill},
        _("产生预警 %(a)d 条（待处理 %(o)d 条），其中超过频次上限 %(c)d 条；收到涉企检查投诉 %(p)d 件。") % {
            "a": t.alerts, "o": t.alerts_open, "c": t.cap_exceeded, "p": t.complaints},
    ]
    if dashboard.ratings_available and t.ratings is not None:
        parts.append(_("企业匿名评价 %(n)d 条，平均 %(avg)s 分。") % {
            "n": t.ratings or 0, "avg": _number(t.rating_average)})
    elif dashboard.ratings_available:
        parts.append(_("企业评价按部门汇总，不足5条或期间未结束的不公布。"))
    named_caps = sorted((r for r in dashboard.rows if r.cap_exceeded and r.department_id),
                        key=lambda r: -r.cap_exceeded)
    named_unregistered = sorted((r for r in dashboard.rows if r.unregistered and r.department_id),
                                key=lambda r: -r.unregistered)
    return ReportData(
        title=report_title(period), period=period,
        scope=region.name if region is not None else str(settings.YANCHENG_CITY_NAME),
        dashboard=dashboard, summary="".join(parts), named_caps=named_caps, named_unregistered=named_unregistered,
    )


def _named_text(rows: list[DepartmentRow], attribute: str) -> str:
    return "、".join(_("%(name)s（%(n)d 次）") % {"name": r.name, "n": getattr(r, attribute)} for r in rows)


def named_sections(data: ReportData) -> list[tuple[str, str]]:
    return [
        (_("超过检查频次上限的部门"),
         _named_text(data.named_caps, "cap_exceeded") or _("本期无部门超过检查频次上限。")),
        (_("被企业举报未登记入企的部门"),
         _named_text(data.named_unregistered, "unregistered") or _("本期无部门被举报未登记入企。")),
    ]


def report_docx(data: ReportData) -> bytes:
    """The notice as a 公文 (``core.kit.documents``, landscape for the wide department
    table): title, scope and period, the overall figures, the department table, the alerts
    by kind, the departments named, the ratings; the city's issuer and today as 落款, and a
    版记."""
    today = timezone.localdate()
    document = OfficialDocument(data.title, issuer=document_issuer(), date=today, landscape=True)
    document.subtitle(_("范围：%(scope)s　统计期间：%(a)s 至 %(b)s") % {
        "scope": data.scope, "a": chinese_date(data.period.start), "b": chinese_date(data.period.end)})
    document.blank()
    dashboard = data.dashboard
    document.heading(_("总体情况"))
    document.paragraph(data.summary)

    document.heading(_("各部门入企检查情况"))
    columns = department_columns(dashboard.ratings_available)
    document.table([h for _a, h in columns],
                   [department_values(r, columns, text=True) for r in [*dashboard.rows, dashboard.totals]])
    document.paragraph(_("说明：联合检查对每个参与部门各计一次，合计行中只计一次；联合检查率 = 联合检查 ÷ 行政检查。"))

    document.heading(_("预警情况"))
    if dashboard.alert_kinds:
        headers = [_("部门"), *[label for _k, label in dashboard.alert_kinds], _("待处理")]
        rows = [[r.name, *[r.alerts_by_kind.get(k, 0) for k, _l in dashboard.alert_kinds], r.alerts_open]
                for r in [*dashboard.rows, dashboard.totals] if r.alerts]
        document.table(headers, rows)
    else:
        document.paragraph(_("本期无预警。"))

    document.heading(_("通报事项"))
    for label, text in named_sections(data):
        document.subheading(label)
        document.paragraph(text)

    document.heading(_("企业评价和投诉"))
    if dashboard.ratings_available:
        rated = [r for r in dashboard.rows if r.ratings]
        if rated:
            document.table([_("部门"), _("评价数"), _("平均分"), _("投诉")],
                           [[r.name, r.ratings, r.rating_average, r.complaints] for r in rated])
        document.paragraph(_("企业评价为匿名评价，本通报不涉及评价企业。"))
    else:
        document.paragraph(_("企业评价不记录企业和区划，只在全市通报中按部门汇总。"))
    document.imprint(date=today)
    return document.to_bytes()


def report_filename(data: ReportData, region: Region | None, ext: str) -> str:
    """涉企检查通报-2026年10月[-区划].docx"""
    name = _("涉企检查通报-%(period)s") % {"period": data.period.label}
    return f"{name}{'-' + region.name if region is not None else ''}.{ext}"


def report_xlsx(data: ReportData) -> bytes:
    """The same notice as one sheet: the department table first (header row), then the
    overall figures, the alerts by kind and the departments named."""
    dashboard = data.dashboard
    columns = department_columns(dashboard.ratings_available)
    rows: list[list[Any]] = [department_values(r, columns, text=False) for r in [*dashboard.rows, dashboard.totals]]
    rows += [[], [data.title], [_("范围"), data.scope],
             [_("统计期间"), data.period.start, data.period.end], [_("总体情况"), data.summary], []]
    if dashboard.alert_kinds:
        rows.append([_("预警按类型"), *[label for _k, label in dashboard.alert_kinds], _("待处理")])
        rows += [[r.name, *[r.alerts_by_kind.get(k, 0) for k, _l in dashboard.alert_kinds], r.alerts_open]
                 for r in [*dashboard.rows, dashboard.totals] if r.alerts]
        rows.append([])
    for label, text in named_sections(data):
        rows.append([label, text])
    return write_workbook(_("涉企检查通报"), [h for _a, h in columns], rows, filter_rows=len(dashboard.rows) + 1)
