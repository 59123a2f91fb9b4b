"""Inspection plans, joint inspections and the enterprise's preferred slots (SPEC §4).

- Plans: a department files an annual plan (month empty) and, as needed, monthly plans
  (enterprise or class of enterprises, month and window, item, legal basis). Annual plans
  are due by the end of March (无锡 practice: published "每年3月底前"); a late filing is
  shown on the page, never refused.
- Amendments: a filed annual plan does not change. What it misses goes into the monthly
  plan of the month concerned; a filed monthly plan takes further entries (an amendment,
  audited as such and matched at once) but never loses one — a filed entry may already be
  part of a joint proposal, carry the enterprise's preferred slots, or be named by a
  registration. Entries are removed only while their plan is a draft.
- Joint inspections (联合检查, "进一次门、查多项事", 《优化营商环境条例》第五十四条): filed
  entries of different departments for the same enterprise whose windows overlap are
  proposed as one `JointProposal` (window = the overlap). Matching runs on every filing
  and as a daily job, and is idempotent: an entry that is in a proposal — whatever became
  of it — is never proposed again, so a declined proposal keeps its entries (its status
  tells the registration side that they go ahead separately).
- Preferred slots (双向预约, 龙华): for an announced entry of a filed plan, the enterprise's
  own users pick up to three half-days inside the window, on working days, not in the
  past. Unannounced checks (双随机) have none.

Every write: permission first (refusals audited by `require`), one transaction with the
row locked, the change, its audit record, notifications in the same transaction (they are
delivered on commit)."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from yancheng.core import calendar as workcal
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.models import Enterprise, Organisation, Role, User
from yancheng.core.notifications.services import notify

from .models import (
    InspectionItem,
    InspectionPlan,
    JointAcceptance,
    JointProposal,
    PlanEntry,
    TimeSlotPreference,
)
from .permissions import department_of, is_enterprise_user
from .services import require

# Annual plans are filed by the end of this month (shown on the page, not enforced).
ANNUAL_PLAN_DUE_MONTH = 3
MAX_SLOTS_PER_ENTRY = 3
MAX_NOTE = 200
MAX_REASON = 200
MAX_CLASS = 100
MAX_LEGAL_BASIS = 2000

DEPARTMENT_URL = "/inspections/department/"
JOINT_URL = "/inspections/department/joint/"
ANNOUNCEMENTS_URL = "/inspections/announcements/"


# --- small helpers -------------------------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a month."""
    return dt.date(year, month, 1), dt.date(year, month, pycalendar.monthrange(year, month)[1])


def annual_plan_due(year: int) -> dt.date:
    """The day by which a year's annual plan should be filed (the end of March)."""
    return month_bounds(year, ANNUAL_PLAN_DUE_MONTH)[1]


def plan_is_late(plan: InspectionPlan, today: dt.date | None = None) -> bool:
    """An annual plan filed (or still unfiled) after its due day."""
    if plan.month is not None:
        return False
    due = annual_plan_due(plan.year)
    if plan.filed_at is not None:
        return timezone.localtime(plan.filed_at).date() > due
    return (today or timezone.localdate()) > due


def clerks_of(department: Organisation | int) -> list[User]:
    """The active clerks (承办人) of a department: who maintains plans and answers proposals."""
    pk = department if isinstance(department, int) else department.pk
    return list(User.objects.filter(organisation_id=pk, role=Role.HANDLER, is_active=True).order_by("pk"))


def enterprise_users_of(enterprise: Enterprise) -> list[User]:
    return list(
        User.objects.filter(organisation_id=enterprise.organisation_id, role=Role.ENTERPRISE, is_active=True)
        .order_by("pk")
    ) if enterprise.organisation_id else []


def _clean(value: str | None, *, max_length: int, field: str) -> str:
    text = (value or "").strip()
    if len(text) > max_length:
        raise ValidationFailed(_("内容过长（最多 %(n)s 个字）。") % {"n": max_length}, field=field)
    return text


def _own_department(actor: Any, department: Organisation | None = None) -> Organisation:
    """The actor's department, which must be `department` when one is given."""
    own = department_of(actor)
    if own is None or (department is not None and own.pk != department.pk):
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))
    return own


# --- who sees what -----------------------------------------------------------------------------


def plans_visible_to(user: Any) -> QuerySet[InspectionPlan]:
    """A department's staff see its plans; nobody else does through these pages."""
    department = department_of(user)
    if department is None:
        return InspectionPlan.objects.none()
    return InspectionPlan.objects.filter(department_id=department.pk)


def get_plan_for(user: Any, pk: int, *, write: bool = False) -> InspectionPlan:
    """The plan when the user's department owns it (NotFoundError otherwise, so another
    department's plan does not leak); with `write`, PermissionDeniedError unless the user
    is its clerk."""
    plan = plans_visible_to(user).select_related("department", "filed_by").filter(pk=pk).first()
    if plan is None:
        raise NotFoundError(_("计划不存在。"))
    if write and not user.has_perm("inspections.manage_department", plan.department):
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))
    return plan


def proposals_visible_to(user: Any) -> QuerySet[JointProposal]:
    """The proposals naming an entry of the user's department."""
    department = department_of(user)
    if department is None:
        return JointProposal.objects.none()
    ids = PlanEntry.objects.filter(plan__department_id=department.pk, joint_proposal__isnull=False).values(
        "joint_proposal_id"
    )
    return JointProposal.objects.filter(pk__in=ids)


def get_proposal_for(user: Any, pk: int, *, write: bool = False) -> JointProposal:
    proposal = proposals_visible_to(user).select_related("enterprise", "lead_department").filter(pk=pk).first()
    if proposal is None:
        raise NotFoundError(_("联合检查建议不存在。"))
    if write and not user.has_perm("inspections.answer_joint_proposal", department_of(user)):
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))
    return proposal


def proposal_departments(proposal: JointProposal) -> list[Organisation]:
    """The departments whose entries the proposal links, in a stable order."""
    ids = set(PlanEntry.objects.filter(joint_proposal=proposal).values_list("plan__department_id", flat=True))
    return list(Organisation.objects.filter(pk__in=ids).order_by("name", "pk"))


def proposals_waiting_for(department: Organisation) -> QuerySet[JointProposal]:
    """Proposals still open that the department has not answered."""
    ids = PlanEntry.objects.filter(plan__department_id=department.pk, joint_proposal__isnull=False).values(
        "joint_proposal_id"
    )
    return JointProposal.objects.filter(pk__in=ids, status=JointProposal.Status.PROPOSED).exclude(
        acceptances__department_id=department.pk
    )


def announcements_for(user: Any, *, today: dt.date | None = None) -> QuerySet[PlanEntry]:
    """Announced entries of filed plans naming the user's enterprise whose window has not
    ended: what the enterprise is told in advance (检查预告)."""
    if not is_enterprise_user(user):
        return PlanEntry.objects.none()
    today = today or timezone.localdate()
    return (
        PlanEntry.objects.filter(
            enterprise__organisation_id=user.organisation_id, announced=True,
            plan__status=InspectionPlan.Status.FILED, window_end__gte=today,
        )
        .select_related("plan__department", "item", "enterprise", "joint_proposal")
        .order_by("window_start", "pk")
    )


def get_announced_entry_for(user: Any, pk: int) -> PlanEntry:
    entry = announcements_for(user, today=dt.date.min).filter(pk=pk).first()
    if entry is None:
        raise NotFoundError(_("检查预告不存在。"))
    return entry


def get_slot_for(user: Any, pk: int) -> TimeSlotPreference:
    if not is_enterprise_user(user):
        raise NotFoundError(_("预约时段不存在。"))
    slot = (
        TimeSlotPreference.objects.select_related("entry__enterprise")
        .filter(pk=pk, entry__enterprise__organisation_id=user.organisation_id)
        .first()
    )
    if slot is None:
        raise NotFoundError(_("预约时段不存在。"))
    return slot


# --- plans ----------------------------------------------------------------------------------------


def plan_get_or_create(
    *, department: Organisation, year: int, month: int | None = None, actor: Any
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
    actor: Any,
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
    enterprise_class = _clean(enterprise_class, max_length=MAX_CLASS, field="enterprise_class")
    note = _clean(note, max_length=MAX_NOTE, field="note")
    legal_basis = _clean(legal_basis, max_length=MAX_LEGAL_BASIS, field="legal_basis")
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


def plan_entry_remove(entry: PlanEntry, *, actor: Any) -> None:
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


def plan_file(plan: InspectionPlan, *, actor: Any) -> InspectionPlan:
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


def _announce(entries: Sequence[PlanEntry], *, actor: Any) -> None:
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


# --- joint matching ------------------------------------------------------------------------------


@dataclass
class _Candidate:
    pk: int
    department_id: int
    start: dt.date
    end: dt.date


def _group_for(seed: _Candidate, others: list[_Candidate]) -> list[_Candidate]:
    """The seed and the entries that can share one window with it: entries of departments
    not yet in the group first (so a joint partner is not crowded out by the seed's own
    department), each only when the common window stays non-empty."""
    group = [seed]
    start, end = seed.start, seed.end
    ordered = sorted(others, key=lambda c: (c.department_id == seed.department_id, c.start, c.pk))
    departments = {seed.department_id}
    for candidate in ordered:
        if candidate.department_id in departments:
            continue
        if max(start, candidate.start) <= min(end, candidate.end):
            group.append(candidate)
            departments.add(candidate.department_id)
            start, end = max(start, candidate.start), min(end, candidate.end)
    if len(departments) < 2:
        return group
    for candidate in ordered:
        if candidate in group:
            continue
        if max(start, candidate.start) <= min(end, candidate.end):
            group.append(candidate)
            start, end = max(start, candidate.start), min(end, candidate.end)
    return group


def _window(group: Iterable[_Candidate]) -> tuple[dt.date, dt.date]:
    items = list(group)
    return max(c.start for c in items), min(c.end for c in items)


def joint_proposals_match(
    *, year: int | None = None, enterprise_ids: Iterable[int] | None = None, actor: Any = None
) -> list[JointProposal]:
    """Propose joint inspections (进一次门、查多项事): for each enterprise, filed entries of
    different departments whose windows overlap become one proposal whose window is the
    overlap. Only entries not yet in any proposal and whose window has not ended take part,
    so running it again creates nothing new. Each enterprise is matched in its own
    transaction with its entries locked; the clerks of every department concerned are
    told. Runs on every filing and daily (`register_jobs`)."""
    today = timezone.localdate()
    base = PlanEntry.objects.filter(
        plan__status=InspectionPlan.Status.FILED, enterprise__isnull=False, joint_proposal__isnull=True,
        window_end__gte=today,
    )
    if year is not None:
        base = base.filter(plan__year=year)
    if enterprise_ids is not None:
        base = base.filter(enterprise_id__in=list(enterprise_ids))
    created: list[JointProposal] = []
    for enterprise_id in sorted(set(base.values_list("enterprise_id", flat=True))):
        created += _match_enterprise(base.filter(enterprise_id=enterprise_id), enterprise_id, actor=actor)
    return created


def _match_enterprise(qs: QuerySet[PlanEntry], enterprise_id: int, *, actor: Any) -> list[JointProposal]:
    created: list[JointProposal] = []
    with transaction.atomic():
        # Lock, then read again: a concurrent run that linked some of them wins.
        locked_ids = list(qs.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
        rows = PlanEntry.objects.filter(pk__in=locked_ids, joint_proposal__isnull=True).values_list(
            "pk", "plan__department_id", "window_start", "window_end"
        )
        remaining = sorted((_Candidate(*row) for row in rows), key=lambda c: (c.start, c.pk))
        if len({c.department_id for c in remaining}) < 2:
            return []
        enterprise = Enterprise.objects.get(pk=enterprise_id)
        while remaining:
            seed, others = remaining[0], remaining[1:]
            group = _group_for(seed, others)
            if len({c.department_id for c in group}) < 2:
                remaining = others
                continue
            start, end = _window(group)
            proposal = JointProposal.objects.create(enterprise=enterprise, window_start=start, window_end=end)
            ids = [c.pk for c in group]
            PlanEntry.objects.filter(pk__in=ids).update(joint_proposal=proposal)
            department_ids = sorted({c.department_id for c in group})
            audit_record("joint_proposal.create", proposal, actor=actor,
                         after={"enterprise": enterprise.uscc, "entries": ids, "departments": department_ids,
                                "window": [start.isoformat(), end.isoformat()]})
            _tell_clerks(
                department_ids, actor=actor, proposal=proposal, verb="joint_proposal",
                title=_("联合检查建议：%(e)s（%(a)s 至 %(b)s）")
                % {"e": enterprise.name, "a": start.isoformat(), "b": end.isoformat()},
                body=_("多个部门计划在同一时段检查该企业，建议“进一次门、查多项事”，请确认是否联合检查。"),
            )
            created.append(proposal)
            remaining = [c for c in remaining if c.pk not in set(ids)]
    return created


def _tell_clerks(
    department_ids: Iterable[int], *, actor: Any, proposal: JointProposal, verb: str, title: str, body: str,
    except_department_id: int | None = None,
) -> None:
    recipients: list[User] = []
    for pk in department_ids:
        if pk == except_department_id:
            continue
        recipients += [u for u in clerks_of(pk) if actor is None or u.pk != getattr(actor, "pk", None)]
    notify(recipients=recipients, verb=verb, title=title, body=body, url=JOINT_URL, obj=proposal, actor=actor)


def joint_proposal_answer(proposal: JointProposal, *, actor: Any, decision: str, reason: str = "") -> JointProposal:
    """The actor's department answers a proposal, once. When every department has agreed it
    becomes a joint inspection led by the department with the most entries (a tie goes to
    the first to agree); one refusal ends it (declining needs a reason) and the entries go
    ahead separately. The other departments' clerks are told either way."""
    department = _own_department(actor)
    require(actor, "inspections.answer_joint_proposal", department)
    if decision not in JointAcceptance.Decision.values:
        raise ValidationFailed(_("请选择同意或不同意联合检查。"), field="decision")
    reason = _clean(reason, max_length=MAX_REASON, field="reason")
    if decision == JointAcceptance.Decision.DECLINED and not reason:
        raise ValidationFailed(_("不同意联合检查时请说明理由。"), field="reason")
    with transaction.atomic():
        locked = (
            JointProposal.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=proposal.pk)
        )
        departments = [d.pk for d in proposal_departments(locked)]
        if department.pk not in departments:
            raise PermissionDeniedError(_("本部门不在该联合检查建议中。"))
        if locked.status != JointProposal.Status.PROPOSED:
            raise ConflictError(_("该联合检查建议已有结论（%(s)s）。") % {"s": locked.get_status_display()},
                                code="proposal_closed")
        if locked.acceptances.filter(department_id=department.pk).exists():
            raise ConflictError(_("本部门已答复过该联合检查建议。"), code="already_answered")
        JointAcceptance.objects.create(
            proposal=locked, department=department, decision=decision, reason=reason, decided_by=actor,
            decided_at=timezone.now(),
        )
        before = locked.status
        answered = list(locked.acceptances.order_by("decided_at", "pk"))
        if decision == JointAcceptance.Decision.DECLINED:
            locked.status = JointProposal.Status.DECLINED
        elif {a.department_id for a in answered} >= set(departments) and all(
            a.decision == JointAcceptance.Decision.ACCEPTED for a in answered
        ):
            locked.status = JointProposal.Status.ACCEPTED
            locked.lead_department_id = _lead_department(locked, answered)
        if locked.status != before:
            locked.save(update_fields=["status", "lead_department"])
        audit_record("joint_proposal.answer", locked, actor=actor,
                     before={"status": before},
                     after={"department": department.code, "decision": decision, "reason": reason,
                            "status": locked.status, "lead_department": locked.lead_department_id})
        params = {"e": locked.enterprise.name, "d": department.name}
        if locked.status == JointProposal.Status.ACCEPTED:
            title = _("联合检查已确认：%(e)s") % params
            body = _("各部门均已同意联合检查。")
        elif locked.status == JointProposal.Status.DECLINED:
            title = _("联合检查未达成：%(e)s") % params
            body = _("%(d)s不同意联合检查：%(r)s。各部门按原计划分别实施。") % {**params, "r": reason}
        else:
            title = _("%(d)s同意联合检查：%(e)s") % params
            body = _("等待其他部门确认。")
        _tell_clerks(departments, actor=actor, proposal=locked, verb="joint_proposal_answer", title=title, body=body,
                     except_department_id=department.pk)
    return locked


def _lead_department(proposal: JointProposal, answered: Sequence[JointAcceptance]) -> int:
    counts = Counter(PlanEntry.objects.filter(joint_proposal=proposal).values_list("plan__department_id", flat=True))
    most = max(counts.values())
    for acceptance in answered:  # in the order they agreed
        if counts.get(acceptance.department_id, 0) == most:
            return acceptance.department_id
    return min(pk for pk, n in counts.items() if n == most)


# --- preferred slots (双向预约) ----------------------------------------------------------------------


def slot_pick(entry: PlanEntry, *, actor: Any, day: dt.date, period: str) -> TimeSlotPreference:
    """The enterprise names a half-day it prefers for an announced inspection: inside the
    entry's window, on a working day, not in the past, at most three per entry."""
    require(actor, "inspections.pick_slots", entry.enterprise)
    if entry.enterprise is None:
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))
    if period not in TimeSlotPreference.Period.values:
        raise ValidationFailed(_("请选择上午或下午。"), field="period")
    if not isinstance(day, dt.date):
        raise ValidationFailed(_("请选择日期。"), field="day")
    with transaction.atomic():
        locked = (
            PlanEntry.objects.select_for_update(of=("self",))
            .select_related("plan__department", "item", "enterprise")
            .get(pk=entry.pk)
        )
        if locked.plan.status != InspectionPlan.Status.FILED or not locked.announced:
            raise ValidationFailed(_("只有已报备且提前告知的检查才能预约时段。"), field="entry")
        if not locked.window_start <= day <= locked.window_end:
            raise ValidationFailed(
                _("请在检查窗口 %(a)s 至 %(b)s 之内选择日期。")
                % {"a": locked.window_start.isoformat(), "b": locked.window_end.isoformat()},
                field="day",
            )
        if day < timezone.localdate():
            raise ValidationFailed(_("不能选择已经过去的日期。"), field="day")
        if not workcal.is_working_day(day):
            raise ValidationFailed(_("%(d)s 不是工作日，请选择工作日。") % {"d": day.isoformat()}, field="day")
        if locked.slots.count() >= MAX_SLOTS_PER_ENTRY:
            raise ValidationFailed(
                _("每项检查最多选择 %(n)d 个时段，请先删除一个。") % {"n": MAX_SLOTS_PER_ENTRY}, field="day"
            )
        if locked.slots.filter(day=day, period=period).exists():
            raise ConflictError(_("该时段已选择。"), code="duplicate")
        slot = TimeSlotPreference.objects.create(entry=locked, day=day, period=period, chosen_by=actor)
        audit_record("plan_slot.pick", slot, actor=actor,
                     after={"entry": locked.pk, "day": day.isoformat(), "period": period})
    return slot


def slot_remove(slot: TimeSlotPreference, *, actor: Any) -> None:
    """The enterprise takes back a preferred half-day (not one that has passed)."""
    entry = PlanEntry.objects.select_related("enterprise").get(pk=slot.entry_id)
    require(actor, "inspections.pick_slots", entry.enterprise)
    with transaction.atomic():
        PlanEntry.objects.select_for_update().get(pk=entry.pk)
        locked = TimeSlotPreference.objects.filter(pk=slot.pk, entry_id=entry.pk).first()
        if locked is None:
            raise NotFoundError(_("预约时段不存在。"))
        if locked.day < timezone.localdate():
            raise ConflictError(_("已经过去的时段不能删除。"), code="slot_past")
        audit_record("plan_slot.remove", locked, actor=actor,
                     before={"entry": entry.pk, "day": locked.day.isoformat(), "period": locked.period})
        locked.delete()


# --- the daily job ------------------------------------------------------------------------------


@task()
def joint_matching_task() -> int:
    """The daily run of `joint_proposals_match` (the worker imports it by this path)."""
    return len(joint_proposals_match())


def register_jobs() -> None:
    """Register the daily joint matching (call from the app's ready())."""
    from yancheng.core.jobs import register_periodic

    register_periodic("inspections.joint_matching", every=dt.timedelta(days=1), task=joint_matching_task)


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
