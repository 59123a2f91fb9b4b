"""Doing the work: 协办 tasks, 办结, 评价 (with its escalation target) and 回访."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.attachments.services import attachment_add
from yancheng.core.errors import ConflictError, DomainError, ValidationFailed
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor

from .. import clocks, notify
from ..models import Case, CaseTask, EscalationLevel, Satisfaction, Status
from ..steps import Step, record_event, transition
from .common import NOTE_MAX, RESOLUTION_MAX

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
