"""The working-day calendar pages and the admin: who may see and do what."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yancheng.core.audit.models import AuditEvent
from yancheng.core.models import HolidayDay, HolidayYear

from .helpers import UNKNOWN_YEAR, csv_for_unknown_year

Y = UNKNOWN_YEAR

pytestmark = [pytest.mark.usefixtures("db_calendar")]


def _upload(text: str, name: str = "notice.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_the_holidays_page_redirects_anonymous_users_to_login(client):
    response = client.get(reverse("core:holiday_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["enterprise_a", "handler_power", "audit_admin", "system_admin"])
def test_everyone_logged_in_may_view_the_holidays_page(client, world, persona):
    client.force_login(world.users[persona])
    response = client.get(reverse("core:holiday_list"))
    assert response.status_code == 200
    assert "chinesecalendar" in response.content.decode()
    assert client.get(reverse("core:holiday_year", args=[2026])).status_code == 200


def test_the_page_warns_when_next_year_has_no_data_and_stops_after_import(client, world):
    client.force_login(world.handler_power)
    with time_machine.travel(dt.datetime(Y - 1, 11, 26, 9, tzinfo=dt.UTC), tick=False):
        page = client.get(reverse("core:holiday_list")).content.decode()
        assert f"{Y} 年尚无节假日安排数据" in page
        client.force_login(world.system_admin)
        client.post(reverse("core:holiday_import"), {"file": _upload(csv_for_unknown_year())})  # preview only
        assert f"{Y} 年尚无节假日安排数据" in client.get(reverse("core:holiday_list")).content.decode()
        response = client.post(
            reverse("core:holiday_import"),
            {"content": csv_for_unknown_year(), "filename": "n.csv", "action": "import"},
        )
        assert response.status_code == 302
        page = client.get(reverse("core:holiday_list")).content.decode()
    assert "尚无节假日安排数据" not in page
    assert "节假日表" in page


def test_the_year_page_lists_the_national_day_of_2026(client, world):
    client.force_login(world.dispatcher)
    page = client.get(reverse("core:holiday_year", args=[2026])).content.decode()
    assert "2026-10-07" in page and "2026-10-10" in page and "chinesecalendar" in page


@pytest.mark.parametrize("persona", ["enterprise_a", "handler_power", "dispatcher", "security_admin"])
def test_others_get_403_on_the_import_page_and_nothing_is_written(client, world, persona):
    client.force_login(world.users[persona])
    assert client.get(reverse("core:holiday_import")).status_code == 403
    response = client.post(
        reverse("core:holiday_import"),
        {"content": csv_for_unknown_year(), "filename": "n.csv", "action": "import"},
    )
    assert response.status_code == 403
    assert HolidayYear.objects.count() == 0


def test_the_import_page_redirects_anonymous_users_to_login(client):
    assert client.get(reverse("core:holiday_import")).status_code == 302


def test_the_administrator_previews_then_imports(client, world):
    client.force_login(world.system_admin)
    assert client.get(reverse("core:holiday_import")).status_code == 200
    preview = client.post(reverse("core:holiday_import"), {"file": _upload(csv_for_unknown_year())})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "尚未写入" in page and "确认导入" in page and f"{Y}-02-10" in page
    assert HolidayYear.objects.count() == 0
    confirm = client.post(
        reverse("core:holiday_import"),
        {
            "content": preview.context["confirm_form"].initial["content"],
            "filename": "notice.csv",
            "action": "import",
        },
    )
    assert confirm.status_code == 302
    assert HolidayYear.objects.get(year=Y).days.count() == 10
    assert AuditEvent.objects.filter(action="holiday_year.import", actor_id=world.system_admin.pk).exists()


def test_a_bad_upload_shows_the_line_and_writes_nothing(client, world):
    client.force_login(world.system_admin)
    response = client.post(
        reverse("core:holiday_import"), {"file": _upload(f"{Y}-01-01,holiday,元旦\n{Y}-01-01,放假,元旦\n")}
    )
    assert response.status_code == 200
    assert "第 2 行" in response.content.decode()
    assert HolidayYear.objects.count() == 0


def test_an_upload_of_another_type_is_refused(client, world):
    client.force_login(world.system_admin)
    response = client.post(reverse("core:holiday_import"), {"file": _upload("x", name="notice.exe")})
    assert "只接受" in response.content.decode()


def test_the_admin_saves_a_year_with_its_days_through_the_service(client, world):
    client.force_login(world.system_admin)
    url = reverse("admin:core_holidayyear_add")
    assert client.get(url).status_code == 200
    data = {
        "year": Y,
        "notice": "测试",
        "days-TOTAL_FORMS": "2",
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
        "days-0-date": f"{Y}-01-01",
        "days-0-kind": "holiday",
        "days-0-name": "元旦",
        "days-1-date": "",
        "days-1-kind": "",
        "days-1-name": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert HolidayDay.objects.get().date == dt.date(Y, 1, 1)
    assert AuditEvent.objects.filter(action="holiday_year.import").exists()


def test_the_admin_refuses_a_weekday_as_adjusted_working_day(client, world):
    client.force_login(world.system_admin)
    weekday = dt.date(Y, 3, 2)
    while weekday.weekday() >= 5:
        weekday += dt.timedelta(days=1)
    data = {
        "year": Y,
        "notice": "",
        "days-TOTAL_FORMS": "1",
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
        "days-0-date": weekday.isoformat(),
        "days-0-kind": "workday",
        "days-0-name": "",
    }
    response = client.post(reverse("admin:core_holidayyear_add"), data)
    assert response.status_code == 200
    assert "不是周末" in response.content.decode()
    assert HolidayYear.objects.count() == 0
