"""The database-backed source of working days (holiday table first, then the
``chinesecalendar`` package) and the calendar API the domain apps call: working days,
deadlines, and what each year is known from."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Q

from yancheng.lib import workdays as lib

from ..models import HolidayDay, HolidayYear

HOLIDAY = HolidayDay.Kind.HOLIDAY.value
WORKDAY = HolidayDay.Kind.WORKDAY.value

# How often another process's change to the holiday table is noticed at the latest (a
# change made in this process is seen at once).
RECHECK_SECONDS = 60.0


# --- the database-backed calendar source ------------------------------------------------


class DatabaseSource:
    """Holiday table first, then the ``chinesecalendar`` package."""

    def __init__(
        self, package: lib.PackageSource | None = None, recheck_seconds: float = RECHECK_SECONDS
    ) -> None:
        self.package = package or lib.PackageSource()
        self.recheck_seconds = recheck_seconds
        self._stamp: Hashable = None
        self._checked_at = -float("inf")
        self._lock = threading.Lock()

    def rules_for(self, year: int) -> lib.YearRules | None:
        holiday_year = HolidayYear.objects.filter(year=year).first()
        if holiday_year is None:
            return self.package.rules_for(year)
        off: set[dt.date] = set()
        on: set[dt.date] = set()
        names: list[tuple[dt.date, str]] = []
        for day, kind, name in HolidayDay.objects.filter(year=holiday_year).values_list(
            "date", "kind", "name"
        ):
            (on if kind == WORKDAY else off).add(day)
            names.append((day, name))
        return lib.YearRules(
            year=year,
            off_days=frozenset(off),
            on_days=frozenset(on),
            origin="table",
            names=tuple(sorted(names)),
        )

    def _read_stamp(self) -> Hashable:
        row = HolidayYear.objects.aggregate(n=Count("id"), last=Max("imported_at"), top=Max("id"))
        return (row["n"], row["last"], row["top"])

    def generation(self) -> Hashable:
        now = time.monotonic()
        if now - self._checked_at >= self.recheck_seconds:
            with self._lock:
                self._stamp = self._read_stamp()
                self._checked_at = now
        return self._stamp

    def refresh(self) -> None:
        """Re-read the table's stamp now (after a change committed in this process)."""
        self._checked_at = -float("inf")


workday_calendar = lib.WorkdayCalendar(DatabaseSource())


def install() -> None:
    """Make the database-backed calendar the one :mod:`yancheng.lib.workdays`'s
    module-level functions use (called from the core app's ``ready()``)."""
    lib.set_calendar(workday_calendar)


def invalidate_cache() -> None:
    source = workday_calendar.source
    if isinstance(source, DatabaseSource):
        source.refresh()
    workday_calendar.invalidate()


# The calendar API with the database as source, for the case engine and the domain apps.
def is_working_day(day: dt.date) -> bool:
    return workday_calendar.is_working_day(day)


def add_working_days(start: dt.date, n: int) -> lib.WorkdayResult:
    return workday_calendar.add_working_days(start, n)


def working_days_between(a: dt.date, b: dt.date) -> lib.WorkdayCount:
    return workday_calendar.working_days_between(a, b)


def deadline(start: dt.datetime, n: int) -> lib.Deadline:
    return workday_calendar.deadline(start, n)


def deadline_after(start: dt.datetime, n: int) -> dt.datetime:
    return workday_calendar.deadline_after(start, n)


def natural_deadline(start: dt.datetime, n: int, *, roll: bool = True) -> lib.Deadline:
    """The end of ``n`` natural days after ``start``'s day (rolled to a working day when
    ``roll`` and it is a rest day); same return type as :func:`deadline`."""
    return workday_calendar.natural_deadline(start, n, roll=roll)


# --- what each year is known from (the holidays page) -----------------------------------


@dataclass(frozen=True)
class YearStatus:
    year: int
    origin: str  # "table", "package" or "" (no data)
    holidays: int
    workdays: int
    notice: str = ""
    imported_at: dt.datetime | None = None
    imported_by: str = ""


def year_statuses(years: Iterable[int]) -> list[YearStatus]:
    """Where each of ``years`` comes from, with its counts of holidays/adjusted workdays."""
    wanted = sorted(set(years))
    table = {
        hy.year: hy
        for hy in HolidayYear.objects.filter(year__in=wanted)
        .select_related("imported_by")
        .annotate(
            n_holidays=Count("days", filter=Q(days__kind=HOLIDAY)),
            n_workdays=Count("days", filter=Q(days__kind=WORKDAY)),
        )
    }
    package = workday_calendar.source.package if isinstance(workday_calendar.source, DatabaseSource) else None
    result = []
    for year in wanted:
        hy = table.get(year)
        if hy is not None:
            result.append(
                YearStatus(
                    year=year,
                    origin="table",
                    holidays=hy.n_holidays,
                    workdays=hy.n_workdays,
                    notice=hy.notice,
                    imported_at=hy.imported_at,
                    imported_by=str(hy.imported_by or ""),
                )
            )
            continue
        rules = package.rules_for(year) if package is not None else None
        if rules is not None:
            result.append(
                YearStatus(
                    year=year, origin="package", holidays=len(rules.off_days), workdays=len(rules.on_days)
                )
            )
        else:
            result.append(YearStatus(year=year, origin="", holidays=0, workdays=0))
    return result


def table_years() -> list[int]:
    return list(HolidayYear.objects.order_by("year").values_list("year", flat=True))


def package_years() -> range:
    source = workday_calendar.source
    return source.package.years if isinstance(source, DatabaseSource) else range(0)


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chinesecalendar")
    except PackageNotFoundError:  # pragma: no cover
        return ""


def year_days(year: int) -> list[tuple[dt.date, str, str]]:
    """The year's listed dates as (date, kind, name), from wherever the year comes from."""
    rules = workday_calendar.source.rules_for(year)
    if rules is None:
        return []
    names = dict(rules.names)
    days = [(d, HOLIDAY, names.get(d, "")) for d in rules.off_days]
    days += [(d, WORKDAY, names.get(d, "")) for d in rules.on_days]
    return sorted(days)
