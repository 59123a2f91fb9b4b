"""交办, 签收, 退回, 改派, 维持交办: the case reaches the unit that does the work and its clocks start."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core import calendar
from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor

from .. import clocks, notify
from ..models import Case, CaseTask, EscalationLevel, Status, Urgency
from ..steps import Step, record_event, transition
from .common import NOTE_MAX, is_within

# --- dispatch --------------------------------------------------------------------------------------------


def _escalation_reset_fields(step: Step) -> None:
    step.set(escalation_level=EscalationLevel.NONE, escalated_to=None, pressed_at=None, supervised_at=None,
             reported_at=None)


def _start_clocks(step: Step, *, accept_days: int | None, solve_days: int | None, now: dt.datetime) -> None:
    """The clocks start (交办, 改派, 维持交办): the day unit is the policy's from now on, and
    the solve clock counts from the assignment until an acceptance restarts it (when the
    policy counts it from the acceptance)."""
    case = step.case
    policy = clocks.policy_for(case.kind, case.urgency)
    step.set(
        accept_days=accept_days if accept_days is not None else policy.accept_working_days,
        solve_days=solve_days if solve_days is not None else policy.solve_working_days,
        day_unit=policy.day_unit,
        solve_started_at=None,
    )
    step.changed.update(clocks.set_clocks(case, policy, start=now))



def _check_unit(org: Organisation, field_name: str, case: Case | None = None) -> None:
    if not org.is_active or org.kind == Organisation.Kind.ENTERPRISE:
        raise ValidationFailed(_("“%(o)s”不能承办事项。") % {"o": org}, field=field_name)
    if case is not None and case.withheld_from is not None and is_within(org, case.withheld_from):
        # 检举控告 never reaches the organ complained about, nor its sub-units (条例 第三十条).
        raise ValidationFailed(_("“%(o)s”须回避本事项，不能承办。") % {"o": org}, field=field_name)


def _check_days(case: Case, *, accept_days: int | None, solve_days: int | None) -> None:
    unit = clocks.unit_label(case)
    if solve_days is not None and not 1 <= solve_days <= 365:
        raise ValidationFailed(_("办结时限应在 1 到 365 个%(unit)s之间。") % {"unit": unit}, field="solve_days")
    if accept_days is not None and not 0 <= accept_days <= 30:
        raise ValidationFailed(_("签收时限应在 0 到 30 个%(unit)s之间。") % {"unit": unit}, field="accept_days")


def _open_tasks(step: Step, co_orgs: Iterable[Organisation], instruction: str, now: dt.datetime) -> list[str]:
    names = []
    for org in co_orgs:
        _check_unit(org, "co_orgs", step.case)
        if org.pk == step.case.lead_org_id:
            raise ValidationFailed(_("协办单位不能与主办单位相同。"), field="co_orgs")
        if step.case.tasks.filter(org=org, status=CaseTask.TaskStatus.OPEN).exists():
            continue
        CaseTask.objects.create(
            case=step.case, org=org, instruction=instruction[:500], assigned_at=now, due_at=step.case.solve_due_at
        )
        names.append(org.name)
    return names


def case_assign(
    case: Case,
    *,
    actor: Actor | None,
    lead_org: Organisation,
    co_orgs: Iterable[Organisation] = (),
    co_instruction: str = "",
    urgency: str | None = None,
    accept_days: int | None = None,
    solve_days: int | None = None,
    note: str = "",
    expected_version: int | None = None,
    system: bool = False,
) -> Case:
    """交办: the dispatcher gives the case to one lead unit (主办) with optional co-units
    (协办, each with a sub-task) and starts the clocks. ``system=True`` (with ``actor=None``)
    is for a domain module that checked its own permission first (a meeting's task issued
    on behalf of its organiser: ``meeting_task_issue``)."""
    _check_unit(lead_org, "lead_org")
    co_orgs = list(co_orgs)
    with transition(case, "assign", actor=actor, expected_version=expected_version, system=system) as step:
        now = timezone.now()
        _check_unit(lead_org, "lead_org", step.case)
        if urgency is not None:
            if urgency not in Urgency.values:
                raise ValidationFailed(_("未知的紧急程度。"), field="urgency")
            step.set(urgency=urgency)
        # The limits a dispatcher gives count in the unit of the policy the case runs under.
        step.set(day_unit=clocks.policy_for(step.case.kind, step.case.urgency).day_unit)
        _check_days(step.case, accept_days=accept_days, solve_days=solve_days)
        step.set(status=Status.ASSIGNED, lead_org=lead_org, assigned_at=now)
        _start_clocks(step, accept_days=accept_days, solve_days=solve_days, now=now)
        co_names = _open_tasks(step, co_orgs, co_instruction, now)
        record_event(step, note=note, data={"lead_org": lead_org.pk, "co_orgs": [o.pk for o in co_orgs],
                                      "solve_days": step.case.solve_days})
        notify.case_assigned(step.case, actor=actor, co_orgs=co_orgs, co_names=co_names)
    return step.case


def case_accept(case: Case, *, actor: Actor, note: str = "", expected_version: int | None = None) -> Case:
    """签收: the lead unit accepts the case. Under a policy that counts the solve limit from
    the acceptance (信访: 60日 from 受理), the solve clock starts again from now."""
    with transition(case, "accept", actor=actor, expected_version=expected_version) as step:
        now = timezone.now()
        step.set(status=Status.ACCEPTED, accepted_at=now)
        policy = clocks.policy_for(step.case.kind, step.case.urgency)
        if policy.solve_from_acceptance:
            step.set(solve_started_at=now)
            step.changed.update(clocks.set_clocks(step.case, policy))
        record_event(step, note=note)
        notify.case_accepted(step.case, actor=actor)
    return step.case


def case_return(case: Case, *, actor: Actor, reason: str, expected_version: int | None = None) -> Case:
    """退回: the lead unit objects that the case is not theirs, within the objection window
    (always working days, whatever the unit of the other limits: 条例 第二十三条's
    5个工作日 beside its 15日)."""
    reason = clean_text(reason, field="reason", max_length=NOTE_MAX, required=_("请说明退回理由。"))
    with transition(case, "return", actor=actor, expected_version=expected_version) as step:
        policy = clocks.policy_for(step.case.kind, step.case.urgency)
        assert step.case.clock_started_at is not None
        window = calendar.deadline(step.case.clock_started_at, policy.objection_working_days).at
        if timezone.now() > window:
            raise ValidationFailed(
                _("已超过退回时限（交办后 %(n)d 个工作日内），请与受理单位协商改派。")
                % {"n": policy.objection_working_days}
            )
        step.set(status=Status.RETURNED)
        record_event(step, note=reason, data={"lead_org": step.case.lead_org_id})
        notify.case_returned(step.case, actor=actor, reason=reason)
    return step.case


def case_reassign(
    case: Case, *, actor: Actor, lead_org: Organisation, note: str = "", solve_days: int | None = None,
    expected_version: int | None = None,
) -> Case:
    """改派: the dispatcher gives the case to another lead unit; the clocks start again."""
    _check_unit(lead_org, "lead_org")
    with transition(case, "reassign", actor=actor, expected_version=expected_version) as step:
        _check_unit(lead_org, "lead_org", step.case)
        if lead_org.pk == step.case.lead_org_id:
            raise ValidationFailed(_("改派单位与原主办单位相同。"), field="lead_org")
        previous = step.case.lead_org_id
        now = timezone.now()
        step.case.tasks.filter(org=lead_org, status=CaseTask.TaskStatus.OPEN).update(
            status=CaseTask.TaskStatus.CANCELLED
        )
        step.set(status=Status.ASSIGNED, lead_org=lead_org, assigned_at=now, accepted_at=None, suspended_at=None,
                 suspended_reason="")
        _escalation_reset_fields(step)
        _start_clocks(step, accept_days=None, solve_days=solve_days, now=now)
        record_event(step, note=note, data={"from_org": previous, "lead_org": lead_org.pk})
        notify.case_assigned(step.case, actor=actor, co_orgs=[], co_names=[], reassigned_from=previous)
    return step.case


def case_insist(case: Case, *, actor: Actor, note: str, expected_version: int | None = None) -> Case:
    """The dispatcher reviews an objection and keeps the assignment (维持交办)."""
    note = clean_text(note, field="note", max_length=NOTE_MAX, required=_("请说明维持交办的理由。"))
    with transition(case, "insist", actor=actor, expected_version=expected_version) as step:
        now = timezone.now()
        step.set(status=Status.ASSIGNED, assigned_at=now)
        _start_clocks(step, accept_days=None, solve_days=step.case.solve_days or None, now=now)
        record_event(step, note=note)
        notify.case_assigned(step.case, actor=actor, co_orgs=[], co_names=[], insisted=True)
    return step.case
