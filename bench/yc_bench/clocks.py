"""The product's case clocks (cases.clocks.set_clocks), computed the same way but with the
working-day deadlines memoised: a deadline depends only on the local start date and the
number of days, and a million cases share a few thousand of those. The smoke test checks
generated cases against the product's own ``set_clocks``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from yancheng.cases.clocks import _yellow_at  # the product's arithmetic, not a copy of it
from yancheng.core import calendar

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MICRO = dt.timedelta(microseconds=1)


class Clocks:
    def __init__(self) -> None:
        self._deadlines: dict[tuple[dt.date, int], Any] = {}
        self._working: dict[dt.date, bool] = {}

    def deadline(self, start: dt.datetime, days: int) -> Any:
        key = (start.astimezone(SHANGHAI).date(), days)
        found = self._deadlines.get(key)
        if found is None:
            found = self._deadlines[key] = calendar.deadline(start, days)
        return found

    def is_working_day(self, day: dt.date) -> bool:
        found = self._working.get(day)
        if found is None:
            found = self._working[day] = calendar.is_working_day(day)
        return found

    def working_days_between(self, a: dt.datetime, b: dt.datetime) -> int:
        """cases.clocks.working_days_elapsed: working days from a's local date to b's."""
        start, end = a.astimezone(SHANGHAI).date(), b.astimezone(SHANGHAI).date()
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def clocks(self, begin: dt.datetime, accept_days: int, solve_days: int, policy: Any) -> dict[str, Any]:
        """The fields set_clocks sets, for a clock started at ``begin``."""
        accept = self.deadline(begin, accept_days)
        solve = self.deadline(begin, solve_days)
        supervise = self.deadline(solve.at - MICRO, policy.supervise_after_working_days)
        report = self.deadline(supervise.at - MICRO, policy.report_after_working_days)
        percent = policy.yellow_remaining_percent
        return {
            "clock_started_at": begin,
            "accept_due_at": accept.at,
            "solve_due_at": solve.at,
            "accept_yellow_at": _yellow_at(begin, accept.at, percent),
            "solve_yellow_at": _yellow_at(begin, solve.at, percent),
            "supervise_at": supervise.at,
            "report_at": report.at,
            "deadlines_provisional": any(d.provisional for d in (accept, solve, supervise, report)),
        }
