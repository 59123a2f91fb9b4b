"""A deadline is a day (issue 11 §1): one case due at the end of 2026-12-14 (stored as
2026-12-15 00:00 Asia/Shanghai) reads 2026-12-14 in every output — its page, the inbox,
the notification, the 企业微信/钉钉 message, the case .xlsx (a date cell), the weekly
notice (.docx and .xlsx, agenda and decisions), the meeting page and the API — and never
2026-12-15, which is what ``localtime(due).date()`` printed."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine
from django.urls import reverse
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from yancheng.cases.services import case_assign, case_submit
from yancheng.core.calendar import source as calendar_source
from yancheng.core.notifications import channels
from yancheng.core.notifications.models import Delivery, Notification
from yancheng.core.notifications.services import channel_create
from yancheng.core.services import user_create
from yancheng.lib.deadlines import due_day, due_day_label, due_label
from yancheng.lib.workdays import SHANGHAI, PackageSource, WorkdayCalendar
from yancheng.projects.services import meetings
from yancheng.projects.services.notices import notice_docx, notice_xlsx
from yancheng.testing.world import PERSONA_PASSWORD

MONDAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
DUE = dt.date(2026, 12, 14)
DAY_AFTER = "2026-12-15"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.YANCHENG_SITE_URL = "https://yancheng.example.gov.cn"


@pytest.fixture
def scene(world, monkeypatch, django_capture_on_commit_callbacks):
    """An enterprise's case and a meeting's decision, both 5 working days from Monday
    2026-12-07: due at the end of Monday 2026-12-14. The power company has a 企业微信 robot
    whose HTTP post is captured (the payload is built by the real code)."""
    posted: list[dict] = []
    monkeypatch.setattr(channels, "post_robot", lambda url, payload, secrets=(): posted.append(payload))
    channel_create(organisation=world.power_company, kind="wecom", name="供电保障群",
                   webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1234", actor=world.system_admin)
    city_dispatcher = user_create(
        actor=None, username="city_dispatcher_dl", password=PERSONA_PASSWORD, role="dispatcher",
        organisation=world.project_office, full_name="市项目办调度员", must_change_password=False,
    )
    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        case = case_submit(actor=world.enterprise_a_user, title="高压专线未接入", description="10kV 专线尚未接入。")
        case = case_assign(case, actor=world.dispatcher, lead_org=world.power_company)
    with time_machine.travel(MONDAY + dt.timedelta(hours=2), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        meeting = meetings.meeting_create(actor=city_dispatcher, title="第49周项目调度会", held_on=MONDAY.date())
        meetings.agenda_build(meeting, actor=city_dispatcher)
        meetings.decision_add(meeting, actor=city_dispatcher, text="协调专线接入", lead_org=world.power_company,
                              due_working_days=5)
        (decided,) = meetings.meeting_close(meeting, actor=city_dispatcher)
    return {"case": case, "decided": decided, "meeting": meeting, "posted": posted, "city": city_dispatcher}


def test_the_scene_is_due_at_the_end_of_the_fourteenth(scene):
    for case in (scene["case"], scene["decided"]):
        case.refresh_from_db()
        assert case.solve_due_at == dt.datetime(2026, 12, 15, 0, 0, tzinfo=SHANGHAI)
        assert due_day(case.solve_due_at) == DUE
        assert calendar_source.is_working_day(due_day(case.solve_due_at))


def test_the_case_page_and_the_inbox(world, scene, client):
    client.force_login(world.handler_power)
    with time_machine.travel(MONDAY + dt.timedelta(hours=3), tick=False):
        page = client.get(reverse("cases:case_detail", args=[scene["case"].pk])).content.decode()
        inbox = client.get(reverse("cases:case_inbox")).content.decode()
    assert "2026-12-14 24:00" in page and DAY_AFTER not in page
    assert "2026-12-14 24:00" in inbox and f"{DAY_AFTER} 00:00" not in inbox


def test_the_notification_and_the_robot_message(world, scene):
    told = Notification.objects.get(recipient=world.handler_power, verb="case.assigned", object_id=str(scene["case"].pk))
    assert "2026-12-14" in told.body and DAY_AFTER not in told.body
    robot = Delivery.objects.filter(channel="wecom", title=told.title)
    assert robot.exists()
    messages = [json.dumps(p, ensure_ascii=False) for p in scene["posted"]]
    about_case = [m for m in messages if "高压专线未接入" in m and "办结期限" in m]
    assert about_case, messages
    assert all("2026-12-14" in m and DAY_AFTER not in m for m in about_case)


def test_the_case_export_holds_a_date_cell(world, scene, client):
    client.force_login(world.handler_power)
    with time_machine.travel(MONDAY + dt.timedelta(hours=3), tick=False):
        response = client.get(reverse("cases:case_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    cell = rows[scene["case"].number][header.index("办结期限")]
    assert cell.is_date
    assert cell.value.date() == DUE and cell.value.time() == dt.time(0)
    assert "h" not in cell.number_format.lower()  # a day, not 00:00:00 of the next one
    submitted = rows[scene["case"].number][header.index("提交时间")]
    assert submitted.is_date and submitted.number_format == "yyyy-mm-dd hh:mm"


def test_the_weekly_notice_and_the_meeting_page(world, scene, client):
    meeting = scene["meeting"]
    docx_text = "\n".join(
        cell.text for table in Document(io.BytesIO(notice_docx(meeting))).tables for row in table.rows for cell in row.cells
    )
    agenda_lines = [line for line in docx_text.splitlines() if "· 办结期限" in line]
    assert agenda_lines and all("办结期限 2026-12-14" in line for line in agenda_lines)
    decision_cells = [line for line in docx_text.splitlines() if line == "2026-12-14"]
    assert decision_cells  # the decision's 办结日期 column
    assert DAY_AFTER not in docx_text

    sheet = load_workbook(io.BytesIO(notice_xlsx(meeting))).active
    values = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any(isinstance(c.value, str) and "办结期限 2026-12-14" in c.value for c in values)
    dates = [c for c in values if c.is_date]
    assert dates and all(c.value.date() == DUE for c in dates if c.value.year == 2026 and c.value.month == 12
                         and c.value.day != MONDAY.day)
    assert not any(isinstance(c.value, str) and DAY_AFTER in c.value for c in values)

    client.force_login(scene["city"])
    page = client.get(reverse("projects:meeting_detail", args=[meeting.pk])).content.decode()
    assert "（2026-12-14）" in page and DAY_AFTER not in page


def test_the_api_gives_the_day_beside_the_instant(world, scene, as_user):
    body = as_user("handler_power").get(f"/api/v1/cases/{scene['case'].pk}").json()
    assert body["solve_due_day"] == "2026-12-14"
    assert dt.datetime.fromisoformat(body["solve_due_at"]) == dt.datetime(2026, 12, 15, tzinfo=SHANGHAI)
    listed = as_user("handler_power").get("/api/v1/cases").json()["items"]
    assert [c["solve_due_day"] for c in listed if c["id"] == scene["case"].pk] == ["2026-12-14"]
    schema = as_user("handler_power").get("/api/v1/openapi.json").json()
    described = json.dumps(schema["components"]["schemas"], ensure_ascii=False)
    assert "24:00" in described


# --- the value itself ---------------------------------------------------------------------------

_PACKAGE = WorkdayCalendar(PackageSource())


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 12, 1)),
    n=st.integers(min_value=1, max_value=30),
)
def test_a_working_day_deadline_is_shown_on_a_working_day(start, n):
    deadline = _PACKAGE.deadline(start.replace(tzinfo=SHANGHAI), n)
    day = due_day(deadline.at)
    assert day == deadline.date
    assert _PACKAGE.is_working_day(day)
    assert due_day_label(deadline.at) == day.isoformat()
    assert due_label(deadline.at) == f"{day.isoformat()} 24:00"


def test_a_deadline_with_a_time_of_its_own_keeps_it():
    at = dt.datetime(2026, 12, 14, 17, 30, tzinfo=SHANGHAI)
    assert (due_day(at), due_label(at), due_day_label(at)) == (DUE, "2026-12-14 17:30", "2026-12-14")
    utc = dt.datetime(2026, 12, 14, 16, 0, tzinfo=dt.UTC)  # the same 24:00, read back from the database
    assert (due_day(utc), due_label(utc)) == (DUE, "2026-12-14 24:00")
    assert due_day(None) is None and due_label(None) == "" and due_day_label(None) == ""
    with pytest.raises(ValueError):
        due_day(dt.datetime(2026, 12, 15))
