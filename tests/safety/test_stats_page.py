"""The statistics page: what it shows each user, its links, and its .xlsx."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from yancheng.testing.exports import read_export

from .stats_world import NOW, at, build_stats_world

pytestmark = pytest.mark.django_db
URL = reverse("safety:statistics")


@pytest.fixture
def stats(sw):
    return build_stats_world(sw)


def figures(response) -> dict[str, int]:
    html = response.content.decode()
    return {drill: int(count) for count, drill in re.findall(r'data-count="(\d+)" data-drill="([^"]+)"', html)}


def get(client, user, **params):
    client.force_login(user)
    with at(NOW):
        return client.get(URL, params)


def test_the_city_office_sees_the_year_by_region_system_department_and_month(client, sw, stats):
    response = get(client, sw.anweiban, period="year", on="2026-05-06")
    assert response.status_code == 200
    shown = figures(response)
    assert shown["total-found"] == 9 and shown["total-overdue_open"] == 3 and shown["total-ontime"] == 2
    assert shown[f"region-{sw.shigu.code}-found"] == 6 and shown[f"region-{sw.qidong.code}-found"] == 3
    assert shown["system-fire-found"] == 1
    assert shown[f"org-{sw.emergency_bureau.pk}-late"] == 1
    assert shown["month-2026-04-found"] == 5
    assert shown[f"task-unit-{sw.qidong_emergency.pk}-overdue"] == 1
    assert 'data-chart="region_map"' in response.content.decode()


def test_a_county_office_sees_only_its_region(client, sw, stats):
    shown = figures(get(client, sw.anweiban_qidong, period="year", on="2026-05-06"))
    assert shown["total-found"] == 3
    assert f"region-{sw.shigu.code}-found" not in shown
    assert f"task-unit-{sw.emergency_bureau.pk}-tasks" not in shown


def test_the_month_counts_its_own_reports(client, sw, stats):
    shown = figures(get(client, sw.anweiban, period="month", on="2026-03-15"))
    assert shown["total-found"] == 3 and shown["total-repeat"] == 0


@pytest.mark.parametrize("name", ["enterprise_a", "handler_power", "supervisor", "dispatcher"])
def test_enterprises_handlers_and_supervisors_are_refused(client, sw, stats, name):
    assert get(client, sw.world.users[name]).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, sw):
    assert client.get(URL).status_code == 302


def test_a_bad_period_or_date_shows_the_current_month(client, sw, stats):
    response = get(client, sw.anweiban, period="decade", on="2026-13-45")
    assert response.status_code == 200
    assert figures(response)["total-found"] == 1  # May 2026: the new report


def test_the_export_holds_the_tables_as_the_page_shows_them(client, sw, stats):
    response = get(client, sw.anweiban, period="year", on="2026-05-06", format="xlsx")
    export = read_export(response, "安全生产统计-2026")
    rows = {row[0]: row for row in export.rows}
    assert rows["石鼓区"][1] == 6 and rows["祁东县"][1] == 3
    assert rows["合计"][1:9] == (9, 1, 2, 1, 3, 1, 1, 2)
    assert rows["合计"][9] == round(100 * 2 / 9, 1)


def test_every_hazard_figure_on_the_page_opens_a_list_of_that_many(client, sw, stats):
    """The real links: each figure's hazard list, exported, holds exactly that many rows."""
    response = get(client, sw.anweiban, period="quarter", on="2026-04-15")
    html = response.content.decode()
    links = re.findall(r'href="([^"]+)" data-count="(\d+)" data-drill="((?:total|region|system|org)-[^"]+)"', html)
    assert len(links) >= 4 * 8
    for href, count, drill in links:
        url = href.replace("&amp;", "&")
        assert url.startswith(reverse("safety:hazard_list")), drill
        with at(NOW):
            export = client.get(f"{url}&format=xlsx")  # a data dict would replace the link's query
        assert len(read_export(export, "安全隐患").rows) == int(count), (drill, url)


def test_every_task_figure_on_the_page_opens_a_task_list_of_that_many(client, sw, stats):
    """The real links of the checks against the plan: each opens the check tasks' list, whose
    total is the figure."""
    response = get(client, sw.anweiban, period="quarter", on="2026-04-15")
    links = re.findall(r'href="([^"]+)" data-count="(\d+)" data-drill="(task-[^"]+)"', response.content.decode())
    assert len(links) >= 2 * 3
    assert any(int(count) for _href, count, _drill in links)
    for href, count, drill in links:
        url = href.replace("&amp;", "&")
        assert url.startswith(reverse("safety:check_task_list")), drill
        with at(NOW):
            listed = client.get(url)
        total = re.search(r'data-total="(\d+)"', listed.content.decode())
        assert total is not None and int(total.group(1)) == int(count), (drill, url)
