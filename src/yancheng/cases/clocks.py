"""A case's clocks: deadlines from the policy, the holiday calendar and the case's own
start, day counts and day unit (so they can always be recomputed exactly).

The accept and solve limits count in the case's ``day_unit`` (working days, or natural days
for the 信访工作条例's "N日", rolled to a working day under the policy's
``roll_to_working_day``); the objection window, 督办 and 通报 always count working days."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yancheng.core import calendar
from yancheng.lib.workdays import Deadline

from .models import Case, DayUnit, Light, SlaPolicy

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


def unit_deadline(case: Case, policy: SlaPolicy, begin: dt.datetime, days: int) -> Deadline:
    """The end of `days` counted from `begin` in the case's unit."""
    if case.day_unit == DayUnit.NATURAL:
        return calendar.natural_deadline(begin, days, roll=policy.roll_to_working_day)
    return calendar.deadline(begin, days)


def unit_label(case: Case) -> str:
    """"工作日" or "自然日": the word for the case's days in messages."""
    return str(DayUnit(case.day_unit or DayUnit.WORKING).label)


def set_clocks(case: Case, policy: SlaPolicy, *, start: dt.datetime | None = None) -> list[str]:
    """(Re)compute every deadline of `case`: accept from clock_started_at + accept_days,
    solve from solve_started_at (when the policy counts it from the acceptance and the case
    was accepted) else clock_started_at, + solve_days, both in the case's day unit; 督办 and
    通报 in working days after the solve deadline. Returns the names of the fields it set."""
    if start is not None:
        case.clock_started_at = start
    begin = case.clock_started_at
    if begin is None:
        return []
    solve_begin = case.solve_started_at or begin
    accept = unit_deadline(case, policy, begin, case.accept_days)
    solve = unit_deadline(case, policy, solve_begin, case.solve_days)
    supervise = calendar.deadline(solve.at - dt.timedelta(microseconds=1), policy.supervise_after_working_days)
    report = calendar.deadline(supervise.at - dt.timedelta(microseconds=1), policy.report_after_working_days)
    case.accept_due_at = accept.at
    case.solve_due_at = solve.at
    case.accept_yellow_at = _yellow_at(begin, accept.at, policy.yellow_remaining_percent)
    case.solve_yellow_at = _yellow_at(solve_begin, solve.at, policy.yellow_remaining_percent)
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


def days_elapsed(case: Case, since: dt.datetime, until: dt.datetime | None = None) -> int:
    """Days from `since` to `until` in the case's unit (the days a case spent 挂起): the
    working days, or the natural days, after the day of `since` up to the day of `until`."""
    if case.day_unit == DayUnit.NATURAL:
        until = until or timezone.now()
        return max((local_date(until) - local_date(since)).days, 0)
    return working_days_elapsed(since, until)


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
