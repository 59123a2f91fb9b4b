"""延期 and 中止/恢复: the solve clock moves or stops."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.text import clean_text
from yancheng.core.typing import Actor

from .. import clocks, notify
from ..models import Case, DayUnit, ExtensionRequest
from ..steps import record_event, transition
from .common import EXTENSION_REASON_MAX, MAX_EXTENSION_DAYS, SUSPEND_REASON_MAX

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
