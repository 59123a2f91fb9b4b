"""A meeting's decision becomes a case (调度会议交办事项): one step for every meeting that
decides — the projects' 周调度 and the chains' 链长 meetings.

The case is submitted to the meeting's organiser (so the organiser confirms it at the end)
and at once assigned to the decision's lead unit with its deadline in working days. The
caller checked that the actor may close its meeting and runs this inside its transaction:
a refusal here rolls the whole closing back."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor

from ..models import Case, CaseKind
from .dispatch import case_assign
from .submit import case_submit

TITLE_CUT = 60


def decision_title(text: str) -> str:
    """The case's title: the decision's first line, cut at 60 characters."""
    first = (text.strip().splitlines() or [""])[0]
    return first if len(first) <= TITLE_CUT else first[:TITLE_CUT - 1] + "…"


def meeting_task_issue(
    *,
    actor: Actor | None,
    organiser: Organisation,
    meeting_title: str,
    held_on_label: str,
    text: str,
    lead_org: Organisation,
    due_working_days: int,
    note: str,
    subject: str = "",
    subject_ref: str = "",
) -> Case:
    """Issue one decision as an assigned case. ``actor`` submits and assigns it and must be
    the organiser's dispatcher (a 周调度's dispatcher, a 链办 for its 链长 meeting).
    ``actor=None`` issues it on the organiser's behalf (the caller checked its own
    permission: a 链长 closing the meeting their office organised)."""
    description = _("%(m)s（%(d)s）议定：%(t)s") % {"m": meeting_title, "d": held_on_label, "t": text}
    case = case_submit(
        actor=actor,
        title=decision_title(text),
        description=description,
        kind=CaseKind.MEETING_TASK,
        subject=subject,
        subject_ref=subject_ref,
        enterprise=None,
        dispatch_org=organiser,
        reporter_org=organiser if actor is None else None,
    )
    return case_assign(case, actor=actor, lead_org=lead_org, solve_days=due_working_days, note=note,
                       system=actor is None)


def meeting_close_issuing(
    locked: Any,
    pending: Iterable[Any],
    *,
    actor: Actor | None,
    issuer: Actor | None,
    note: str,
    subject_of: Callable[[Any], tuple[str, str]],
    audit_action: str,
) -> list[Case]:
    """Close a meeting the caller holds locked (``select_for_update``, inside its transaction):
    each pending decision (``text``, ``lead_org``, ``due_working_days``, ``case_id`` unset) is
    issued by ``issuer`` through ``meeting_task_issue`` and remembers its case; the meeting is
    marked closed and the closing audited as ``audit_action`` by ``actor``. Closing again
    issues nothing and writes nothing. ``subject_of(decision)`` gives the case's subject and
    ``subject_ref``."""
    created: list[Case] = []
    for decision in pending:
        subject, subject_ref = subject_of(decision)
        case = meeting_task_issue(
            actor=issuer, organiser=locked.organiser, meeting_title=locked.title,
            held_on_label=locked.held_on.isoformat(), text=decision.text, lead_org=decision.lead_org,
            due_working_days=decision.due_working_days, note=note, subject=subject, subject_ref=subject_ref,
        )
        decision.case_id = case.pk
        decision.save(update_fields=["case_id"])
        created.append(case)
    if not locked.is_closed or created:
        was_closed = locked.is_closed
        locked.is_closed = True
        locked.save(update_fields=["is_closed"])
        audit_record(audit_action, locked, actor=actor, before={"is_closed": was_closed},
                     after={"is_closed": True, "cases": [c.pk for c in created]})
    return created
