"""Plans: the department's annual and monthly plans, their entries, filing (matched at once) and the yearly summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, NotFoundError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Enterprise, Organisation
from yancheng.core.notifications.services import notify
from yancheng.core.typing import Actor

from ..models import (
    InspectionItem,
    InspectionPlan,
    PlanEntry,
)
from .access import announcements_for, get_plan_for, get_proposal_for, plans_visible_to, proposals_visible_to
from .common import (
    ANNOUNCEMENTS_URL,
    MAX_CLASS,
    MAX_LEGAL_BASIS,
    MAX_NOTE,
    annual_plan_due,
    enterprise_users_of,
    month_bounds,
    plan_is_late,
)
from .joint import joint_proposal_answer, joint_proposals_match, register_jobs
from .slots import slot_pick, slot_remove


def plan_get_or_create(
    *, department: Organisation, year: int, month: int | None = None, actor: Actor | None
) -> InspectionPlan:
    """The department's annual plan for `year` (month None) or its monthly plan, created as
    a draft when there is none. Plans are made for this year or the next."""
    require(actor, "inspections.manage_department", department)
    if department.kind != Organisation.Kind.DEPARTMENT:
        raise ValidationFailed(_("只有职能部门才编制检查计划。"), field="department")
    this_year = timezone.localdate().year
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationFailed(_("年度不正确。"), field="year") from None
    if year not in (this_year, this_year + 1):
        raise ValidationFailed(
            _("只能编制 %(a)s 年或 %(b)s 年的计划。") % {"a": this_year, "b": this_year + 1}, field="year"
        )
    if month is not None and not 1 <= int(month) <= 12:
        raise ValidationFailed(_("月份应在 1 到 12 之间。"), field="month")
    month = int(month) if month is not None else None
    existing = InspectionPlan.objects.filter(department=department, year=year, month=month).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            plan = InspectionPlan.objects.create(department=department, year=year, month=month)
            audit_record("inspection_plan.create", plan, actor=actor,
                         after={"department": department.code, "year": year, "month": month})
    except IntegrityError:
        # Someone created it at the same moment: theirs is ours.
        return InspectionPlan.objects.get(department=department, year=year, month=month)
    return plan


def _resolve_window(
    plan: InspectionPlan, month: int, window_start: dt.date | None, window_end: dt.date | None
) -> tuple[dt.date, dt.date]:
    first, last = month_bounds(plan.year, month)
    start = window_start or first
    end = window_end or last
    if start > end:
        raise ValidationFailed(_("计划开始日期不能晚于结束日期。"), field="window_end")
    if start < first or end > last:
        raise ValidationFailed(
            _("检查窗口须在 %(y)s 年 %(m)s 月之内（%(a)s 至 %(b)s）。")
            % {"y": plan.year, "m": month, "a": first.isoformat(), "b": last.isoformat()},
            field="window_start" if start < first else "window_end",
        )
    if end < timezone.localdate():
        raise ValidationFailed(_("检查窗口已经过去，不能再列入计划。"), field="window_end")
    return start, end


def plan_entry_add(
    plan: InspectionPlan,
    *,
    actor: Actor | None,
    item: InspectionItem,
    enterprise: Enterprise | None = None,
    enterprise_class: str = "",
    legal_basis: str = "",
    month: int,
    window_start: dt.date | None = None,
    window_end: dt.date | None = None,
    announced: bool = True,
    note: str = "",
) -> PlanEntry:
    """Add a line to a plan: the item must be one of the department's published items; the
    target is an enterprise or a class of enterprises; the window (the month by default)
    lies inside the entry's month — the plan's month for a monthly plan — and has not
    passed; the legal basis is the item's unless given. A filed monthly plan takes the
    entry as an amendment (matched for joint inspections at once); a filed annual plan
    takes none (use the monthly plan)."""
    require(actor, "inspections.manage_department", plan.department)
    enterprise_class = clean_text(enterprise_class, max_length=MAX_CLASS, field="enterprise_class")
    note = clean_text(note, max_length=MAX_NOTE, field="note")
    legal_basis = clean_text(legal_basis, max_length=MAX_LEGAL_BASIS, field="legal_basis")
    if item.department_id != plan.department_id:
        raise ValidationFailed(_("只能列入本部门的检查事项。"), field="item")
    try:
        month = int(month)
    except (TypeError, ValueError):
        raise ValidationFailed(_("月份应在 1 到 12 之间。"), field="month") from None
    if not 1 <= month <= 12:
        raise ValidationFailed(_("月份应在 1 到 12 之间。"), field="month")
    if plan.month is not None and month != plan.month:
        raise ValidationFailed(_("月度计划只能列入 %(m)s 月的检查。") % {"m": plan.month}, field="month")
    if enterprise is None and not enterprise_class:
        raise ValidationFailed(_("请填写检查对象：企业或企业类别。"), field="enterprise")
    start, end = _resolve_window(plan, month, window_start, window_end)
    with transaction.atomic():
        locked = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
        fresh_item = InspectionItem.objects.get(pk=item.pk)
        if not fresh_item.is_published:
            raise ValidationFailed(_("该检查事项尚未公布或已停止实施，不能列入计划。"), field="item")
        if enterprise is not None:
            target = Enterprise.objects.filter(pk=enterprise.pk).first()
            if target is None or not target.is_active:
                raise ValidationFailed(_("企业不存在或已注销。"), field="enterprise")
        amendment = locked.status == InspectionPlan.Status.FILED
        if amendment and locked.month is None:
            raise ConflictError(
                _("年度计划已报备，不能再修改；请在相应月份的月度计划中补充。"), code="plan_filed"
            )
        entry = PlanEntry.objects.create(
            plan=locked, enterprise=enterprise, enterprise_class=enterprise_class if enterprise is None else "",
            item=fresh_item, legal_basis=legal_basis or fresh_item.legal_basis, month=month,
            window_start=start, window_end=end, announced=bool(announced), note=note,
        )
        audit_record(
            "plan_entry.amend" if amendment else "plan_entry.add", entry, actor=actor,
            after={
                "plan": locked.pk, "item": fresh_item.code, "enterprise": enterprise.uscc if enterprise else None,
                "class": entry.enterprise_class, "window": [start.isoformat(), end.isoformat()],
                "announced": entry.announced,
            },
        )
        if amendment and entry.enterprise is not None and entry.announced:
            _announce([entry], actor=actor)
    if amendment and entry.enterprise_id is not None:
        joint_proposals_match(year=locked.year, enterprise_ids=[entry.enterprise_id], actor=actor)
        entry.refresh_from_db()
    return entry


def plan_entry_remove(entry: PlanEntry, *, actor: Actor) -> None:
    """Take a line out of a plan, only while the plan is a draft."""
    require(actor, "inspections.manage_department", entry.plan.department)
    with transaction.atomic():
        plan = InspectionPlan.objects.select_for_update().get(pk=entry.plan_id)
        locked = PlanEntry.objects.filter(pk=entry.pk, plan=plan).first()
        if locked is None:
            raise NotFoundError(_("计划事项不存在。"))
        if plan.status != InspectionPlan.Status.DRAFT:
            raise ConflictError(_("计划已报备，不能删除其中的事项。"), code="plan_filed")
        audit_record("plan_entry.remove", locked, actor=actor,
                     before={"plan": plan.pk, "item": locked.item_id, "enterprise": locked.enterprise_id,
                             "window": [locked.window_start.isoformat(), locked.window_end.isoformat()]})
        locked.delete()


def plan_file(plan: InspectionPlan, *, actor: Actor | None) -> InspectionPlan:
    """File a draft plan (草稿 → 已报备). It needs at least one entry; every item must still
    be published and every window still open. The enterprises of announced entries are
    told (检查预告), and joint matching runs at once. An annual plan filed after the end of
    March is filed all the same; the page says it was late."""
    require(actor, "inspections.manage_department", plan.department)
    with transaction.atomic():
        locked = (
            InspectionPlan.objects.select_for_update(of=("self",)).select_related("department").get(pk=plan.pk)
        )
        if locked.status != InspectionPlan.Status.DRAFT:
            raise ConflictError(_("该计划已报备。"), code="plan_filed")
        entries = list(locked.entries.select_related("item", "enterprise").order_by("window_start", "pk"))
        if not entries:
            raise ValidationFailed(_("计划中还没有任何检查事项，不能报备。"), field="entries")
        stale = [e for e in entries if not e.item.is_published]
        if stale:
            raise ValidationFailed(
                _("以下事项已停止实施，请先删除：%(items)s") % {"items": "、".join(sorted({e.item.name for e in stale}))},
                field="entries",
            )
        today = timezone.localdate()
        past = [e for e in entries if e.window_end < today]
        if past:
            raise ValidationFailed(
                _("有 %(n)d 项检查的窗口已经过去，请先删除后再报备。") % {"n": len(past)}, field="entries"
            )
        locked.status = InspectionPlan.Status.FILED
        locked.filed_at = timezone.now()
        locked.filed_by = actor
        locked.save(update_fields=["status", "filed_at", "filed_by"])
        audit_record("inspection_plan.file", locked, actor=actor,
                     after={"entries": len(entries), "late": plan_is_late(locked)})
        _announce([e for e in entries if e.announced and e.enterprise_id], actor=actor)
    enterprise_ids = sorted({e.enterprise_id for e in entries if e.enterprise_id})
    if enterprise_ids:
        joint_proposals_match(year=locked.year, enterprise_ids=enterprise_ids, actor=actor)
    return locked


def _announce(entries: Sequence[PlanEntry], *, actor: Actor | None) -> None:
    """Tell each enterprise of its announced entries (检查预告接收): department, item, window,
    and that it may pick preferred slots."""
    by_enterprise: dict[int, list[PlanEntry]] = {}
    for entry in entries:
        if entry.enterprise_id is not None:
            by_enterprise.setdefault(entry.enterprise_id, []).append(entry)
    for group in by_enterprise.values():
        enterprise = group[0].enterprise
        assert enterprise is not None
        lines = [
            _("%(dept)s：%(item)s，%(a)s 至 %(b)s") % {
                "dept": e.plan.department.name, "item": e.item.name,
                "a": e.window_start.isoformat(), "b": e.window_end.isoformat(),
            }
            for e in group
        ]
        notify(
            recipients=enterprise_users_of(enterprise), verb="inspection_announced",
            title=_("检查预告：%(dept)s计划对贵企业开展检查") % {"dept": group[0].plan.department.name},
            body="\n".join([*lines, _("可在“检查预告”页面选择方便接受检查的时段。")]),
            url=ANNOUNCEMENTS_URL, obj=group[0], actor=actor,
        )


def plans_summary(department: Organisation, year: int) -> dict[str, Any]:
    """Counts for the department's home page."""
    plans = InspectionPlan.objects.filter(department=department, year=year)
    annual = plans.filter(month__isnull=True).first()
    return {
        "year": year,
        "annual": annual,
        "annual_due": annual_plan_due(year),
        "annual_late": plan_is_late(annual) if annual else timezone.localdate() > annual_plan_due(year),
        "drafts": plans.filter(status=InspectionPlan.Status.DRAFT).count(),
        "filed": plans.filter(status=InspectionPlan.Status.FILED).count(),
        "entries": PlanEntry.objects.filter(plan__in=plans).count(),
    }


__all__ = [
    "announcements_for",
    "annual_plan_due",
    "get_plan_for",
    "get_proposal_for",
    "joint_proposal_answer",
    "joint_proposals_match",
    "plan_entry_add",
    "plan_entry_remove",
    "plan_file",
    "plan_get_or_create",
    "plans_visible_to",
    "proposals_visible_to",
    "register_jobs",
    "slot_pick",
    "slot_remove",
]
