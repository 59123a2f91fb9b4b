import pytest

from yancheng.lib import workdays


@pytest.fixture(autouse=True)
def _calendar_without_a_database(request):
    """Tests without database access (pure scheduling and lights) count working days over
    the chinesecalendar package alone: the database-backed calendar re-reads the holiday
    table every few seconds, which such a test may not do (and on a slow run it would)."""
    if {"db", "transactional_db", "django_db_setup"} & set(request.fixturenames) or request.node.get_closest_marker(
        "django_db"
    ):
        yield
        return
    previous = workdays.set_calendar(workdays.WorkdayCalendar(workdays.PackageSource()))
    yield
    workdays.set_calendar(previous)
