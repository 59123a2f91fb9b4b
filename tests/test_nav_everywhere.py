"""Every page keeps its role's main navigation: a page's own context may not hide the
``perms`` the navigation reads (the project page once did, and lost 事项, 挂图作战,
重大项目 and 通报 for every role)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from yancheng.cases.escalation import escalation_tick
from yancheng.cases.services import case_assign, case_submit
from yancheng.projects.services.registry import project_create

SH = dt.timezone(dt.timedelta(hours=8))

NAV = {
    "dispatcher": ["工作台", "事项", "挂图作战", "重大项目", "周调度", "通报"],
    "handler_power": ["工作台", "事项", "重大项目"],
    "leader": ["工作台", "事项", "挂图作战", "重大项目", "周调度", "通报"],
    "enterprise_a": ["工作台", "事项", "重大项目", "本企业"],
}


@pytest.fixture
def pages(world):
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH), tick=False):
        project = project_create(name="祁东纸箱智能工厂", code="QD-1", region=world.qidong, park=world.qidong_park,
                                 total_investment=Decimal("50000"), responsible_org=world.qidong_park,
                                 enterprise=world.enterprise_a, actor=None)
        case = case_submit(actor=world.enterprise_a_user, title="高压专线未接入", description="专线尚未接入。")
        case_assign(case, actor=world.dispatcher, lead_org=world.power_company, solve_days=5)
        # Left undone for months, the case goes up to 督办, where the leader sees it.
        escalation_tick(now=dt.datetime(2026, 6, 10, 10, 0, tzinfo=SH))
    return [
        reverse("core:home"),
        reverse("projects:project_list"),
        reverse("projects:project_detail", args=[project.pk]),
        reverse("cases:case_inbox"),
        reverse("cases:case_detail", args=[case.pk]),
    ]


def nav_links(body: str) -> list[str]:
    nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', body, re.S)
    assert nav is not None
    return [re.sub(r"\s+", "", text) for text in re.findall(r"<a [^>]*>(.*?)</a>", nav.group(1), re.S)]


@pytest.mark.parametrize("persona", sorted(NAV))
def test_every_page_shows_the_roles_main_navigation(client, world, pages, persona):
    user = world.enterprise_a_user if persona == "enterprise_a" else getattr(world, persona)
    client.force_login(user)
    seen = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        links = nav_links(response.content.decode())
        assert set(NAV[persona]) <= set(links), (url, links)
        seen[url] = links
    assert len({tuple(links) for links in seen.values()}) == 1, seen


def test_in_english_the_enterprise_list_is_plural_and_a_column_singular(client, world):
    """One Chinese word, two English ones: 企业 as the list (nav, title) is "Enterprises", as a
    column or a field it is "Enterprise" (the list's is the msgctxt "list")."""
    client.force_login(world.supervisor)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("inspections:inspection_alerts")).content.decode()
    assert re.search(r'<nav class="mainnav".*?>Enterprises</a>', html, re.S)
    assert re.search(r"<th[^>]*>Enterprise</th>", html), "the column is one enterprise"
    listing = client.get(reverse("core:enterprise_list")).content.decode()
    assert re.search(r"<h1>Enterprises <span", listing)


CHAIN_NAV = {
    "lianban": ["工作台", "重大项目", "产业链"],
    "chain_leader": ["工作台", "事项", "挂图作战", "重大项目", "周调度", "通报", "产业链"],
}


@pytest.mark.parametrize("persona", sorted(CHAIN_NAV))
def test_every_chain_page_shows_the_roles_main_navigation(client, world, persona):
    """The chains module's pages (a chain's home, its five lists, the map, a node, the gaps and
    the meetings) keep the role's navigation, with 产业链 in it."""
    from yancheng.testing.chains import build_chain_world

    cw = build_chain_world(world)
    client.force_login(cw.users[persona])
    code = cw.nonferrous.code
    pages = [reverse("chains:home")] + [
        reverse(f"chains:{name}", args=[code])
        for name in ("chain", "enterprises", "targets", "projects", "leads", "gaps", "problems", "research", "map",
                     "meetings")
    ] + [reverse("chains:node", args=[code, "processing"]), reverse("core:home")]
    seen = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        links = nav_links(response.content.decode())
        assert set(CHAIN_NAV[persona]) <= set(links), (url, links)
        seen[url] = links
    assert len({tuple(links) for links in seen.values()}) == 1, seen
