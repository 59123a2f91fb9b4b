import pytest

from yancheng.core.calendar import services as holiday_services
from yancheng.core.calendar import source as calendar_source
from yancheng.lib import workdays


@pytest.fixture
def package_calendar() -> workdays.WorkdayCalendar:
    """A calendar over the chinesecalendar package only (no database)."""
    return workdays.WorkdayCalendar(workdays.PackageSource())


@pytest.fixture
def db_calendar(db):
    """The database-backed calendar, re-reading the table on every call and emptied
    around the test (its transaction is rolled back, the process cache would not be)."""
    source = calendar_source.workday_calendar.source
    assert isinstance(source, calendar_source.DatabaseSource)
    saved = source.recheck_seconds
    source.recheck_seconds = 0
    calendar_source.invalidate_cache()
    previous = workdays.set_calendar(calendar_source.workday_calendar)
    yield calendar_source.workday_calendar
    workdays.set_calendar(previous)
    source.recheck_seconds = saved
    calendar_source.invalidate_cache()


@pytest.fixture
def recompute_calls():
    """A provisional-recompute callback registered for the test, recording its years."""
    calls: list[int] = []

    def callback(year: int) -> None:
        calls.append(year)

    holiday_services.register_provisional_recompute(callback)
    yield calls
    holiday_services.unregister_provisional_recompute(callback)
