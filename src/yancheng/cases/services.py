"""Every change to a case is one of these services (CONVENTIONS: transaction → lock →
permission → transition check → save changed fields → history + audit → notify on commit).

Two people acting on the same case at once: the row lock makes the second wait, and it
then finds the case changed: a ConflictError (409 in the API, a message in the UI).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core import calendar
from yancheng.core.attachments.services import attachment_add
from yancheng.core.audit.services import audit_batch
from yancheng.core.errors import (
    ConflictError,
    DomainError,
    PermissionDeniedError,
    ValidationFailed,
)
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Enterprise, Organisation, Role
from yancheng.core.typing import Actor

from . import clocks, notify
from .intake import default_dispatch_org, next_case_number
from .models import (
    PETITION_KINDS,
    Case,
    CaseEvent,
    CaseKind,
    CaseTask,
    DayUnit,
    EscalationLevel,
    ExtensionRequest,
    Satisfaction,
    Status,
    Urgency,
)
from .permissions import standing_of
from .steps import Step, record_event, transition
from .workflow import TRANSITIONS, Standing

MAX_EXTENSION_DAYS = 30

# The longest free texts a step accepts (the one text rule: longer is refused, never cut).
# CharFields use their model's max_length; the TextFields the limits the API also states.
TITLE_MAX = Case._meta.get_field("title").max_length or 200
DESCRIPTION_MAX = 10_000
NOTE_MAX = 5_000
RESOLUTION_MAX = 20_000
EXTENSION_REASON_MAX = ExtensionRequest._meta.get_field("reason").max_length or 500
SUSPEND_REASON_MAX = Case._meta.get_field("suspended_reason").max_length or 255


# --- submit ------------------------------------------------------------------------------------------


def case_submit(
    *,
    actor: Actor | None,
    title: str,
    description: str,
    kind: str = CaseKind.PROJECT_PROBLEM,
    urgency: str = Urgency.NORMAL,
    subject: str = "",
    subject_ref: str = "",
    enterprise: Enterprise | None = None,
    dispatch_org: Organisation | None = None,
    reporter_org: Organisation | None = None,
    withheld_from: Organisation | None = None,
) -> Case:
    """An enterprise (or a unit on its behalf) reports a problem: it goes to the receiving
    unit's inbox as 待受理.

    ``reporter_org`` is for system callers only (``actor`` None: a domain module such as
    petitions, which checked its own permission first): the case is reported by that
    organisation, in its region. ``withheld_from``: an organisation that must never see the
    case, nor its sub-units (检举控告: the organ complained about)."""
    if reporter_org is not None and actor is not None:
        raise ValueError("case_submit(reporter_org=...) is for system callers (actor=None) only")
    if actor is not None and not rules.has_perm("cases.report_case", actor):
        raise PermissionDeniedError(_("您不能提交事项。"))
    title = clean_text(title, field="title", max_length=TITLE_MAX, required=_("请填写标题。"))
    description = clean_text(description, field="description", max_length=DESCRIPTION_MAX, required=_("请描述问题。"))
    if kind not in CaseKind.values:
        raise ValidationFailed(_("未知的事项类型。"), field="kind")
    if actor is not None and kind in PETITION_KINDS:
        # 信访事项 are registered in the petitions module, which opens their case itself.
        raise ValidationFailed(_("信访事项请在信访模块登记。"), field="kind")
    if urgency not in Urgency.values:
        raise ValidationFailed(_("未知的紧急程度。"), field="urgency")
    if actor is not None and actor.role == Role.ENTERPRISE:
        if actor.organisation_id is None:
            raise ValidationFailed(_("您的账号没有关联企业。"))
        try:
            # With where it goes and its region (the answer shows both); get(), not first():
            # one row at most (a one-to-one), no sort.
            own = Enterprise.objects.select_related("park", "region").get(organisation_id=actor.organisation_id)
        except Enterprise.DoesNotExist:
            raise ValidationFailed(_("您的账号没有关联企业。")) from None
        if actor.organisation is not None:
            own.organisation = actor.organisation  # the same row (the filter above), read with the user
        if enterprise is not None and enterprise.pk != own.pk:
            raise PermissionDeniedError(_("只能为本企业提交事项。"))
        enterprise = own
        if kind != CaseKind.INSPECTION_COMPLAINT:
            # An enterprise does not choose who receives it. A complaint about an inspection
            # is the exception: the inspections app addresses it to the supervising
            # organisation (the 司法局) — never the views or the API, which pass none.
            dispatch_org = None
    elif (
        actor is not None
        and enterprise is not None
        and not Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists()
    ):
        raise PermissionDeniedError(_("只能为本辖区可见的企业登记事项。"))
    # The enterprise is the reporting side even when a unit registers the case on its behalf
    # (a phone call to the park): it sees the case, confirms and rates it.
    system_reporter = reporter_org is not None  # a system caller's organisation (no actor: checked above)
    if not system_reporter:
        if enterprise is not None and enterprise.organisation is not None:
            reporter_org = enterprise.organisation
        else:
            reporter_org = actor.organisation if actor is not None else None
    if reporter_org is None:
        raise ValidationFailed(_("缺少提交单位。"))
    receiver = dispatch_org or default_dispatch_org(enterprise, reporter_org)
    if withheld_from is not None and _within(receiver, withheld_from):
        raise ValidationFailed(_("受理单位须回避本事项，不能由其受理。"), field="dispatch_org")
    now = timezone.now()
    # One chain append for the case's record and its notification's (audit_batch). No
    # savepoint when nested (the API's idempotent request, a meeting's decisions): every
    # check that can refuse is done above, so a failure below is unexpected and must roll
    # back the caller's transaction with it.
    with transaction.atomic(savepoint=False), audit_batch():
        # Read who is told before taking the year's counter, which stays locked (as the
        # audit chain's lock does) until the commit: others wait only on the writes.
        audience = notify.submitted_audience(receiver, actor=actor, kind=kind)
        case = Case.objects.create(
            number=next_case_number(now),
            kind=kind,
            urgency=urgency,
            title=title,
            description=description,
            subject=(subject or "").strip()[:200],
            subject_ref=(subject_ref or "")[:64],
            reporter=actor,
            reporter_org=reporter_org,
            enterprise=enterprise,
            region=enterprise.region if enterprise is not None else (
                reporter_org.region if system_reporter else receiver.region
            ),
            dispatch_org=receiver,
            withheld_from=withheld_from,
        )
        step = Step(case, actor, "submit", Standing(), "")
        record_event(step, data={"dispatch_org": receiver.pk})
        notify.case_submitted(case, actor=actor, audience=audience)
    return case


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


def _within(org: Organisation, ancestor: Organisation) -> bool:
    """`org` is `ancestor` or one of its sub-units."""
    return org.pk == ancestor.pk or org.path.startswith(ancestor.path)


def _check_unit(org: Organisation, field_name: str, case: Case | None = None) -> None:
    if not org.is_active or org.kind == Organisation.Kind.ENTERPRISE:
        raise ValidationFailed(_("“%(o)s”不能承办事项。") % {"o": org}, field=field_name)
    if case is not None and case.withheld_from is not None and _within(org, case.withheld_from):
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
    actor: Actor,
    lead_org: Organisation,
    co_orgs: Iterable[Organisation] = (),
    co_instruction: str = "",
    urgency: str | None = None,
    accept_days: int | None = None,
    solve_days: int | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """交办: the dispatcher gives the case to one lead unit (主办) with optional co-units
    (协办, each with a sub-task) and starts the clocks."""
    _check_unit(lead_org, "lead_org")
    co_orgs = list(co_orgs)
    with transition(case, "assign", actor=actor, expected_version=expected_version) as step:
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


# --- extension, pause -------------------------------------------------------------------------------------


def _check_extension_days(case: Case, days: int) -> None:
    """1 to MAX_EXTENSION_DAYS days in the case's unit, and, when the policy caps them, the
    approved days plus these within the cap (信访: 延长不得超过30日 in all)."""
    unit = clocks.unit_label(case)
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationFailed(_("延期天数应在 1 到 %(n)d 个%(unit)s之间。") % {"n": MAX_EXTENSION_DAYS, "unit": unit},
                               field="working_days")
    cap = clocks.policy_for(case.kind, case.urgency).max_extension_days
    if cap is None:
        return
    approved = sum(
        case.extensions.filter(status=ExtensionRequest.Decision.APPROVED).values_list("working_days", flat=True)
    )
    if approved + days > cap:
        left = max(cap - approved, 0)
        raise ValidationFailed(
            _("累计延期不得超过 %(cap)d 个%(unit)s：已批准 %(done)d 个%(unit)s，最多还可申请 %(left)d 个%(unit)s。")
            % {"cap": cap, "done": approved, "left": left, "unit": unit},
            field="working_days", code="extension_over_limit",
        )


def case_request_extension(
    case: Case, *, actor: Actor, working_days: int, reason: str, expected_version: int | None = None
) -> ExtensionRequest:
    """延期申请: the lead unit asks for more days (``working_days`` keeps its name but counts in
    the case's unit: natural days for a petition), with a reason."""
    reason = clean_text(reason, field="reason", max_length=EXTENSION_REASON_MAX, required=_("请说明延期理由。"))
    working_days = int(working_days)
    with transition(case, "request_extension", actor=actor, expected_version=expected_version) as step:
        if step.case.extensions.filter(status=ExtensionRequest.Decision.PENDING).exists():
            raise ConflictError(_("已有一个延期申请在审核中。"))
        _check_extension_days(step.case, working_days)
        request = ExtensionRequest.objects.create(
            case=step.case, requested_by=actor, working_days=working_days, reason=reason
        )
        step.changed.add("updated_at")
        record_event(step, note=reason, data={"working_days": working_days, "day_unit": step.case.day_unit,
                                              "extension": request.pk})
        notify.extension_requested(step.case, actor=actor, request=request,
                                   by_lead_head=step.standing.extension_by_lead_head)
    return request


def case_decide_extension(
    case: Case, *, actor: Actor, approve: bool, note: str = "", expected_version: int | None = None
) -> ExtensionRequest:
    """The approver — the dispatcher, or the lead unit's head (负责人) when the policy says so —
    approves (the solve deadline moves) or refuses; the reporter is told."""
    with transition(case, "decide_extension", actor=actor, expected_version=expected_version) as step:
        request = step.case.extensions.select_for_update().filter(status=ExtensionRequest.Decision.PENDING).first()
        if request is None:
            # Refused here, not only left out of the page: a stale page, the API or a script
            # may still ask.
            raise ConflictError(_("没有待审核的延期申请，无需审核。"), code="no_pending_extension")
        if not approve and not (note or "").strip():
            raise ValidationFailed(_("不批准时请说明理由。"), field="note")
        request.status = ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.REFUSED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_note = (note or "")[:500]
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            step.set(solve_days=step.case.solve_days + request.working_days)
            step.changed.update(clocks.set_clocks(step.case, clocks.policy_for(step.case.kind, step.case.urgency)))
        step.changed.add("updated_at")
        record_event(step, action="approve_extension" if approve else "refuse_extension", note=note,
               data={"working_days": request.working_days, "solve_due_at": step.case.solve_due_at})
        notify.extension_decided(step.case, actor=actor, request=request)
    return request


def case_suspend(case: Case, *, actor: Actor, reason: str, expected_version: int | None = None) -> Case:
    """挂起: the clocks stop while waiting on the reporter or a hearing."""
    reason = clean_text(reason, field="reason", max_length=SUSPEND_REASON_MAX, required=_("请说明挂起原因。"))
    with transition(case, "suspend", actor=actor, expected_version=expected_version) as step:
        step.set(suspended_at=timezone.now(), suspended_reason=reason[:255])
        record_event(step, note=reason)
        notify.case_suspended(step.case, actor=actor)
    return step.case


def case_resume(case: Case, *, actor: Actor, note: str = "", expected_version: int | None = None) -> Case:
    """The clocks run again; the days spent 挂起 (in the case's unit: working days, or natural
    days for a petition's 听证) are added to the time limit."""
    with transition(case, "resume", actor=actor, expected_version=expected_version) as step:
        assert step.case.suspended_at is not None
        paused = clocks.days_elapsed(step.case, step.case.suspended_at)
        step.set(suspended_at=None, suspended_reason="", solve_days=step.case.solve_days + paused)
        step.changed.update(clocks.set_clocks(step.case, clocks.policy_for(step.case.kind, step.case.urgency)))
        paused_data = (
            {"paused_days": paused, "day_unit": DayUnit.NATURAL.value}
            if step.case.day_unit == DayUnit.NATURAL else {"paused_working_days": paused}
        )
        record_event(step, note=note, data=paused_data)
        notify.case_resumed(step.case, actor=actor)
    return step.case


# --- doing the work ---------------------------------------------------------------------------------------


def case_complete_task(case: Case, *, actor: Actor, result: str, expected_version: int | None = None) -> CaseTask:
    """A co-unit finishes its sub-task (协办完成)."""
    result = clean_text(result, field="result", max_length=NOTE_MAX, required=_("请填写协办结果。"))
    with transition(case, "complete_task", actor=actor, expected_version=expected_version) as step:
        task = step.case.tasks.select_for_update().get(org_id=actor.organisation_id, status=CaseTask.TaskStatus.OPEN)
        task.status = CaseTask.TaskStatus.DONE
        task.done_at = timezone.now()
        task.done_by = actor
        task.result = result
        task.save(update_fields=["status", "done_at", "done_by", "result"])
        step.changed.add("updated_at")
        record_event(step, note=result, data={"task": task.pk, "org": task.org_id})
        notify.task_completed(step.case, actor=actor, task=task)
    return task


def case_resolve(
    case: Case, *, actor: Actor, resolution: str, attachments: Sequence[Any] = (), expected_version: int | None = None
) -> Case:
    """办结: the lead unit answers; not while a co-unit's sub-task is open. The evidence
    files come in the same call: all or nothing, a refused file leaves the case as it was
    and no file behind."""
    resolution = clean_text(resolution, field="resolution", max_length=RESOLUTION_MAX, required=_("请填写办理结果。"))
    stored: list[Path] = []
    try:
        with transition(case, "resolve", actor=actor, expected_version=expected_version) as step:
            open_tasks = list(step.case.tasks.filter(status=CaseTask.TaskStatus.OPEN).select_related("org"))
            if open_tasks:
                raise ValidationFailed(
                    _("协办单位尚未完成：%(orgs)s。协办全部完成后才能办结。")
                    % {"orgs": "、".join(t.org.name for t in open_tasks)}
                )
            step.set(status=Status.RESOLVED, resolved_at=timezone.now(), resolution=resolution)
            record_event(step, note=resolution)
            notify.case_resolved(step.case, actor=actor)
            for upload in attachments:
                try:
                    stored.append(attachment_add(step.case, file=upload, actor=actor).storage_path)
                except DomainError as exc:
                    raise ValidationFailed(
                        _("“%(name)s”未能上传：%(reason)s") % {"name": upload.name, "reason": exc.message},
                        field="attachments",
                    ) from exc
    except BaseException:
        for path in stored:  # rolled back with the case: the stored files go too
            path.unlink(missing_ok=True)
        raise
    return step.case


def _reopen(step: Step, now: dt.datetime) -> None:
    step.set(status=Status.ACCEPTED, resolved_at=None, closed_at=None, reopen_count=step.case.reopen_count + 1,
             revisit_due_at=None, revisit_asked_at=None, revisit_answered_at=None)
    policy = clocks.policy_for(step.case.kind, step.case.urgency)
    # Reopened: a fresh solve limit from now, in the policy's unit of today.
    step.set(solve_days=policy.solve_working_days, accept_days=0, day_unit=policy.day_unit, solve_started_at=None)
    step.changed.update(clocks.set_clocks(step.case, policy, start=now))


def escalation_target(case: Case) -> Organisation | None:
    """One level up from the lead unit: its parent, else its region's government, else the
    city government."""
    lead = case.lead_org
    if lead is None:
        return None
    if lead.parent_id:
        return lead.parent
    government = (
        Organisation.objects.filter(region=lead.region, kind=Organisation.Kind.GOVERNMENT, is_active=True)
        .exclude(pk=lead.pk)
        .first()
    )
    if government is not None:
        return government
    return Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT, region__kind="city").exclude(
        pk=lead.pk
    ).first()


def case_rate(
    case: Case, *, actor: Actor, satisfaction: str, comment: str = "", expected_version: int | None = None
) -> Case:
    """评价: the reporter confirms and rates. 不满意 reopens the case once; a second
    不满意 reopens it again and escalates it to 督办."""
    if satisfaction not in Satisfaction.values:
        raise ValidationFailed(_("请选择满意、基本满意或不满意。"), field="satisfaction")
    if satisfaction == Satisfaction.DISSATISFIED and not (comment or "").strip():
        raise ValidationFailed(_("不满意时请说明原因，以便重新办理。"), field="comment")
    with transition(case, "rate", actor=actor, expected_version=expected_version) as step:
        now = timezone.now()
        step.set(satisfaction=satisfaction, rating_comment=(comment or "")[:500])
        if satisfaction == Satisfaction.DISSATISFIED:
            step.set(dissatisfied_count=step.case.dissatisfied_count + 1)
            _reopen(step, now)
            escalate = step.case.dissatisfied_count >= 2
            if escalate:
                target = escalation_target(step.case)
                step.set(escalation_level=max(step.case.escalation_level, EscalationLevel.SUPERVISED),
                         supervised_at=now, escalated_to=target)
            record_event(step, note=comment, data={"satisfaction": satisfaction, "reopened": True, "escalated": escalate})
            notify.case_reopened(step.case, actor=actor, escalated=escalate)
        else:
            policy = clocks.policy_for(step.case.kind, step.case.urgency)
            step.set(status=Status.CLOSED, closed_at=now,
                     revisit_due_at=now + dt.timedelta(days=policy.revisit_after_days))
            record_event(step, note=comment, data={"satisfaction": satisfaction})
            notify.case_rated(step.case, actor=actor)
    return step.case


def _check_revisit_due(case: Case, now: dt.datetime) -> None:
    """回访 is asked N days after the rating (the time-limit policy's revisit delay); before
    then there is nothing to answer. Once the question went out it stays answerable."""
    if case.revisit_asked_at is not None:
        return
    due = case.revisit_due_at
    if due is None or due > now:
        policy = clocks.policy_for(case.kind, case.urgency)
        raise ConflictError(
            _("还没到回访时间：评价 %(n)d 天后回访，%(at)s 起可以回答。")
            % {"n": policy.revisit_after_days,
               "at": timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else "—"},
            code="revisit_not_due",
        )


def case_revisit(case: Case, *, actor: Actor, solved: bool, note: str = "", expected_version: int | None = None) -> Case:
    """回访: "is it really solved?" — "not solved" reopens the case."""
    if not solved and not (note or "").strip():
        raise ValidationFailed(_("请说明尚未解决的情况。"), field="note")
    with transition(case, "revisit", actor=actor, expected_version=expected_version) as step:
        now = timezone.now()
        _check_revisit_due(step.case, now)
        step.set(revisit_answered_at=now)
        if not solved:
            _reopen(step, now)
        record_event(step, note=note, data={"solved": solved})
        if not solved:
            notify.case_reopened(step.case, actor=actor, escalated=False)
    return step.case


# --- the reporter's side paths -----------------------------------------------------------------------------


def case_withdraw(case: Case, *, actor: Actor, reason: str = "", expected_version: int | None = None) -> Case:
    """撤回: the reporter withdraws before a unit accepted it."""
    with transition(case, "withdraw", actor=actor, expected_version=expected_version) as step:
        step.set(status=Status.WITHDRAWN)
        step.case.tasks.filter(status=CaseTask.TaskStatus.OPEN).update(status=CaseTask.TaskStatus.CANCELLED)
        record_event(step, note=reason)
        notify.case_withdrawn(step.case, actor=actor)
    return step.case


def case_urge(case: Case, *, actor: Actor, note: str = "", expected_version: int | None = None) -> Case:
    """催办 by the reporter: at most once per day."""
    with transition(case, "urge", actor=actor, expected_version=expected_version) as step:
        now = timezone.now()
        last = step.case.last_urged_at
        if last is not None and clocks.local_date(last) == clocks.local_date(now):
            raise ConflictError(_("今天已经催办过了，请明天再催。"), code="urged_today")
        step.set(last_urged_at=now)
        record_event(step, note=note)
        notify.case_urged(step.case, actor=actor)
    return step.case


def case_merge(case: Case, *, actor: Actor, into: Case, note: str = "", expected_version: int | None = None) -> Case:
    """并单: a duplicate is merged into another open case; all reporters are told."""
    if into.pk == case.pk:
        raise ValidationFailed(_("不能并入自身。"), field="into")
    with transition(case, "merge", actor=actor, expected_version=expected_version) as step:
        target = Case.objects.select_for_update().get(pk=into.pk)
        if target.status not in (Status.SUBMITTED, Status.ASSIGNED, Status.ACCEPTED, Status.RETURNED):
            raise ValidationFailed(_("只能并入尚未办结的事项。"), field="into")
        if not standing_of(actor, target).is_dispatcher:
            raise PermissionDeniedError(_("只能并入本单位受理的事项。"))
        step.set(status=Status.MERGED, merged_into=target)
        step.case.tasks.filter(status=CaseTask.TaskStatus.OPEN).update(status=CaseTask.TaskStatus.CANCELLED)
        record_event(step, note=note, data={"into": target.pk, "into_number": target.number})
        CaseEvent.objects.create(
            case=target, at=timezone.now(), actor=actor, actor_org=actor.organisation, action="merged_in",
            from_status=target.status, to_status=target.status, note=note,
            data={"from": step.case.pk, "from_number": step.case.number},
        )
        notify.case_merged(step.case, target, actor=actor)
    return step.case


def case_add_note(
    case: Case, *, actor: Actor, note: str, internal: bool = False, expected_version: int | None = None
) -> CaseEvent:
    """A remark on the timeline; staff may mark it internal (the reporter never sees it)."""
    note = clean_text(note, field="note", max_length=NOTE_MAX, required=_("请填写内容。"))
    with transition(case, "note", actor=actor, expected_version=expected_version) as step:
        if internal and step.standing.is_reporter_side and actor.role == Role.ENTERPRISE:
            internal = False
        event = record_event(step, note=note, internal=internal)
        if not internal:
            notify.note_added(step.case, actor=actor)
    return event


ACTIONS_WITH_FORMS = tuple(TRANSITIONS)
