"""The case state machine (SPEC §2.3): which action moves a case from which status, and
who may press which button. Pure functions over plain attributes — testable without a
database and used by the templates to show only the buttons a user may press."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import CLOCK_STATUSES, OPEN_STATUSES, Status

S = Status


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str | None  # None: the status does not change (a side action)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("withdraw", (S.SUBMITTED, S.ASSIGNED, S.RETURNED), S.WITHDRAWN),
        Transition("assign", (S.SUBMITTED,), S.ASSIGNED),
        Transition("accept", (S.ASSIGNED,), S.ACCEPTED),
        Transition("return", (S.ASSIGNED,), S.RETURNED),
        Transition("reassign", (S.ASSIGNED, S.RETURNED, S.ACCEPTED), S.ASSIGNED),
        Transition("insist", (S.RETURNED,), S.ASSIGNED),
        Transition("request_extension", (S.ASSIGNED, S.ACCEPTED), None),
        Transition("decide_extension", (S.ASSIGNED, S.ACCEPTED), None),
        Transition("suspend", (S.ACCEPTED,), None),
        Transition("resume", (S.ACCEPTED,), None),
        Transition("complete_task", (S.ASSIGNED, S.ACCEPTED), None),
        Transition("resolve", (S.ACCEPTED,), S.RESOLVED),
        Transition("rate", (S.RESOLVED,), S.CLOSED),
        Transition("urge", (S.SUBMITTED, S.ASSIGNED, S.RETURNED, S.ACCEPTED), None),
        Transition("merge", (S.SUBMITTED, S.ASSIGNED, S.RETURNED), S.MERGED),
        Transition("revisit", (S.CLOSED,), None),
        Transition("note", (*OPEN_STATUSES, S.RESOLVED, S.CLOSED), None),
    ]
}


def can_transition(status: str, action: str) -> bool:
    transition = TRANSITIONS.get(action)
    return transition is not None and status in transition.sources


# --- who: facts about the user and the case, computed once by the caller ---------------------------


@dataclass(frozen=True)
class Standing:
    """What the user is to this case."""

    is_reporter_side: bool = False  # the reporter, or a colleague in the reporting enterprise
    is_dispatcher: bool = False  # a dispatcher of the receiving unit (or above it)
    is_lead_handler: bool = False  # a handler of the lead unit
    is_co_handler: bool = False  # a handler of a co-unit with an open sub-task
    is_overseer: bool = False  # leader/supervisor who may read and add notes
    is_lead_head: bool = False  # a leader (负责人) of the lead unit
    # Who decides extensions on this case, from its policy: the dispatcher, or the lead
    # unit's head (ExtensionApprover.LEAD_HEAD: 信访, 条例 第三十四条).
    extension_by_lead_head: bool = False


def _always(case: Any) -> bool:
    return True


GUARDS: dict[str, Callable[[Standing], bool]] = {
    "withdraw": lambda s: s.is_reporter_side,
    "assign": lambda s: s.is_dispatcher,
    "accept": lambda s: s.is_lead_handler,
    "return": lambda s: s.is_lead_handler,
    "reassign": lambda s: s.is_dispatcher,
    "insist": lambda s: s.is_dispatcher,
    "request_extension": lambda s: s.is_lead_handler,
    "decide_extension": lambda s: s.is_lead_head if s.extension_by_lead_head else s.is_dispatcher,
    "suspend": lambda s: s.is_lead_handler or s.is_dispatcher,
    "resume": lambda s: s.is_lead_handler or s.is_dispatcher,
    "complete_task": lambda s: s.is_co_handler,
    "resolve": lambda s: s.is_lead_handler,
    "rate": lambda s: s.is_reporter_side,
    "urge": lambda s: s.is_reporter_side,
    "merge": lambda s: s.is_dispatcher,
    "revisit": lambda s: s.is_reporter_side,
    "note": lambda s: (
        s.is_reporter_side or s.is_dispatcher or s.is_lead_handler or s.is_co_handler or s.is_overseer
        or s.is_lead_head
    ),
}

# Extra conditions on the case beyond its status.
CONDITIONS: dict[str, Callable[[Any], bool]] = {
    "withdraw": lambda c: c.accepted_at is None,  # 撤回 only before a unit accepted it
    "suspend": lambda c: c.suspended_at is None,
    "resume": lambda c: c.suspended_at is not None,
    "resolve": lambda c: c.suspended_at is None,
    "revisit": lambda c: c.revisit_due_at is not None and c.revisit_answered_at is None,
}


def allowed(case: Any, action: str, standing: Standing) -> bool:
    """May a user with `standing` press `action` on `case` now?"""
    if not can_transition(case.status, action):
        return False
    if not GUARDS[action](standing):
        return False
    return CONDITIONS.get(action, _always)(case)


def allowed_actions(case: Any, standing: Standing) -> list[str]:
    return [action for action in TRANSITIONS if allowed(case, action, standing)]


def clocks_running(status: str) -> bool:
    return status in CLOCK_STATUSES
