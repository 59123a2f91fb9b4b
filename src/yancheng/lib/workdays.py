"""Working days (工作日) of the Chinese calendar (SPEC §2.2): pure counting, no models.

A day is a working day when it is a weekday that is not a statutory holiday, or a
weekend day that the State Council's annual notice (国务院办公厅关于某年部分节假日安排的
通知) declares an adjusted working day (调休上班). Where each year's holidays come from is
a *calendar source* (:class:`CalendarSource`): the ``chinesecalendar`` package
(:class:`PackageSource`, the default here) or the database table that administrators
import each year's notice into (``yancheng.core.calendar.source.DatabaseSource``, installed by
the core app).

A year that the source does not know is counted as weekends only; every result that
relied on such a year says so (``provisional=True`` and the years in ``unknown_years``),
and a warning goes to the ``yancheng.workdays`` logger. Nothing here raises for an
unknown year and nothing guesses a holiday.

Counting rules (Chinese administrative practice: 期限开始之日不计算在内):

* ``add_working_days(d, n)`` for ``n > 0`` is the n-th working day *after* ``d``; ``d``
  itself does not count, whether or not it is a working day.
* ``n < 0`` mirrors it exactly: the |n|-th working day *before* ``d`` (backward
  scheduling, 倒排工期). So ``add(add(d, -n), n) == d`` and ``add(add(d, n), -n) == d``
  whenever ``d`` is a working day, and ``add(add(d, n), m) == add(d, n + m)`` for
  ``n, m >= 1`` and for ``n, m <= -1`` from any day, and for ``n, m >= 0`` from a
  working day.
* ``n == 0`` is ``d`` itself when it is a working day, otherwise the next working day
  (a time limit of "0 working days" expires on the first working day, never on a rest
  day).
* ``working_days_between(a, b)`` is the inverse: the number of working days in
  ``(a, b]`` when ``b >= a``, and minus the number in ``[b, a)`` when ``b < a``; so
  ``add_working_days(a, working_days_between(a, b)) == b`` for every working day ``b``.
* ``deadline_after(start, n)`` is the end (24:00 Asia/Shanghai, i.e. 00:00 of the next
  day) of ``add_working_days(<start's date in Shanghai>, n)``.
* ``natural_deadline(start, n, roll=True)`` counts natural days (自然日, the 信访工作条例's
  "N日"): the end of ``<start's date> + n``, moved with ``roll`` to the first working day
  when that day is a rest day.

Speed: a year's working days are computed once per calendar and kept as a sorted array
of ordinals, so a count is a couple of binary searches per year crossed; the cache is
dropped when the source's ``generation()`` changes (the database source changes it when
the holiday table does).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

logger = logging.getLogger("yancheng.workdays")

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Years before 1 AD or after 9999 are not dates; a deadline that far is a bug upstream.
_MIN_YEAR, _MAX_YEAR = dt.MINYEAR, dt.MAXYEAR


@dataclass(frozen=True, slots=True)
class YearRules:
    """What one year's notice says, as far as counting goes.

    ``off_days``: dates that are not worked although the weekday rule says so or not
    (statutory holidays; weekend dates inside a holiday period may be listed too).
    ``on_days``: weekend dates that are worked (调休上班). ``names`` optionally maps a
    date to its holiday's name, for display. ``origin`` says where the rules came
    from (``"package"``, ``"table"``)."""

    year: int
    off_days: frozenset[dt.date]
    on_days: frozenset[dt.date]
    origin: str
    names: tuple[tuple[dt.date, str], ...] = ()


@runtime_checkable
class CalendarSource(Protocol):
    """Where the holiday rules of a year come from."""

    def rules_for(self, year: int) -> YearRules | None:
        """The year's rules, or ``None`` when the year is not known."""

    def generation(self) -> Hashable:
        """A value that changes whenever the rules may have changed (cache key)."""


class PackageSource:
    """The ``chinesecalendar`` package: the years the installed version knows (it stops
    at the last notice published before its release)."""

    origin = "package"

    def __init__(self) -> None:
        from chinese_calendar import constants

        by_year_off: dict[int, set[dt.date]] = {}
        by_year_on: dict[int, set[dt.date]] = {}
        names: dict[int, list[tuple[dt.date, str]]] = {}
        for day, holiday in constants.holidays.items():
            by_year_off.setdefault(day.year, set()).add(day)
            names.setdefault(day.year, []).append((day, str(holiday)))
        for day, holiday in constants.workdays.items():
            by_year_on.setdefault(day.year, set()).add(day)
            names.setdefault(day.year, []).append((day, str(holiday)))
        # The package covers a contiguous range and answers for every year in it.
        self.first_year = min(by_year_off)
        self.last_year = max(by_year_off)
        self._rules = {
            year: YearRules(
                year=year,
                off_days=frozenset(by_year_off.get(year, ())),
                on_days=frozenset(by_year_on.get(year, ())),
                origin=self.origin,
                names=tuple(sorted(names.get(year, []))),
            )
            for year in range(self.first_year, self.last_year + 1)
        }

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    def rules_for(self, year: int) -> YearRules | None:
        return self._rules.get(year)

    def generation(self) -> Hashable:
        return 0


@dataclass(frozen=True, slots=True)
class WorkdayResult:
    """A date found by counting working days; ``provisional`` when the count crossed a
    year with no holiday data (weekends only were counted there)."""

    date: dt.date
    provisional: bool
    unknown_years: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class WorkdayCount:
    days: int
    provisional: bool
    unknown_years: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Deadline:
    """The end of a time limit (working or natural days) as an aware datetime (Asia/Shanghai)."""

    at: dt.datetime
    date: dt.date
    provisional: bool
    unknown_years: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _YearTable:
    year: int
    known: bool
    origin: str
    working: tuple[int, ...]  # sorted ordinals of the year's working days
    working_set: frozenset[int]


def _weekend(day: dt.date) -> bool:
    return day.weekday() >= 5


class WorkdayCalendar:
    """Counts working days against one :class:`CalendarSource`, caching a year at a time."""

    def __init__(self, source: CalendarSource) -> None:
        self.source = source
        self._tables: dict[int, _YearTable] = {}
        self._generation: Hashable = object()
        self._lock = threading.Lock()

    # --- cache -----------------------------------------------------------------------

    def invalidate(self) -> None:
        """Forget every cached year (the holiday table changed)."""
        with self._lock:
            self._tables = {}

    def _check_generation(self) -> None:
        current = self.source.generation()
        if current != self._generation:
            with self._lock:
                self._tables = {}
                self._generation = current

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is None:
            table = self._build(year)
            self._tables[year] = table
        return table

    def _build(self, year: int) -> _YearTable:
        rules = self.source.rules_for(year)
        first = dt.date(year, 1, 1).toordinal()
        last = dt.date(year, 12, 31).toordinal()
        working: list[int] = []
        for ordinal in range(first, last + 1):
            day = dt.date.fromordinal(ordinal)
            if rules is None:
                works = not _weekend(day)
            elif day in rules.on_days:
                works = True
            elif day in rules.off_days:
                works = False
            else:
                works = not _weekend(day)
            if works:
                working.append(ordinal)
        return _YearTable(
            year=year,
            known=rules is not None,
            origin=rules.origin if rules is not None else "",
            working=tuple(working),
            working_set=frozenset(working),
        )

    def year_known(self, year: int) -> bool:
        self._check_generation()
        return self._table(year).known

    def year_origin(self, year: int) -> str:
        """``"package"``, ``"table"`` or ``""`` (no data: weekends only)."""
        self._check_generation()
        return self._table(year).origin

    # --- queries ---------------------------------------------------------------------

    def _unknown(self, years: Iterable[int], what: str) -> tuple[int, ...]:
        unknown = tuple(y for y in years if not self._table(y).known)
        if unknown:
            logger.warning(
                "No holiday data for %s: %s counted as weekends only and marked provisional. "
                "Import the State Council notice for that year (yancheng holidays import).",
                ", ".join(str(y) for y in unknown),
                what,
            )
        return unknown

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` is worked (a year without data: Monday to Friday)."""
        self._check_generation()
        table = self._table(day.year)
        if not table.known:
            self._unknown([day.year], f"is_working_day({day.isoformat()})")
        return day.toordinal() in table.working_set

    def add_working_days(self, start: dt.date, n: int) -> WorkdayResult:
        """The n-th working day after ``start`` (before it when ``n < 0``; see module doc)."""
        self._check_generation()
        if isinstance(start, dt.datetime):
            raise TypeError("add_working_days takes a date; use deadline_after for datetimes")
        if n == 0:
            # The first working day on or after start = 1st working day after the day before.
            found = self._step_forward(start.toordinal() - 1, 1)
            first_year = start.year
        elif n > 0:
            found = self._step_forward(start.toordinal(), n)
            first_year = dt.date.fromordinal(start.toordinal() + 1).year
        else:
            found = self._step_backward(start.toordinal(), -n)
            first_year = dt.date.fromordinal(start.toordinal() - 1).year
        result = dt.date.fromordinal(found)
        low, high = sorted((first_year, result.year))
        unknown = self._unknown(range(low, high + 1), f"add_working_days({start.isoformat()}, {n})")
        return WorkdayResult(date=result, provisional=bool(unknown), unknown_years=unknown)

    def _step_forward(self, after: int, n: int) -> int:
        """Ordinal of the n-th (n >= 1) working day strictly after ordinal ``after``."""
        year = dt.date.fromordinal(after).year
        table = self._table(year)
        index = bisect_right(table.working, after)
        while index + n > len(table.working):
            n -= len(table.working) - index
            year += 1
            if year > _MAX_YEAR:
                raise OverflowError("working-day count runs past the year 9999")
            table = self._table(year)
            index = 0
        return table.working[index + n - 1]

    def _step_backward(self, before: int, n: int) -> int:
        """Ordinal of the n-th (n >= 1) working day strictly before ordinal ``before``."""
        year = dt.date.fromordinal(before).year
        table = self._table(year)
        index = bisect_left(table.working, before)  # working days before: table.working[:index]
        while index - n < 0:
            n -= index
            year -= 1
            if year < _MIN_YEAR:
                raise OverflowError("working-day count runs before the year 1")
            table = self._table(year)
            index = len(table.working)
        return table.working[index - n]

    def _count(self, low: int, high: int) -> int:
        """Working days with ordinal in (low, high], low <= high."""
        total = 0
        first_year = dt.date.fromordinal(low).year
        last_year = dt.date.fromordinal(high).year
        for year in range(first_year, last_year + 1):
            working = self._table(year).working
            total += bisect_right(working, high) - bisect_right(working, low)
        return total

    def working_days_between(self, a: dt.date, b: dt.date) -> WorkdayCount:
        """Working days in ``(a, b]`` (negative: minus those in ``[b, a)`` when ``b < a``)."""
        self._check_generation()
        if b >= a:
            days = self._count(a.toordinal(), b.toordinal())
            span = (dt.date.fromordinal(a.toordinal() + 1).year, b.year) if b > a else (a.year, a.year - 1)
        else:
            days = -self._count(b.toordinal() - 1, a.toordinal() - 1)
            span = (b.year, dt.date.fromordinal(a.toordinal() - 1).year)
        unknown = self._unknown(range(span[0], span[1] + 1), f"working_days_between({a}, {b})")
        return WorkdayCount(days=days, provisional=bool(unknown), unknown_years=unknown)

    def deadline(self, start: dt.datetime, n: int) -> Deadline:
        """The end of the n-th working day after ``start``'s day, with its provisional flag."""
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("deadline_after needs an aware datetime")
        local_day = start.astimezone(SHANGHAI).date()
        found = self.add_working_days(local_day, n)
        at = dt.datetime.combine(found.date + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)
        return Deadline(
            at=at, date=found.date, provisional=found.provisional, unknown_years=found.unknown_years
        )

    def deadline_after(self, start: dt.datetime, n: int) -> dt.datetime:
        """The end (24:00 Asia/Shanghai) of the n-th working day after ``start``'s day."""
        return self.deadline(start, n).at

    def natural_deadline(self, start: dt.datetime, n: int, *, roll: bool = True) -> Deadline:
        """The end of a limit of ``n`` natural days (自然日) from ``start``.

        The day of the start is not counted (期间开始的当日不计算在内): the limit ends at
        24:00 Asia/Shanghai of ``start``'s day + ``n``. With ``roll``, a last day that is a
        rest day (a weekend not worked, or a holiday) moves to the first working day after
        it (期间届满的最后一日是节假日的，以节假日后的第一日为期间届满的日期); a weekend
        worked by 调休 is a working day and stays. Only the roll reads the calendar, so the
        result is provisional only when it rolled through a year without holiday data."""
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("natural_deadline needs an aware datetime")
        if n < 0:
            raise ValueError("a natural-day limit counts forward (n >= 0)")
        last = start.astimezone(SHANGHAI).date() + dt.timedelta(days=n)
        provisional = False
        unknown: tuple[int, ...] = ()
        if roll:
            found = self.add_working_days(last, 0)  # the day itself when worked, else the next
            last, provisional, unknown = found.date, found.provisional, found.unknown_years
        at = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)
        return Deadline(at=at, date=last, provisional=provisional, unknown_years=unknown)


# --- the process-wide calendar ---------------------------------------------------------

_calendar = WorkdayCalendar(PackageSource())


def get_calendar() -> WorkdayCalendar:
    """The calendar the module-level functions use (the core app installs the database one)."""
    return _calendar


def set_calendar(calendar: WorkdayCalendar) -> WorkdayCalendar:
    """Install ``calendar`` process-wide; returns the previous one (for tests)."""
    global _calendar
    previous, _calendar = _calendar, calendar
    return previous


def is_working_day(day: dt.date) -> bool:
    return _calendar.is_working_day(day)


def add_working_days(start: dt.date, n: int) -> WorkdayResult:
    return _calendar.add_working_days(start, n)


def working_days_between(a: dt.date, b: dt.date) -> WorkdayCount:
    return _calendar.working_days_between(a, b)


def deadline(start: dt.datetime, n: int) -> Deadline:
    return _calendar.deadline(start, n)


def deadline_after(start: dt.datetime, n: int) -> dt.datetime:
    return _calendar.deadline_after(start, n)


def natural_deadline(start: dt.datetime, n: int, *, roll: bool = True) -> Deadline:
    return _calendar.natural_deadline(start, n, roll=roll)
