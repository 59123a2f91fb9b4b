"""日反馈 and monthly reports: what a project reports of its progress (SPEC §3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import (
    ValidationFailed,
)
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.typing import Actor

from ..models import (
    DailyFeedback,
    MonthlyReport,
    Project,
)
from .common import _lock, _money, _today

# --- 日反馈 and monthly reports ---------------------------------------------------------------


def daily_feedback_save(
    project: Project, *, progress: str, actor: Actor, problems: str = "", day: dt.date | None = None
) -> DailyFeedback:
    """日反馈: one note per project per day, written on the day and editable that day only."""
    today = _today()
    day = day or today
    if day != today:
        raise ValidationFailed(_("日反馈只能填报当天的，且只能在当天修改。"), field="day")
    progress = clean_text(progress, field="progress", max_length=5000, required=_("请填写当日进展。"))
    with transaction.atomic():
        locked = _lock(project, actor)
        require(actor, "projects.report_progress", locked)
        row = DailyFeedback.objects.select_for_update().filter(project=locked, day=day).first()
        if row is None:
            row = DailyFeedback.objects.create(project=locked, day=day, author=actor, progress=progress,
                                               problems=(problems or "").strip())
            audit_record("project.feedback_add", locked, actor=actor, after={"day": day.isoformat(),
                                                                              "progress": progress[:500]})
        else:
            before = {"progress": row.progress[:500], "problems": row.problems[:500], "author": row.author_id}
            row.progress, row.problems, row.author = progress, (problems or "").strip(), actor
            row.save(update_fields=["progress", "problems", "author"])
            audit_record("project.feedback_edit", locked, actor=actor, before=before,
                         after={"day": day.isoformat(), "progress": progress[:500]})
    return row


def _first_of_month(value: dt.date) -> dt.date:
    return value.replace(day=1)


def monthly_report_submit(
    project: Project,
    *,
    month: dt.date,
    invested_this_month: Any,
    actor: Actor | None,
    invested_ytd: Any = None,
    progress_percent: int = 0,
    correction_note: str = "",
) -> MonthlyReport:
    """The month's investment report (万元). The year to date must be the previous month's
    year to date plus this month; a figure that does not add up, or that would make the
    year to date fall, is a correction and needs a note saying why (统计更正). Without a
    year-to-date figure it is computed. Resubmitting a month replaces it (with a note when
    the figures change)."""
    month = _first_of_month(month)
    if month > _first_of_month(_today()):
        raise ValidationFailed(_("不能报送未来月份的投资。"), field="month")
    this_month = _money(invested_this_month, "invested_this_month")
    assert this_month is not None
    ytd = _money(invested_ytd, "invested_ytd", allow_none=True)
    if not 0 <= int(progress_percent) <= 100:
        raise ValidationFailed(_("形象进度应在 0 到 100 之间。"), field="progress_percent")
    note = (correction_note or "").strip()[:500]
    with transaction.atomic():
        locked = _lock(project, actor)
        require(actor, "projects.report_progress", locked)
        earlier = (
            MonthlyReport.objects.filter(project=locked, month__year=month.year, month__lt=month)
            .order_by("-month").first()
        )
        base = earlier.invested_ytd if earlier is not None else Decimal("0.00")
        expected = base + this_month
        if ytd is None:
            ytd = expected
        gap = earlier is not None and (earlier.month.month != month.month - 1)
        if month.month > 1 and earlier is None:
            gap = True  # earlier months of the year were never reported
        problems: list[str] = []
        if earlier is not None and ytd < earlier.invested_ytd:
            problems.append(
                _("年度累计完成投资 %(ytd)s 万元比 %(m)s 月报送的 %(prev)s 万元还少，累计数不应减少。")
                % {"ytd": ytd, "m": earlier.month.strftime("%Y-%m"), "prev": earlier.invested_ytd}
            )
        elif ytd != expected and not (gap and ytd > expected):
            if earlier is None and month.month == 1:
                problems.append(
                    _("1 月的年度累计完成投资应等于本月完成投资 %(e)s 万元，填报的是 %(ytd)s 万元。")
                    % {"e": expected, "ytd": ytd}
                )
            elif earlier is None:
                problems.append(
                    _("年度累计完成投资 %(ytd)s 万元少于本月完成投资 %(e)s 万元。") % {"e": expected, "ytd": ytd}
                )
            else:
                problems.append(
                    _("年度累计完成投资应为 %(m)s 月累计 %(prev)s 万元 + 本月 %(this)s 万元 = %(e)s 万元，"
                      "填报的是 %(ytd)s 万元。")
                    % {"m": earlier.month.strftime("%Y-%m"), "prev": earlier.invested_ytd, "this": this_month,
                       "e": expected, "ytd": ytd}
                )
        existing = MonthlyReport.objects.select_for_update().filter(project=locked, month=month).first()
        if existing is not None and (existing.invested_this_month, existing.invested_ytd) != (this_month, ytd):
            later = MonthlyReport.objects.filter(project=locked, month__year=month.year, month__gt=month).exists()
            problems.append(
                _("%(m)s 已经报送过（本月 %(a)s 万元、累计 %(b)s 万元），修改已报数据属于更正%(later)s。")
                % {"m": month.strftime("%Y-%m"), "a": existing.invested_this_month, "b": existing.invested_ytd,
                   "later": _("，且之后月份的累计数也会受影响") if later else ""}
            )
        if problems and not note:
            raise ValidationFailed(" ".join([*problems, _("如确需更正，请在“更正说明”中写明原因后再提交。")]),
                                   field="correction_note", code="ytd_mismatch")
        before = None
        if existing is None:
            report = MonthlyReport(project=locked, month=month)
        else:
            report = existing
            before = {"invested_this_month": str(existing.invested_this_month),
                      "invested_ytd": str(existing.invested_ytd), "progress_percent": existing.progress_percent}
        report.invested_this_month = this_month
        report.invested_ytd = ytd
        report.progress_percent = int(progress_percent)
        report.correction_note = note if problems else (note or "")
        report.reported_by = actor if getattr(actor, "pk", None) else None
        report.save()
        audit_record(
            "project.monthly_report", locked, actor=actor, before=before,
            after={"month": month.strftime("%Y-%m"), "invested_this_month": str(this_month),
                   "invested_ytd": str(ytd), "progress_percent": int(progress_percent),
                   "correction": bool(problems), "correction_note": note},
        )
    return report
