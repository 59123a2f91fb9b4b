"""The holiday table: importing a year's notice, its validation, audit and permissions."""

import datetime as dt
import logging

import pytest
from django.core.management import CommandError, call_command

from yancheng.core.audit.models import AuditEvent
from yancheng.core.calendar import parsers as holiday_parsers
from yancheng.core.calendar import services as holiday_services
from yancheng.core.calendar import source as calendar_source
from yancheng.core.errors import PermissionDeniedError
from yancheng.core.models import HolidayDay, HolidayYear
from yancheng.lib import workdays

from .helpers import UNKNOWN_YEAR, csv_for_unknown_year

D = dt.date
Y = UNKNOWN_YEAR

pytestmark = pytest.mark.usefixtures("db_calendar")


def _import(text: str, actor, *, filename: str = "notice.csv", **kwargs):
    notice = holiday_parsers.parse_holiday_file(text, filename=filename)
    return holiday_services.holiday_year_import(notice=notice, actor=actor, **kwargs)


def _holiday_audit_events():
    return AuditEvent.objects.filter(action__startswith="holiday_")


def test_after_importing_an_unknown_year_the_same_count_is_exact_and_different(
    world, caplog, django_capture_on_commit_callbacks, recompute_calls
):
    start = D(Y, 2, 6)
    with caplog.at_level(logging.WARNING, logger="yancheng.workdays"):
        before = workdays.add_working_days(start, 5)
    assert before.provisional and before.unknown_years == (Y,)
    assert any(str(Y) in r.getMessage() for r in caplog.records)

    with django_capture_on_commit_callbacks(execute=True):
        report = _import(csv_for_unknown_year(), world.system_admin)
    assert report.year == Y and report.previous_origin == ""
    assert recompute_calls == [Y]

    after = workdays.add_working_days(start, 5)
    assert not after.provisional and after.unknown_years == ()
    assert after.date > before.date  # the Spring Festival week is now off
    assert not workdays.is_working_day(D(Y, 2, 10))
    assert calendar_source.workday_calendar.year_origin(Y) == "table"


def test_the_adjusted_saturday_of_an_imported_year_is_a_working_day(world):
    _import(csv_for_unknown_year(), world.system_admin)
    saturday = HolidayDay.objects.get(kind="workday").date
    assert saturday.weekday() == 5
    assert calendar_source.is_working_day(saturday)
    assert calendar_source.add_working_days(saturday - dt.timedelta(days=1), 1).date == saturday


def test_a_year_in_the_table_overrides_the_package(world):
    assert not calendar_source.is_working_day(D(2026, 10, 5))
    text = "# year: 2026\n# notice: 测试通知\n2026-10-01,holiday,国庆节\n2026-10-10,workday,国庆节\n"
    report = _import(text, world.system_admin)
    assert report.previous_origin == "package"
    assert (D(2026, 10, 2), "holiday", "National Day") in report.removed
    assert calendar_source.is_working_day(D(2026, 10, 5))  # only 1 October is off now
    assert not calendar_source.is_working_day(D(2026, 10, 1))
    assert calendar_source.workday_calendar.year_origin(2026) == "table"


def test_the_yaml_form_is_imported_with_its_notice(world):
    text = f"""
year: {Y}
notice: 国办发明电〔{Y - 1}〕1号
holidays:
  - {{name: 元旦, date: {Y}-01-01}}
  - {{name: 春节, from: {Y}-02-10, to: {Y}-02-17}}
workdays: [{csv_for_unknown_year().splitlines()[-1].split(",")[0]}]
"""
    report = _import(text, world.system_admin, filename="notice.yaml")
    year = HolidayYear.objects.get(year=Y)
    assert year.notice == f"国办发明电〔{Y - 1}〕1号"
    assert year.imported_by == world.system_admin
    assert report.after["holidays"] == 9 and report.after["workdays"] == 1
    assert HolidayDay.objects.filter(year=year, kind="holiday", name="春节").count() == 8


def test_the_csv_accepts_chinese_kinds_and_dates_and_a_bom(world):
    text = f"\ufeff日期,类型,名称\n{Y}年1月1日,放假,元旦\n{Y}/2/10,休息,春节\n"
    notice = holiday_parsers.parse_csv(text.encode("utf-8"))
    assert [(e.date, e.kind) for e in notice.entries] == [(D(Y, 1, 1), "holiday"), (D(Y, 2, 10), "holiday")]
    assert notice.year == Y


def test_reimporting_a_year_replaces_it_and_is_audited_with_counts(world):
    _import(csv_for_unknown_year(), world.system_admin)
    _import(f"{Y}-01-01,holiday,元旦\n", world.system_admin)
    assert HolidayDay.objects.count() == 1
    assert HolidayYear.objects.count() == 1
    first, second = _holiday_audit_events().order_by("seq")
    assert first.action == "holiday_year.import"
    assert first.before is None
    assert first.after["holidays"] == 9 and first.after["workdays"] == 1
    assert second.action == "holiday_year.replace"
    assert second.before["holidays"] == 9 and second.before["workdays"] == 1
    assert second.after["holidays"] == 1 and second.after["workdays"] == 0
    assert second.actor_id == world.system_admin.pk


def test_a_dry_run_writes_nothing_but_reports(world):
    report = _import(csv_for_unknown_year(), world.system_admin, dry_run=True)
    assert report.dry_run and report.after["holidays"] == 9
    assert HolidayYear.objects.count() == 0 and not _holiday_audit_events().exists()


BAD_FILES = [
    ("date,kind,name\n{Y}-02-30,holiday,春节\n", "第 2 行", "无法识别的日期"),
    ("# year: {Y}\n{Y}-01-01,holiday,元旦\n{Z}-12-31,holiday,元旦\n", "第 3 行", "不在声明的年份"),
    ("{Y}-01-01,holiday,元旦\n{WEEKDAY},workday,春节\n", "第 2 行", "不是周末"),
    ("{Y}-01-01,holiday,元旦\n{Y}-02-10,放假,春节\n{Y}-02-10,放假,春节\n", "第 3 行", "重复"),
    ("{Y}-01-01,holiday,元旦\n{Y}-02-10,vacation,春节\n", "第 2 行", "未知的类型"),
    ("{Y}-01-01\n", "第 1 行", "三列"),
]


def _weekday_of(year: int) -> D:
    day = D(year, 3, 2)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


@pytest.mark.parametrize(("template", "where", "problem"), BAD_FILES)
def test_a_bad_csv_names_the_line_and_writes_nothing(world, template, where, problem):
    text = template.format(Y=Y, Z=Y - 1, WEEKDAY=_weekday_of(Y).isoformat())
    with pytest.raises(holiday_parsers.HolidayImportError) as caught:
        _import(text, world.system_admin)
    assert any(message.startswith(where) and problem in message for message in caught.value.errors), (
        caught.value.errors
    )
    assert where in str(caught.value.message)
    assert HolidayYear.objects.count() == 0 and HolidayDay.objects.count() == 0


def test_a_bad_yaml_names_the_entry_and_writes_nothing(world):
    text = f"""year: {Y}
holidays:
  - {{name: 元旦, date: {Y}-01-01}}
  - {{name: 春节, from: {Y}-02-10, to: {Y + 1}-02-12}}
workdays: [{_weekday_of(Y).isoformat()}]
"""
    with pytest.raises(holiday_parsers.HolidayImportError) as caught:
        _import(text, world.system_admin, filename="n.yml")
    errors = caught.value.errors
    assert any(e.startswith("holidays 第 2 项（春节）") for e in errors), errors
    assert any(e.startswith("workdays 第 1 项") and "不是周末" in e for e in errors), errors
    assert HolidayYear.objects.count() == 0


def test_the_service_validates_a_notice_it_did_not_parse(world):
    notice = holiday_parsers.HolidayNotice(
        year=Y, entries=[holiday_parsers.HolidayEntry(date=D(Y + 1, 1, 1), kind="holiday", where="#1")]
    )
    with pytest.raises(holiday_parsers.HolidayImportError):
        holiday_services.holiday_year_import(notice=notice, actor=world.system_admin)
    assert HolidayYear.objects.count() == 0


@pytest.mark.parametrize("persona", ["enterprise_a", "handler_power", "dispatcher", "audit_admin"])
def test_only_the_system_administrator_may_import(world, persona):
    with pytest.raises(PermissionDeniedError):
        _import(csv_for_unknown_year(), world.users[persona])
    assert HolidayYear.objects.count() == 0 and HolidayDay.objects.count() == 0
    denied = AuditEvent.objects.get(action="permission_denied")
    assert denied.actor_id == world.users[persona].pk


def test_a_single_day_can_be_corrected_and_removed(
    world, django_capture_on_commit_callbacks, recompute_calls
):
    _import(csv_for_unknown_year(), world.system_admin)
    weekday = _weekday_of(Y)
    assert calendar_source.is_working_day(weekday)
    with django_capture_on_commit_callbacks(execute=True):
        holiday_services.holiday_day_set(year=Y, date=weekday, kind="holiday", name="调整", actor=world.system_admin)
    assert not calendar_source.is_working_day(weekday)
    assert recompute_calls == [Y]
    holiday_services.holiday_day_delete(date=weekday, actor=world.system_admin)
    assert calendar_source.is_working_day(weekday)
    assert {"holiday_day.set", "holiday_day.delete"} <= set(
        _holiday_audit_events().values_list("action", flat=True)
    )
    with pytest.raises(PermissionDeniedError):
        holiday_services.holiday_day_set(year=Y, date=weekday, kind="holiday", actor=world.handler_power)


def test_deleting_a_year_makes_it_provisional_again(world):
    _import(csv_for_unknown_year(), world.system_admin)
    assert not calendar_source.add_working_days(D(Y, 3, 1), 3).provisional
    holiday_services.holiday_year_delete(year=Y, actor=world.system_admin)
    assert calendar_source.add_working_days(D(Y, 3, 1), 3).provisional
    assert _holiday_audit_events().filter(action="holiday_year.delete").exists()


def test_a_failing_recompute_callback_does_not_stop_the_others(
    world, django_capture_on_commit_callbacks, caplog
):
    calls: list[int] = []

    def broken(year: int) -> None:
        raise RuntimeError("boom")

    holiday_services.register_provisional_recompute(broken)
    holiday_services.register_provisional_recompute(calls.append)
    try:
        with django_capture_on_commit_callbacks(execute=True), caplog.at_level(logging.ERROR):
            _import(csv_for_unknown_year(), world.system_admin)
    finally:
        holiday_services.unregister_provisional_recompute(broken)
        holiday_services.unregister_provisional_recompute(calls.append)
    assert calls == [Y]
    assert "boom" in caplog.text


def test_the_command_imports_a_file_and_supports_dry_run(world, tmp_path, capsys):
    path = tmp_path / "notice.csv"
    path.write_text(csv_for_unknown_year(), encoding="utf-8")
    call_command("holidays_import", str(path), "--dry-run")
    assert "试运行" in capsys.readouterr().out
    assert HolidayYear.objects.count() == 0
    call_command("holidays_import", str(path))
    assert HolidayYear.objects.get(year=Y).days.count() == 10
    event = _holiday_audit_events().get()
    assert event.actor_id is None  # the system itself


def test_the_command_reports_bad_lines_and_writes_nothing(world, tmp_path, capsys):
    path = tmp_path / "notice.csv"
    path.write_text(f"{Y}-01-01,holiday,元旦\n{Y}-13-01,holiday,春节\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("holidays_import", str(path))
    assert "第 2 行" in capsys.readouterr().err
    assert HolidayYear.objects.count() == 0
