"""The projects' lists that had no download (周调度 meetings, 现场观摩 rounds) as .xlsx: the
page's rows in the viewer's scope, counts as numbers, dates as dates."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse

from yancheng.core.audit.models import AuditEvent
from yancheng.core.services import user_create
from yancheng.projects.services import meetings
from yancheng.projects.services.supervision import observation_round_create, observation_score_set
from yancheng.testing.exports import read_export
from yancheng.testing.world import PERSONA_PASSWORD


@pytest.fixture(scope="module")
def built(module_world, django_db_blocker):
    """A meeting of 祁东's park (two agenda items, one decision), a city office meeting for
    石鼓区, and an observation round scoring 祁东's park; built once for the module."""
    w = module_world
    with django_db_blocker.unblock():
        city = user_create(actor=None, username="city_dispatcher_x", password=PERSONA_PASSWORD, role="dispatcher",
                           organisation=w.project_office, full_name="市项目办调度员", must_change_password=False)
        county = meetings.meeting_create(actor=w.dispatcher, title="祁东经开区周调度会", held_on=dt.date(2026, 3, 13),
                                         chair="张主任")
        for title in ("供电接入", "用地报批"):
            meetings.agenda_item_add(county, actor=w.dispatcher, title=title)
        meetings.decision_add(county, actor=w.dispatcher, text="三日内完成接入方案", lead_org=w.power_company)
        shigu = meetings.meeting_create(actor=city, title="石鼓区周调度会", held_on=dt.date(2026, 3, 20),
                                        region=w.shigu)
        obs = observation_round_create(title="一季度观摩", held_on=dt.date(2026, 3, 20), actor=None)
        observation_score_set(obs, organisation=w.qidong_park, score="88", remark="园区点评", actor=None)
    return SimpleNamespace(w=w, city=city, county=county, shigu=shigu, obs=obs)


@pytest.fixture
def pw(built, shared_world):
    return built


def get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(f"projects:{name}"), params)


def test_the_meetings_export_lists_the_city_offices_meetings_with_their_counts(client, pw):
    export = read_export(get(client, pw.city, "meeting_list", format="xlsx"), "周调度")
    assert export.header == ("会议日期", "会议名称", "召集单位", "范围", "主持人", "议题数", "议定事项数", "状态")
    assert export.column("会议名称") == ["石鼓区周调度会", "祁东经开区周调度会"]
    county = export.rows[1]
    assert (county[4], county[5], county[6], county[7]) == ("张主任", 2, 1, "进行中")
    held = export.cell(1, "会议日期")
    assert held.is_date and held.number_format == "yyyy-mm-dd" and held.value == dt.datetime(2026, 3, 13)
    assert export.cell(1, "议题数").data_type == "n"
    assert AuditEvent.objects.filter(action="project.meeting_list_export", actor=pw.city).exists()


def test_a_park_dispatcher_exports_only_the_meetings_the_page_shows_him(client, pw):
    page = get(client, pw.w.dispatcher, "meeting_list")
    export = read_export(get(client, pw.w.dispatcher, "meeting_list", format="xlsx"), "周调度")
    assert export.column("会议名称") == [m.title for m in page.context["page"]] == ["祁东经开区周调度会"]


def test_a_handler_exports_only_the_meetings_that_gave_his_unit_a_task(client, pw):
    assert read_export(get(client, pw.w.handler_power, "meeting_list", format="xlsx"), "周调度").column("会议名称") == [
        "祁东经开区周调度会"]
    assert read_export(get(client, pw.w.handler_other, "meeting_list", format="xlsx"), "周调度").rows == []


def test_an_enterprise_gets_no_meetings_export(client, pw):
    assert get(client, pw.w.enterprise_a_user, "meeting_list", format="xlsx").status_code == 403


def test_the_observation_rounds_export_lists_the_rounds(client, pw):
    export = read_export(get(client, pw.w.supervisor, "observation_list", format="xlsx"), "现场观摩")
    assert export.header == ("日期", "名称", "被观摩单位", "评分项数")
    assert export.rows == [(dt.datetime(2026, 3, 20), "一季度观摩", 1, 1)]


def test_a_scoped_viewer_gets_no_citywide_counts_in_the_rounds_export(client, pw):
    page = get(client, pw.w.dispatcher, "observation_list")
    assert page.context["scoped"]
    export = read_export(get(client, pw.w.dispatcher, "observation_list", format="xlsx"), "现场观摩")
    assert export.header == ("日期", "名称")


@pytest.mark.parametrize("persona", ["enterprise_a_user", "handler_power", "inspector"])
def test_who_may_not_see_the_rounds_gets_no_export(client, pw, persona):
    user = getattr(pw.w, persona)
    assert get(client, user, "observation_list").status_code == 403
    assert get(client, user, "observation_list", format="xlsx").status_code == 403


def test_the_pages_offer_the_export(client, pw):
    for name in ("meeting_list", "observation_list"):
        html = get(client, pw.city, name).content.decode()
        assert '<a class="button" href="?format=xlsx">导出 Excel</a>' in html, name
