"""Working-day clocks of a case: deadlines from the policy, the holiday calendar and the
case's own start and day counts (so they can always be recomputed exactly)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yancheng.core import calendar

from .models import Case, Light, SlaPolicy

SHANGHAI = dt.timezone(dt.timedelta(hours=8))

DEFAULT_POLICY = {"accept_working_days": 1, "solve_working_days": 5}
URGENT_DEFAULT = {"accept_working_days": 1, "solve_working_days": 2}


def policy_for(kind: str, urgency: str) -> SlaPolicy:
    """The configured policy, or the SPEC's defaults (1 to accept, 5 to solve, 2 urgent)."""
    policy = SlaPolicy.objects.filter(kind=kind, urgency=urgency).first()
    if policy is not None:
        return policy
    defaults = URGENT_DEFAULT if urgency == "urgent" else DEFAULT_POLICY
    return SlaPolicy(kind=kind, urgency=urgency, **defaults)


def _yellow_at(start: dt.datetime, due: dt.datetime, percent: int) -> dt.datetime:
    """The instant from which less than `percent` % of the allowed time remains."""
    return due - (due - start) * (percent / 100)


def set_clocks(case: Case, policy: SlaPolicy, *, start: dt.datetime | None = None) -> list[str]:
    """(Re)compute every deadline of `case` from clock_started_at + accept_days/solve_days.
    Returns the names of the fields it set."""
    if start is not None:
        case.clock_started_at = start
    begin = case.clock_started_at
    if begin is None:
        return []
    accept = calendar.deadline(begin, case.accept_days)
    solve = calendar.deadline(begin, case.solve_days)
    supervise = calendar.deadline(solve.at - dt.timedelta(microseconds=1), policy.supervise_after_working_days)
    report = calendar.deadline(supervise.at - dt.timedelta(microseconds=1), policy.report_after_working_days)
    case.accept_due_at = accept.at
    case.solve_due_at = solve.at
    case.accept_yellow_at = _yellow_at(begin, accept.at, policy.yellow_remaining_percent)
    case.solve_yellow_at = _yellow_at(begin, solve.at, policy.yellow_remaining_percent)
    case.supervise_at = supervise.at
    case.report_at = report.at
    case.deadlines_provisional = any(d.provisional for d in (accept, solve, supervise, report))
    return [
        "clock_started_at", "accept_due_at", "solve_due_at", "accept_yellow_at", "solve_yellow_at",
        "supervise_at", "report_at", "deadlines_provisional",
    ]


def working_days_elapsed(since: dt.datetime, until: dt.datetime | None = None) -> int:
    """Working days from `since` to `until` (the days a case spent 挂起)."""
    until = until or timezone.now()
    a = since.astimezone(SHANGHAI).date()
    b = until.astimezone(SHANGHAI).date()
    return max(calendar.working_days_between(a, b).days, 0)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def clock_light(
    due: dt.datetime | None, yellow_at: dt.datetime | None, done: dt.datetime | None, now: dt.datetime
) -> str:
    """The light of one clock: green / yellow / red while running, ontime / late once done."""
    if due is None:
        return Light.NONE
    if done is not None:
        return Light.ONTIME if done <= due else Light.LATE
    if now >= due:
        return Light.RED
    if yellow_at is not None and now >= yellow_at:
        return Light.YELLOW
    return Light.GREEN
