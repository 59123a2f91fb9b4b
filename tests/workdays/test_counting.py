"""Counting working days over the chinesecalendar package (no database)."""

import datetime as dt
import logging
from collections.abc import Hashable
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from chinese_calendar import constants
from hypothesis import given, settings
from hypothesis import strategies as st

from yancheng.lib import workdays
from yancheng.lib.workdays import WorkdayCalendar, YearRules

from .helpers import PACKAGE_LAST_YEAR, UNKNOWN_YEAR

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date

# The State Council's 2026 arrangement (国办发明电〔2025〕7号), as the package has it.
NATIONAL_DAY_2026_OFF = [D(2026, 10, d) for d in range(1, 8)]
NATIONAL_DAY_2026_ON = [D(2026, 9, 20), D(2026, 10, 10)]  # Sunday, Saturday
SPRING_FESTIVAL_2026_OFF = [D(2026, 2, d) for d in range(15, 24)]
SPRING_FESTIVAL_2026_ON = [D(2026, 2, 14), D(2026, 2, 28)]  # Saturdays
WORKDAYS_2026 = [
    D(2026, 1, 4),
    D(2026, 2, 14),
    D(2026, 2, 28),
    D(2026, 5, 9),
    D(2026, 9, 20),
    D(2026, 10, 10),
]

CAL = WorkdayCalendar(workdays.PackageSource())


def test_the_installed_package_knows_2026_but_not_the_unknown_year():
    assert PACKAGE_LAST_YEAR >= 2026
    assert CAL.year_origin(2026) == "package"
    assert CAL.year_origin(UNKNOWN_YEAR) == ""
    assert not CAL.year_known(UNKNOWN_YEAR)


def test_it_agrees_with_the_package_on_every_day_it_knows():
    day = D(2004, 1, 1)
    while day.year <= PACKAGE_LAST_YEAR:
        assert CAL.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_the_hard_coded_2026_arrangement_matches_the_package():
    for day in NATIONAL_DAY_2026_OFF + SPRING_FESTIVAL_2026_OFF:
        assert day in constants.holidays, day
    assert sorted(d for d in constants.workdays if d.year == 2026) == WORKDAYS_2026
    assert {d for d in constants.holidays if d.month == 10 and d.year == 2026} == set(NATIONAL_DAY_2026_OFF)


def test_it_skips_national_day_2026():
    for day in NATIONAL_DAY_2026_OFF:
        assert not CAL.is_working_day(day)
    for day in NATIONAL_DAY_2026_ON:
        assert day.weekday() >= 5
        assert CAL.is_working_day(day)
    assert CAL.is_working_day(D(2026, 10, 8))
    # The 1st working day after 30 September is 8 October; then the adjusted Saturday.
    assert CAL.add_working_days(D(2026, 9, 30), 1) == workdays.WorkdayResult(D(2026, 10, 8), False, ())
    assert CAL.add_working_days(D(2026, 9, 30), 2).date == D(2026, 10, 9)
    assert CAL.add_working_days(D(2026, 9, 30), 3).date == D(2026, 10, 10)
    assert CAL.add_working_days(D(2026, 9, 30), 4).date == D(2026, 10, 12)
    # The Sunday before counts as a working day: Friday 18 September + 1 = Sunday 20.
    assert CAL.add_working_days(D(2026, 9, 18), 1).date == D(2026, 9, 20)


def test_it_skips_the_spring_festival_2026():
    for day in SPRING_FESTIVAL_2026_OFF:
        assert not CAL.is_working_day(day)
    for day in SPRING_FESTIVAL_2026_ON:
        assert CAL.is_working_day(day)
    assert CAL.add_working_days(D(2026, 2, 13), 1).date == D(2026, 2, 14)
    assert CAL.add_working_days(D(2026, 2, 14), 1).date == D(2026, 2, 24)
    assert CAL.working_days_between(D(2026, 2, 13), D(2026, 2, 28)).days == 6  # 14, 24–27, 28


def test_zero_days_is_the_start_day_or_the_next_working_day():
    assert CAL.add_working_days(D(2026, 9, 30), 0).date == D(2026, 9, 30)
    assert CAL.add_working_days(D(2026, 10, 1), 0).date == D(2026, 10, 8)
    assert CAL.add_working_days(D(2026, 10, 10), 0).date == D(2026, 10, 10)  # adjusted Saturday


def test_negative_days_count_backwards_excluding_the_start_day():
    assert CAL.add_working_days(D(2026, 10, 8), -1).date == D(2026, 9, 30)
    assert CAL.add_working_days(D(2026, 10, 12), -1).date == D(2026, 10, 10)
    assert CAL.add_working_days(D(2026, 2, 24), -1).date == D(2026, 2, 14)
    assert CAL.working_days_between(D(2026, 10, 8), D(2026, 9, 30)).days == -1


def test_the_deadline_is_the_end_of_the_nth_working_day_in_shanghai():
    start = dt.datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI)
    assert CAL.deadline_after(start, 1) == dt.datetime(2026, 10, 9, 0, 0, tzinfo=SHANGHAI)
    assert CAL.deadline_after(start, 0) == dt.datetime(2026, 10, 1, 0, 0, tzinfo=SHANGHAI)
    assert CAL.deadline_after(start, -1) == dt.datetime(2026, 9, 30, 0, 0, tzinfo=SHANGHAI)


def test_the_start_day_is_the_day_in_shanghai_not_in_utc():
    # 17:00 UTC on 29 September is 01:00 on 30 September in Shanghai.
    start = dt.datetime(2026, 9, 29, 17, 0, tzinfo=dt.UTC)
    assert CAL.deadline_after(start, 1) == dt.datetime(2026, 10, 9, 0, 0, tzinfo=SHANGHAI)


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError):
        CAL.deadline_after(dt.datetime(2026, 9, 30, 15, 0), 1)


def test_counting_into_an_unknown_year_is_provisional_and_warns(caplog):
    start = D(PACKAGE_LAST_YEAR, 12, 31)
    with caplog.at_level(logging.WARNING, logger="yancheng.workdays"):
        result = CAL.add_working_days(start, 10)
    assert result.provisional
    assert result.unknown_years == (UNKNOWN_YEAR,)
    assert result.date.year == UNKNOWN_YEAR
    assert result.date.weekday() < 5  # weekends only were skipped
    assert [r.name for r in caplog.records] == ["yancheng.workdays"]
    assert str(UNKNOWN_YEAR) in caplog.records[0].getMessage()


def test_counting_inside_a_known_year_is_exact_and_quiet(caplog):
    with caplog.at_level(logging.WARNING, logger="yancheng.workdays"):
        result = CAL.add_working_days(D(2026, 3, 2), 10)
        deadline = CAL.deadline(dt.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI), 10)
    assert not result.provisional and not deadline.provisional
    assert caplog.records == []


def test_the_year_of_the_start_day_does_not_make_a_count_provisional():
    # Only the days between the start (excluded) and the result (included) matter.
    assert CAL.add_working_days(D(UNKNOWN_YEAR, 1, 5), -3).unknown_years == (UNKNOWN_YEAR,)
    assert not CAL.add_working_days(D(UNKNOWN_YEAR, 1, 1), -1).provisional


class _SwitchableSource:
    """A source whose one holiday can be moved, to check the cache notices."""

    def __init__(self) -> None:
        self.holiday = D(2030, 3, 4)
        self.version = 0
        self.calls = 0

    def rules_for(self, year: int) -> YearRules | None:
        self.calls += 1
        return YearRules(year=year, off_days=frozenset({self.holiday}), on_days=frozenset(), origin="table")

    def generation(self) -> Hashable:
        return self.version


def test_the_cache_is_dropped_when_the_source_changes():
    source = _SwitchableSource()
    cal = WorkdayCalendar(source)
    assert not cal.is_working_day(D(2030, 3, 4))
    assert cal.is_working_day(D(2030, 3, 5))
    assert source.calls == 1  # the year was built once
    source.holiday, source.version = D(2030, 3, 5), 1
    assert cal.is_working_day(D(2030, 3, 4))
    assert not cal.is_working_day(D(2030, 3, 5))
    assert source.calls == 2


def test_many_deadlines_each_end_a_working_day_after_their_start():
    """20,000 deadlines across years of holidays: each ends at 24:00 of a working day, after
    its start's day, with exactly n working days counted. (How fast they are is measured in
    bench/, never asserted here.)"""
    cal = WorkdayCalendar(workdays.PackageSource())
    start = dt.datetime(2025, 1, 1, 9, tzinfo=SHANGHAI)
    for i in range(20_000):
        begins = start + dt.timedelta(hours=7 * i)
        n = (i % 40) + 1
        ends = cal.deadline_after(begins, n)
        last_day = (ends - dt.timedelta(seconds=1)).astimezone(SHANGHAI).date()
        assert ends.astimezone(SHANGHAI).time() == dt.time(0, 0)
        assert cal.is_working_day(last_day), (begins, n, ends)
        assert cal.working_days_between(begins.astimezone(SHANGHAI).date(), last_day).days == n, (begins, n, ends)


def test_module_functions_use_the_installed_calendar():
    previous = workdays.set_calendar(CAL)
    try:
        assert workdays.add_working_days(D(2026, 9, 30), 1).date == D(2026, 10, 8)
        assert not workdays.is_working_day(D(2026, 10, 1))
        assert workdays.working_days_between(D(2026, 9, 30), D(2026, 10, 8)).days == 1
        assert workdays.deadline_after(dt.datetime(2026, 9, 30, tzinfo=SHANGHAI), 1).day == 9
    finally:
        workdays.set_calendar(previous)


# --- properties ------------------------------------------------------------------------

dates = st.dates(min_value=D(2004, 1, 1), max_value=D(UNKNOWN_YEAR + 1, 12, 31))
counts = st.integers(min_value=0, max_value=400)


@settings(max_examples=300, deadline=None)
@given(start=dates, n=st.integers(min_value=-400, max_value=400))
def test_a_result_never_lands_on_an_off_day(start, n):
    result = CAL.add_working_days(start, n).date
    assert CAL.is_working_day(result)
    if CAL.year_known(result.year):
        assert chinese_calendar.is_workday(result)
        # An off weekday is never chosen, a weekend only when it is an adjusted working day.
        assert result not in constants.holidays
        assert result.weekday() < 5 or result in constants.workdays


@settings(max_examples=300, deadline=None)
@given(start=dates, n=counts, m=counts)
def test_adding_n_then_m_equals_adding_n_plus_m(start, n, m):
    # From a working day (the start of every real time limit is normalised to one by
    # add(·, 0)); from a rest day add(·, 0) moves forward, see the next property.
    day = CAL.add_working_days(start, 0).date
    assert (
        CAL.add_working_days(CAL.add_working_days(day, n).date, m).date
        == CAL.add_working_days(day, n + m).date
    )


@settings(max_examples=300, deadline=None)
@given(start=dates, n=st.integers(min_value=1, max_value=400), m=st.integers(min_value=1, max_value=400))
def test_adding_positive_counts_composes_exactly(start, n, m):
    assert (
        CAL.add_working_days(CAL.add_working_days(start, n).date, m).date
        == CAL.add_working_days(start, n + m).date
    )
    assert (
        CAL.add_working_days(CAL.add_working_days(start, -n).date, -m).date
        == CAL.add_working_days(start, -(n + m)).date
    )


@settings(max_examples=300, deadline=None)
@given(start=dates, n=st.integers(min_value=-400, max_value=400))
def test_backward_then_forward_round_trips_from_a_working_day(start, n):
    day = CAL.add_working_days(start, 0).date  # a working day
    assert CAL.add_working_days(CAL.add_working_days(day, -n).date, n).date == day
    assert CAL.add_working_days(CAL.add_working_days(day, n).date, -n).date == day


@settings(max_examples=300, deadline=None)
@given(a=dates, b=dates)
def test_counting_between_is_the_inverse_of_adding(a, b):
    target = CAL.add_working_days(b, 0).date
    count = CAL.working_days_between(a, target).days
    assert CAL.add_working_days(a, count).date == target
    start = CAL.add_working_days(a, 0).date
    assert CAL.working_days_between(start, target).days == -CAL.working_days_between(target, start).days
