"""Joint inspections (联合检查): matching filed entries into proposals, the departments' answers and the daily job."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Enterprise, User
from yancheng.core.notifications.services import notify
from yancheng.core.typing import Actor

from ..models import (
    InspectionPlan,
    JointAcceptance,
    JointProposal,
    PlanEntry,
)
from .access import proposal_departments
from .common import JOINT_URL, MAX_REASON, clerks_of, own_department


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
    *, year: int | None = None, enterprise_ids: Iterable[int] | None = None, actor: Actor | None = None
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


def _match_enterprise(qs: QuerySet[PlanEntry], enterprise_id: int, *, actor: Actor | None) -> list[JointProposal]:
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
    department_ids: Iterable[int], *, actor: Actor | None, proposal: JointProposal, verb: str, title: str, body: str,
    except_department_id: int | None = None,
) -> None:
    recipients: list[User] = []
    for pk in department_ids:
        if pk == except_department_id:
            continue
        recipients += [u for u in clerks_of(pk) if actor is None or u.pk != getattr(actor, "pk", None)]
    notify(recipients=recipients, verb=verb, title=title, body=body, url=JOINT_URL, obj=proposal, actor=actor)


def joint_proposal_answer(proposal: JointProposal, *, actor: Actor, decision: str, reason: str = "") -> JointProposal:
    """The actor's department answers a proposal, once. When every department has agreed it
    becomes a joint inspection led by the department with the most entries (a tie goes to
    the first to agree); one refusal ends it (declining needs a reason) and the entries go
    ahead separately. The other departments' clerks are told either way."""
    department = own_department(actor)
    require(actor, "inspections.answer_joint_proposal", department)
    if decision not in JointAcceptance.Decision.values:
        raise ValidationFailed(_("请选择同意或不同意联合检查。"), field="decision")
    reason = clean_text(reason, max_length=MAX_REASON, field="reason")
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




@task()
def joint_matching_task() -> int:
    """The daily run of `joint_proposals_match` (the worker imports it by this path)."""
    return len(joint_proposals_match())


def register_jobs() -> None:
    """Register the daily joint matching (call from the app's ready())."""
    from yancheng.core.jobs import register_periodic

    register_periodic("inspections.joint_matching", every=dt.timedelta(days=1), task=joint_matching_task)
