from __future__ import annotations

import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import PermissionDeniedError, ValidationFailed
from yancheng.dashboard import services
from yancheng.dashboard.models import RankingSnapshot, RedYellowEntry
from yancheng.dashboard.rankings import Month
from yancheng.testing.documents import download_name
from yancheng.testing.pages import cdn_references

from .conftest import make_case, make_node, make_project

MARCH = Month(2026, 3)
FORBIDDEN = ["enterprise_a_user", "handler_power", "handler_other", "inspector", "system_admin",
             "security_admin", "audit_admin"]


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_the_dashboard_numbers_match_the_data_and_links_carry_the_filters(client, world, month_data):
    client.force_login(world.supervisor)
    response = client.get(reverse("dashboard:index"), {"year": 2026, "month": 3})
    assert response.status_code == 200
    data = response.context["data"]

    stages = {row["stage"]: row for row in data["stage_rows"]}
    assert stages["construction"]["count"] == 1 and stages["started"]["count"] == 1
    assert query(stages["construction"]["url"]) == {"stage": "construction"}
    assert urlsplit(stages["construction"]["url"]).path == "/projects/"

    regions = {row["code"]: row for row in data["region_rows"]}
    assert regions["430426"]["planned"] == 1000 and regions["430426"]["invested"] == 600
    assert regions["430407"]["invested"] == 500  # as of March: April's report is not counted
    assert query(regions["430426"]["url"]) == {"region": "430426"}
    assert data["investment"]["planned"] == 3000 and data["investment"]["invested"] == 1100
    assert data["investment"]["rate"] == pytest.approx(36.7)

    lights = {row["light"]: row for row in data["light_rows"]}
    assert lights["red"]["count"] == 1 and lights["yellow"]["count"] == 1
    assert lights["ontime"]["count"] == 2 and lights["late"]["count"] == 1
    assert query(lights["red"]["url"]) == {"light": "red", "scope": "all"}
    assert urlsplit(lights["red"]["url"]).path == "/cases/"

    escalations = {row["level"]: row["count"] for row in data["escalation_rows"]}
    assert escalations == {1: 2, 2: 1, 3: 0}
    assert query(data["escalation_rows"][1]["url"]) == {"escalation": "2", "scope": "all"}

    units = {row["id"]: row for row in data["unit_rows"]}
    power = units[world.power_company.pk]
    assert (power["total"], power["red"], power["yellow"]) == (1, 1, 0)  # open/resolved scope: closed ones not counted
    assert query(power["red_url"]) == {"unit": str(world.power_company.pk), "light": "red"}

    # At the end of March 设备安装 (due 3-20) was still open; 供电 was late but done by then.
    assert data["late_nodes"]["count"] == 1
    assert query(data["late_nodes"]["url"]) == {"year": "2026", "month": "3"}
    page = client.get(data["late_nodes"]["url"])
    assert {n.name for n in page.context["page"].object_list} == {"设备安装"}

    body = response.content.decode()
    assert 'id="dashboard-data"' in body and "vendor/echarts/echarts.min.js" in body
    assert cdn_references(body) == []


def test_the_links_follow_the_inbox_and_registry_lists_they_name(client, world, month_data):
    """Following a number's link shows as many rows as the number says."""
    client.force_login(world.supervisor)
    data = client.get(reverse("dashboard:index"), {"region": "430426"}).context["data"]
    red = next(row for row in data["light_rows"] if row["light"] == "red")
    assert query(red["url"]) == {"light": "red", "region": "430426", "scope": "all"}
    inbox = client.get(red["url"])
    assert inbox.status_code == 200
    assert inbox.context["page"].paginator.count == red["count"] == 1


def test_the_dashboard_runs_a_bounded_number_of_queries(client, world, month_data):
    """Aggregated in SQL: the count is pinned and does not grow with projects, cases or units."""
    client.force_login(world.supervisor)
    client.get(reverse("dashboard:index"))  # warm caches (content types, sessions)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("dashboard:index"), {"year": 2026}).status_code == 200
        return len(captured)

    before = count()
    for n in range(3):
        project = make_project(world, code=f"XM-X-{n}", name=f"项目{n}", region=world.shigu,
                               responsible_org=world.market_regulation, total_investment=100)
        make_node(world, project, name="节点", planned_finish="2026-01-05")
        make_case(world, region=world.shigu, lead=[world.market_regulation, world.justice_bureau,
                                                   world.qidong_ndrc][n], assigned="2026-03-02")
    assert count() == before == 22  # 18, the 信访 panel's two grouped queries and the 产业链 panel's check of the chains read


def test_a_filter_by_chain_or_region_narrows_the_projects(client, world, month_data):
    client.force_login(world.supervisor)
    data = client.get(reverse("dashboard:index"), {"region": "430407"}).context["data"]
    assert data["project_total"]["count"] == 1
    assert all(query(r["url"]).get("region") == "430407" for r in data["stage_rows"])


def test_a_park_dispatcher_is_held_to_its_own_region(client, world, month_data):
    client.force_login(world.dispatcher)
    response = client.get(reverse("dashboard:index"), {"region": "430407"})
    assert response.status_code == 200
    assert response.context["filters"].region == "430426"
    assert {r["code"] for r in response.context["data"]["region_rows"]} <= {"430426"}


@pytest.mark.parametrize("persona", FORBIDDEN)
@pytest.mark.parametrize("name", ["dashboard:index", "dashboard:late_nodes", "dashboard:ranking_list",
                                  "dashboard:red_yellow", "dashboard:funds_won"])
def test_people_who_are_not_dashboard_users_get_403(client, world, persona, name):
    client.force_login(getattr(world, persona))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ["dashboard:index", "dashboard:ranking_list", "dashboard:red_yellow"])
def test_anonymous_visitors_are_sent_to_the_login(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_snapshot_pages_and_exports_are_refused_to_others(client, world, month_data):
    snapshot, _ = services.ranking_snapshot_generate(kind="region", month=MARCH, actor=world.supervisor)
    for name in ("dashboard:ranking_detail", "dashboard:ranking_xlsx", "dashboard:ranking_docx"):
        client.force_login(world.handler_power)
        assert client.get(reverse(name, args=[snapshot.pk])).status_code == 403
        client.force_login(world.leader)
        assert client.get(reverse(name, args=[snapshot.pk])).status_code == 200
    client.force_login(world.leader)
    assert client.get(reverse("dashboard:quarterly_review", args=[2026, 1])).status_code == 200
    assert client.get(reverse("dashboard:annual_assessment", args=[2026])).status_code == 200


def test_generating_from_the_page_shows_the_existing_snapshot_on_a_second_run(client, world, month_data):
    client.force_login(world.leader)  # a leader reads, but does not generate
    assert client.post(reverse("dashboard:ranking_generate"), {"kind": "region", "month": "2026-03"}).status_code == 403
    client.force_login(world.supervisor)
    first = client.post(reverse("dashboard:ranking_generate"), {"kind": "region", "month": "2026-03"})
    second = client.post(reverse("dashboard:ranking_generate"), {"kind": "region", "month": "2026-03"})
    assert first["Location"] == second["Location"]
    assert RankingSnapshot.objects.count() == 1
    client.post(reverse("dashboard:ranking_generate"),
                {"kind": "region", "month": "2026-03", "regenerate": "on", "note": "更正"})
    assert RankingSnapshot.objects.count() == 2
    page = client.get(first["Location"])
    assert "已被新版本取代" in page.content.decode()


def test_a_yellow_entry_needs_a_deadline_and_a_plan(world, month_data):
    with pytest.raises(ValidationFailed):
        services.red_yellow_add(board="yellow", project=month_data.p1, month=MARCH, reason="进度滞后",
                                actor=world.supervisor)
    with pytest.raises(ValidationFailed):
        services.red_yellow_add(board="yellow", project=month_data.p1, month=MARCH, reason="进度滞后",
                                deadline=dt.date(2026, 5, 31), actor=world.supervisor)
    entry = services.red_yellow_add(board="yellow", project=month_data.p1, month=MARCH, reason="进度滞后",
                                    deadline=dt.date(2026, 5, 31), rectification_plan="倒排工期，专班驻点",
                                    actor=world.supervisor)
    red = services.red_yellow_add(board="red", project=month_data.p2, month=MARCH, reason="提前开工",
                                  actor=world.supervisor)
    assert red.deadline is None
    with pytest.raises(PermissionDeniedError):
        services.red_yellow_close(entry, note="", actor=world.handler_power)
    closed = services.red_yellow_close(entry, note="已整改", actor=world.supervisor)
    assert closed.status == RedYellowEntry.EntryStatus.RECTIFIED


def test_a_park_dispatcher_cannot_list_another_regions_project(world, month_data):
    with pytest.raises(PermissionDeniedError):
        services.red_yellow_add(board="red", project=month_data.p2, month=MARCH, reason="x", actor=world.dispatcher)


def test_the_office_pages_render_and_accept_their_forms(client, world, month_data):
    client.force_login(world.supervisor)
    for name in ("dashboard:ranking_list", "dashboard:formula_edit", "dashboard:red_yellow", "dashboard:funds_won"):
        assert client.get(reverse(name)).status_code == 200, name
    response = client.post(reverse("dashboard:red_yellow"), {
        "board": "yellow", "project": month_data.p1.pk, "month": "2026-03", "reason": "节点滞后",
        "deadline": "2026-05-31", "rectification_plan": "专班驻点",
    })
    assert response.status_code == 302
    assert RedYellowEntry.objects.filter(board="yellow", project=month_data.p1).exists()
    response = client.post(reverse("dashboard:funds_won"), {
        "region": world.qidong.pk, "month": "2026-03", "amount": "120", "title": "专项债",
    })
    assert response.status_code == 302
    snapshot, _ = services.ranking_snapshot_generate(kind="region", month=MARCH, actor=world.supervisor)
    qidong = next(r for r in snapshot.rows if r["key"] == "430426")
    assert qidong["won"] == 120.0
    page = client.get(reverse("dashboard:ranking_list"))
    assert snapshot.formula["text"] in page.content.decode()


@pytest.fixture
def kept_figures(settings):
    from django.core.cache import cache

    settings.YANCHENG_DASHBOARD_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def _projects_shown(client) -> int:
    response = client.get(reverse("dashboard:index"), {"year": 2026})
    assert response.status_code == 200
    return response.context["data"]["project_total"]["count"]


def _new_project(world, code: str) -> None:
    make_project(world, code=code, name="新项目", region=world.shigu, responsible_org=world.market_regulation,
                 total_investment=100)


def test_the_figures_are_kept_for_a_while_and_the_page_says_since_when(client, world, month_data, kept_figures):
    client.force_login(world.supervisor)
    first = _projects_shown(client)
    _new_project(world, "XM-KEPT-1")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("dashboard:index"), {"year": 2026})
    assert response.context["data"]["project_total"]["count"] == first  # not counted again
    assert not [q for q in captured.captured_queries if "projects_project" in q["sql"]]
    page = response.content.decode()
    assert "data-snapshot-taken" in page and "5 分钟内再次打开沿用这次的结果" in page
    refresh = response.context["refresh_url"]
    assert query(refresh) == {"year": "2026", "refresh": "1"}
    assert client.get(reverse("dashboard:index") + refresh).context["data"]["project_total"]["count"] == first + 1
    assert _projects_shown(client) == first + 1  # the refreshed figures are the ones kept


def test_kept_figures_are_never_shown_to_another_user(client, world, month_data, kept_figures):
    """A county's dispatcher sees only its county even right after the city's supervisor
    loaded the same filters."""
    client.force_login(world.supervisor)
    city_wide = client.get(reverse("dashboard:index"), {"year": 2026}).context["data"]
    client.force_login(world.dispatcher)
    county = client.get(reverse("dashboard:index"), {"year": 2026}).context["data"]
    assert {r["code"] for r in county["region_rows"]} <= {"430426"}
    assert county["project_total"]["count"] < city_wide["project_total"]["count"]


def test_the_language_is_part_of_what_is_kept(client, world, month_data, kept_figures):
    client.force_login(world.supervisor)
    chinese = client.get(reverse("dashboard:index"), {"year": 2026}).context["data"]
    client.cookies["django_language"] = "en"
    english = client.get(reverse("dashboard:index"), {"year": 2026}).context["data"]
    assert (chinese["light_rows"][0]["label"], english["light_rows"][0]["label"]) == ("红灯·逾期", "Red · overdue")


def test_with_no_keeping_time_the_page_counts_every_time(client, world, month_data, settings):
    settings.YANCHENG_DASHBOARD_CACHE_SECONDS = 0
    client.force_login(world.supervisor)
    first = _projects_shown(client)
    _new_project(world, "XM-KEPT-2")
    response = client.get(reverse("dashboard:index"), {"year": 2026})
    assert response.context["data"]["project_total"]["count"] == first + 1
    assert "data-snapshot-taken" not in response.content.decode()


def test_the_red_and_yellow_lists_export_to_xlsx(client, world, month_data):
    services.red_yellow_add(board="yellow", project=month_data.p1, month=MARCH, reason="进度滞后",
                            deadline=dt.date(2026, 5, 31), rectification_plan="倒排工期", actor=world.supervisor)
    services.red_yellow_add(board="red", project=month_data.p2, month=MARCH, reason="提前开工", actor=world.supervisor)
    client.force_login(world.supervisor)
    response = client.get(reverse("dashboard:red_yellow"), {"board": "yellow", "format": "xlsx"})
    assert response.status_code == 200
    assert download_name(response) == "红黄榜-20260415-1000.xlsx"
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("榜单", "月份", "项目编号") and len(rows) == 2
    assert rows[1][0] == "黄榜" and rows[1][2] == month_data.p1.code and rows[1][5] == "进度滞后"
    deadline = sheet.cell(row=2, column=7)
    assert deadline.is_date and deadline.value == dt.datetime(2026, 5, 31) and deadline.number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:K2"
    assert AuditEvent.objects.filter(action="dashboard.red_yellow_export", actor=world.supervisor).exists()
    page = client.get(reverse("dashboard:red_yellow")).content.decode()
    assert "format=xlsx" in page
