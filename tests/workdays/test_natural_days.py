"""Natural-day limits (自然日, the 信访工作条例's "N日"): the day of the start is not counted,
the limit ends at 24:00 Asia/Shanghai of start + N, and with ``roll`` a last day that is a
rest day moves to the first working day after it. 2026 in the installed calendar: 中秋
Fri 09-25..Sun 09-27 and 国庆 10-01..10-07 off; Sunday 09-20 and Saturday 10-10 worked."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yancheng.lib import workdays

from .helpers import PACKAGE_LAST_YEAR, UNKNOWN_YEAR

SH = workdays.SHANGHAI
_PACKAGE = workdays.WorkdayCalendar(workdays.PackageSource())  # for the property test (no fixture)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SH)


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=SH)


def test_fifteen_days_across_national_day_roll_to_the_first_working_day(package_calendar):
    # 09-20 + 15 = Mon 10-05, inside 国庆: 10-06 and 10-07 are off too, so Thursday 10-08.
    result = package_calendar.natural_deadline(at(dt.date(2026, 9, 20)), 15)
    assert result.date == dt.date(2026, 10, 8)
    assert result.at == end_of(dt.date(2026, 10, 8))
    assert not result.provisional


def test_without_roll_the_limit_ends_on_the_calendar_day(package_calendar):
    result = package_calendar.natural_deadline(at(dt.date(2026, 9, 20)), 15, roll=False)
    assert result.date == dt.date(2026, 10, 5)
    assert result.at == end_of(dt.date(2026, 10, 5))


def test_a_limit_ending_on_a_weekend_moves_to_monday(package_calendar):
    # Fri 03-06 + 15 = Sat 03-21 → Mon 03-23.
    assert package_calendar.natural_deadline(at(dt.date(2026, 3, 6)), 15).date == dt.date(2026, 3, 23)


def test_an_adjusted_working_saturday_is_a_working_day(package_calendar):
    # 09-25 + 15 = Sat 10-10, worked by 调休: the limit stays there.
    assert package_calendar.natural_deadline(at(dt.date(2026, 9, 25)), 15).date == dt.date(2026, 10, 10)


def test_the_start_day_is_not_counted_whatever_the_hour(package_calendar):
    early = package_calendar.natural_deadline(at(dt.date(2026, 3, 10), 0), 1)
    late = package_calendar.natural_deadline(
        dt.datetime(2026, 3, 10, 15, 59, tzinfo=dt.UTC), 1  # 23:59 in Shanghai
    )
    assert early.date == late.date == dt.date(2026, 3, 11)


def test_sixty_then_thirty_days_from_an_acceptance(package_calendar):
    accepted = at(dt.date(2026, 3, 10))
    # + 60 = Sat 05-09, an adjusted working day (劳动节 调休): it stays.
    assert package_calendar.natural_deadline(accepted, 60).date == dt.date(2026, 5, 9)
    # + 90 (60 and an extension of 30) = Mon 06-08.
    assert package_calendar.natural_deadline(accepted, 60 + 30).date == dt.date(2026, 6, 8)


def test_a_year_without_holiday_data_makes_a_rolled_limit_provisional(package_calendar):
    start = at(dt.date(UNKNOWN_YEAR, 3, 1))
    assert package_calendar.natural_deadline(start, 30).provisional
    # Without the roll the calendar is not read: nothing is provisional.
    assert not package_calendar.natural_deadline(start, 30, roll=False).provisional


def test_naive_datetimes_and_negative_counts_are_refused(package_calendar):
    with pytest.raises(ValueError):
        package_calendar.natural_deadline(dt.datetime(2026, 3, 10, 10), 5)
    with pytest.raises(ValueError):
        package_calendar.natural_deadline(at(dt.date(2026, 3, 10)), -1)


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(PACKAGE_LAST_YEAR, 10, 1)),
    n=st.integers(min_value=0, max_value=120),
    roll=st.booleans(),
)
def test_a_natural_deadline_is_never_early_and_never_on_a_rest_day_when_rolled(start, n, roll):
    calendar = _PACKAGE
    result = calendar.natural_deadline(at(start), n, roll=roll)
    assert result.date >= start + dt.timedelta(days=n)
    assert result.at == end_of(result.date)
    if roll:
        assert calendar.is_working_day(result.date)
        # The first working day on or after start + n: nothing in between is worked.
        day = start + dt.timedelta(days=n)
        while day < result.date:
            assert not calendar.is_working_day(day)
            day += dt.timedelta(days=1)
    else:
        assert result.date == start + dt.timedelta(days=n)

