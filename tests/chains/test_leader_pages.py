"""The 链长's view: the chain's home blocks with their figures, the 链长's to-dos, the overview
page and the dashboard's 产业链 panel. Every figure is followed to its list, whose row count
(``data-total``) must be the figure."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.chains.leader_world import build_leader
from tests.chains.problems_world import build_problems
from yancheng.chains.services import meetings as meeting_svc
from yancheng.core.workbench import todos_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def lw(cw):
    build_problems(cw)
    return build_leader(cw)


def _total(client, url: str) -> int:
    page = client.get(url)
    assert page.status_code == 200, url
    found = re.search(r'data-total="(\d+)"', page.content.decode())
    assert found, url
    return int(found.group(1))


def _figures(body: str, attr: str) -> list[tuple[str, str, int]]:
    """(key, url, count) of every figure link carrying ``attr``."""
    pattern = rf'href="([^"]+)" {attr}="([^"]+)" data-count="(\d+)"'
    return [(key, url.replace("&amp;", "&"), int(n)) for url, key, n in re.findall(pattern, body)]


def test_the_chain_home_gives_each_list_its_figures_and_each_figure_its_list(client, lw,
                                                                          django_assert_max_num_queries):
    meeting_svc.meeting_create(lw.nonferrous, actor=lw.chain_leader, title="链长办公会", held_on=lw_today())
    client.force_login(lw.chain_leader)
    with django_assert_max_num_queries(60):
        body = client.get(reverse("chains:chain", args=["nonferrous"])).content.decode()
    figures = {key: (url, n) for key, url, n in _figures(body, "data-figure")}
    assert figures["targets.red"][1] == 1 and figures["leads.stale"][1] == 2
    assert figures["projects.red"][1] == 1 and figures["problems.red"][1] >= 2
    assert figures["meetings.open"][1] == 1 and figures["map.gaps"][1] >= 1
    assert 'data-list="chains:targets" data-light="red"' in body
    for key, (url, n) in figures.items():
        if key.startswith("map.") and key != "map.gaps":
            continue  # 强/弱/缺 link to the map itself
        assert _total(client, url) == n, key


def test_the_home_blocks_take_constant_queries(client, lw, django_assert_num_queries):
    from tests.chains.leads_world import make_lead

    client.force_login(lw.chain_leader)
    url = reverse("chains:chain", args=["nonferrous"])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(4):
        make_lead(lw, investor=f"新增投资{n}")
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def lw_today():
    from django.utils import timezone

    return timezone.localdate()


def test_the_chain_leader_gets_their_chains_lines_and_each_count_is_its_list(client, lw):
    meeting = meeting_svc.meeting_create(lw.nonferrous, actor=lw.chain_leader, title="链长办公会", held_on=lw_today())
    meeting_svc.agenda_build(meeting, actor=lw.chain_leader)
    todos = {t.key: t for t in todos_for(lw.chain_leader) if t.key.startswith("chains.leader.")}
    assert {k.rsplit(".", 1)[1] for k in todos} == {"nonferrous"}  # not 电子信息
    assert todos["chains.leader.targets.red.nonferrous"].count == 1
    assert todos["chains.leader.leads.stale.nonferrous"].count == 2
    assert todos["chains.leader.projects.red.nonferrous"].count == 1
    decisions = todos["chains.leader.decisions.nonferrous"]
    assert decisions.count == 1 and "议题" in str(decisions.label) and decisions.light == "yellow"
    client.force_login(lw.chain_leader)
    for todo in todos.values():
        assert _total(client, todo.url) == todo.count, todo.key


def test_a_leader_who_leads_no_chain_gets_none_of_these(lw):
    assert not [t for t in todos_for(lw.world.leader) if t.key.startswith("chains.leader.")]
    assert not [t for t in todos_for(lw.lianban) if t.key.startswith("chains.leader.")]


def test_a_deputy_gets_the_chains_lines(lw):
    from yancheng.chains.services.registry import profile_update

    profile_update(lw.electronics, actor=None, deputy_leaders=[lw.chain_leader])
    keys = {t.key for t in todos_for(lw.chain_leader) if t.key.startswith("chains.leader.decisions.")}
    assert keys == {"chains.leader.decisions.nonferrous", "chains.leader.decisions.electronics"}


def test_the_overview_shows_the_leaders_chains_with_targets_and_red_items(client, lw,
                                                                          django_assert_max_num_queries):
    client.force_login(lw.chain_leader)
    url = reverse("chains:overview")
    with django_assert_max_num_queries(60):
        page = client.get(url)
    body = page.content.decode()
    assert 'data-chain="nonferrous"' in body and 'data-chain="electronics"' not in body
    assert f'data-target="{lw.red_target.pk}"' in body and "targets-nonferrous" in body
    assert "js/dashboard.js" in body and "<script>" not in body
    assert reverse("chains:lead", args=["nonferrous", lw.red_lead.pk]) in body
    assert reverse("chains:lead", args=["nonferrous", lw.green_lead.pk]) not in body
    assert reverse("projects:project_detail", args=[lw.red_project.pk]) in body
    red_link = reverse("chains:targets", args=["nonferrous"]) + f"?year={lw.red_target.year}&amp;light=red"
    assert red_link in body
    assert _total(client, red_link.replace("&amp;", "&")) == 1


def test_the_office_sees_every_chain_it_reads(client, lw):
    client.force_login(lw.lianban)
    body = client.get(reverse("chains:overview")).content.decode()
    assert 'data-chain="nonferrous"' in body and 'data-chain="electronics"' in body
    assert reverse("chains:overview") in client.get(reverse("chains:home")).content.decode()


@pytest.mark.parametrize("persona, status", [("enterprise_b_user", 403), ("lianban_qd", 403), ("handler_power", 403)])
def test_the_overview_is_refused_to_who_reads_no_chain(client, lw, persona, status):
    client.force_login(getattr(lw, persona))
    assert client.get(reverse("chains:overview")).status_code == status


def test_the_overview_needs_a_login(client, lw):
    assert client.get(reverse("chains:overview")).status_code == 302


def test_the_meetings_list_filters_open_meetings(client, lw):
    open_one = meeting_svc.meeting_create(lw.nonferrous, actor=lw.chain_leader, title="开着的会", held_on=lw_today())
    closed = meeting_svc.meeting_create(lw.nonferrous, actor=lw.chain_leader, title="结束的会", held_on=lw_today())
    meeting_svc.meeting_close(closed, actor=lw.chain_leader)
    client.force_login(lw.chain_leader)
    body = client.get(reverse("chains:meetings", args=["nonferrous"]) + "?status=open").content.decode()
    assert f'data-meeting="{open_one.pk}"' in body and f'data-meeting="{closed.pk}"' not in body


def test_the_dashboard_panel_links_each_figure_to_the_list_that_shows_it(client, lw):
    client.force_login(lw.chain_leader)
    body = client.get(reverse("dashboard:index")).content.decode()
    assert 'data-panel="chains"' in body
    figures = _figures(body, "data-chains")
    assert figures
    targets = [f for f in figures if f[0] == "targets"]
    assert len(targets) == 2  # both chains: a city leader reads them all
    for key, url, n in figures:
        assert _total(client, url) == n, (key, url)
    stage_total = sum(n for key, url, n in figures if key.startswith("stage-") and "nonferrous" in url)
    assert stage_total == 3


def test_the_dashboard_panel_is_hidden_from_who_reads_no_chain(client, lw):
    from yancheng.chains.selectors_dashboard import chain_panel

    assert chain_panel(lw.lianban_qd)["rows"] == []
    client.force_login(lw.world.supervisor)
    page = client.get(reverse("dashboard:index"))
    if page.status_code == 200 and not chain_panel(lw.world.supervisor)["rows"]:
        assert 'data-panel="chains"' not in page.content.decode()
