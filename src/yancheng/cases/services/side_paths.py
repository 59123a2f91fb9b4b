"""The reporter's side paths: 撤回, 催办, 合并 and notes."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Role
from yancheng.core.typing import Actor

from .. import clocks, notify
from ..models import Case, CaseEvent, CaseTask, Status
from ..permissions import standing_of
from ..steps import record_event, transition
from .common import NOTE_MAX

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
