"""The chains module's story in Chromium (issue 15 "Done when"), in Chinese and in English.

The 链长 of 有色金属 opens the chain from the menu, at a desk and on a phone: its home shows the
five lists and the map, and the map is a graph at the desk and a list on the phone. The chain's
office (链办), at a desk, places an enterprise on a node and marks the node 缺 with a reason,
turns that gap into a 招商 lead from the gap list, advances it to 签约 and converts it: the
project's page in 重大项目 exists, tagged with the chain. The 链长 then holds a meeting: the
agenda fills itself from the red items (the red problem, the gap just marked), a decision for
国网衡阳供电公司 is added and the meeting closed; the decision's case is assigned to that unit
with its deadline, and the unit's handler finds it, on the phone, behind the to-do
"待签收".

One world is built and committed for the module (``module_live_server``); each language's run
has a node and an enterprise of its own, so the two runs do not meet on PostgreSQL (on
SQLite what a test writes ends with it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from yancheng.cases.models import Case, Status
from yancheng.chains.models import ChainDecision, ChainMeeting, Lead, LeadStage, MapNode, Segment, Strength
from yancheng.chains.services.registry import node_add
from yancheng.core.models import Enterprise, User
from yancheng.core.services import enterprise_create
from yancheng.lib.uscc import complete
from yancheng.projects.models import Project, Stage
from yancheng.testing.chains import ChainWorld, build_chain_world
from yancheng.testing.world import PERSONA_PASSWORD, build_world

from ..chains.problems_world import overdue_case
from .conftest import (
    fits,
    follow,
    home_shows_the_to_dos,
    open_menu,
    own_words_in_chinese,
    pick,
    screenshot,
    sign_in_as,
)

LANGS = ("zh", "en")
FIVE_LISTS = {"chains:targets", "chains:projects", "chains:leads", "chains:problems", "chains:research", "chains:map"}
NODE_NAMES = {"zh": "再生铅", "en": "再生铜"}
REASON = "唯一企业尚在试生产，未形成稳定产能。"


@dataclass
class Run:
    node: MapNode
    enterprise: Enterprise


@dataclass
class Story:
    cw: ChainWorld
    red_case: Case
    runs: dict[str, Run] = field(default_factory=dict)


@pytest.fixture(scope="module")
def story(module_live_server) -> Story:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        cw = build_chain_world(build_world())
        # a red problem of the chain's 链主: three weeks past a five-day limit
        red = overdue_case(cw, enterprise=cw.enterprise_b, title="铜箔扩产用电增容迟迟未批")
        story = Story(cw=cw, red_case=red)
        for n, lang in enumerate(LANGS, start=1):
            node = node_add(cw.nonferrous, actor=None, code=f"recycling-{lang}", name=NODE_NAMES[lang],
                            segment=Segment.UPSTREAM, keywords="再生 回收", sort_order=10 + n)
            enterprise = enterprise_create(uscc=complete(f"91430407MA4N{n:04d}Y"),
                                           name=f"衡阳市示例再生资源{n}号有限公司", region=cw.shigu, actor=None)
            story.runs[lang] = Run(node=node, enterprise=enterprise)
        return story


def shot(tab, step: str, lang: str, device: str) -> None:
    screenshot(tab, f"chain-story-{step}-{lang}-{device}")
    fits(tab)


def english(tab, lang: str, selector: str = "main", *, data: tuple[str, ...] = ()) -> None:
    if lang == "en":
        left = own_words_in_chinese(tab, selector, data=(*data, "有色金属", "电子信息"))  # the chains' names
        assert not left, f"{selector} is not translated on {tab.url}: {left!r}"


def submit(tab, selector: str) -> None:
    with tab.expect_navigation():
        tab.click(selector)


def succeeded(tab) -> None:
    assert tab.locator(".msg-success").count() == 1, tab.inner_text("main")[:800]


# --- the story's steps ------------------------------------------------------------------------------


def leader_opens_the_chain(tab, story: Story, lang: str, device: str) -> None:
    """From the menu to the chain's home: the five lists and the map; then the map itself."""
    open_menu(tab)
    with tab.expect_navigation():
        tab.locator("nav.mainnav a[href='/chains/']").first.click()
    english(tab, lang, data=("有色金属", "电子信息"))
    shot(tab, "1-chains", lang, device)
    with tab.expect_navigation():
        tab.locator("main a[href='/chains/nonferrous/']").first.click()
    shown = set(tab.locator("[data-list]").evaluate_all("els => els.map((e) => e.dataset.list)"))
    assert shown >= FIVE_LISTS, shown
    english(tab, lang, data=("有色金属", "三色"))  # the 板块 is the profile's own text
    shot(tab, "2-chain-home", lang, device)
    with tab.expect_navigation():
        tab.click("[data-list='chains:map'] > div > a")  # the block's title; its figures link to filtered lists
    if device == "desk":
        tab.wait_for_selector("[data-chain-graph] canvas")
    else:
        assert tab.locator("[data-chain-graph]").is_hidden()
        assert tab.locator(".map-list [data-node=processing]").is_visible()
    assert story.cw.enterprise_b.name in tab.inner_text("main") or device == "desk"
    shot(tab, "3-map", lang, device)


def office_places_and_marks_a_gap(tab, run: Run, lang: str) -> None:
    node = run.node
    tab.goto(tab.base_url + f"/chains/nonferrous/map/{node.code}/")
    assert node.name in tab.inner_text("h1")
    pick(tab, "#id_place-enterprise", run.enterprise.name[-8:])
    tab.fill("#id_place-products", "再生铅锭")
    tab.fill("#id_place-annual_output", "3000")
    english(tab, lang, "#place", data=(run.enterprise.name,))
    shot(tab, "4-place", lang, "desk")
    submit(tab, "#place button[type=submit]")
    succeeded(tab)
    assert run.enterprise.name in tab.inner_text("#enterprises")
    assert node.placements.filter(enterprise=run.enterprise).count() == 1
    # the office knows better than the rule: one enterprise still on trial production is a gap
    tab.select_option("#id_override-strength", Strength.MISSING)
    tab.fill("#id_override-reason", REASON)
    submit(tab, "#strength form:has(input[name=step][value=override]) button[type=submit]")
    succeeded(tab)
    node.refresh_from_db()
    assert node.strength_override == Strength.MISSING and node.override_reason == REASON
    assert REASON in tab.inner_text("#strength")
    assert tab.inner_text("h1 .strength").strip() == ("缺" if lang == "zh" else "Missing")
    english(tab, lang, data=(node.name, run.enterprise.name))
    shot(tab, "5-gap-marked", lang, "desk")


def office_turns_the_gap_into_a_project(tab, story: Story, run: Run, lang: str) -> Project:
    cw, node = story.cw, run.node
    tab.goto(tab.base_url + "/chains/nonferrous/gaps/")
    row = tab.locator(f"tr[data-node='{node.code}']")
    assert row.count() == 1, f"{node.code} is not on the gap list"
    english(tab, lang, data=(node.name,))
    shot(tab, "6-gaps", lang, "desk")
    with tab.expect_navigation():
        row.locator("a.button.primary").click()  # the suggested direction: a missing node is 补链
    assert tab.locator("#id_node").input_value() == str(node.pk)
    assert tab.locator("#id_fill_kind").input_value() == "complete"
    investor = f"示例有色集团（{lang}）"
    tab.fill("#id_investor", investor)
    tab.fill("#id_project_name", f"{node.name}循环利用项目")
    tab.fill("#id_planned_investment", "60000")
    tab.select_option("#id_region", str(cw.shigu.pk))
    tab.select_option("#id_owner_org", str(cw.city_ndrc.pk))
    tab.fill("#id_next_step", "赴企业总部洽谈")
    tab.fill("#id_next_step_on", (timezone.localdate() + dt.timedelta(days=7)).isoformat())
    english(tab, lang)
    shot(tab, "7-lead-form", lang, "desk")
    submit(tab, "main form button[type=submit].primary")
    lead = Lead.objects.get(investor=investor)
    assert lead.node == node and lead.fill_kind == "complete" and lead.stage == LeadStage.CONTACT
    assert tab.url.endswith(f"/chains/nonferrous/leads/{lead.pk}/")
    for stage in (LeadStage.NEGOTIATING, LeadStage.SIGNED):
        box = tab.locator("details[data-step=advance]")
        if box.get_attribute("open") is None:
            box.locator("summary").click()
        submit(tab, "details[data-step=advance] button[type=submit]")
        succeeded(tab)
        lead.refresh_from_db()
        assert lead.stage == stage
    english(tab, lang, data=(investor, lead.project_name, node.name))
    shot(tab, "8-signed", lang, "desk")
    with tab.expect_navigation():
        tab.click(f"a[href$='/leads/{lead.pk}/convert/']")
    english(tab, lang)
    shot(tab, "9-convert", lang, "desk")
    submit(tab, "main form button[type=submit].primary")
    succeeded(tab)
    lead.refresh_from_db()
    project = lead.project
    assert project is not None and project.chain == cw.nonferrous and project.stage == Stage.SIGNED
    assert project.total_investment == Decimal("60000") and project.region == cw.shigu
    assert lead.stage == LeadStage.SIGNED and lead.events.count() >= 3  # the history is kept
    assert tab.locator(f"[data-project='{project.code}']").count() == 1
    shot(tab, "10-converted", lang, "desk")
    # the project's own page in 重大项目, with the chain
    tab.goto(tab.base_url + f"/projects/{project.pk}/")
    assert project.name in tab.inner_text("h1")
    assert "有色金属" in tab.inner_text("main")
    english(tab, lang, "main dl", data=(project.name, "有色金属"))
    shot(tab, "11-project", lang, "desk")
    return project


def leader_holds_a_meeting(tab, story: Story, run: Run, lang: str) -> Case:
    cw = story.cw
    tab.goto(tab.base_url + "/chains/nonferrous/meetings/")
    with tab.expect_navigation():
        tab.click("a[href$='/chains/nonferrous/meetings/new/']")
    title = f"有色金属产业链链长会议 {lang}"
    tab.fill("#id_title", title)
    tab.fill("#id_held_on", timezone.localdate().isoformat())
    english(tab, lang, data=("有色金属",))
    submit(tab, "main form button[type=submit].primary")
    meeting = ChainMeeting.objects.get(title=title)
    assert meeting.chair == cw.chain_leader
    submit(tab, "form[action$='/act/build/'] button[type=submit]")
    # the red items: the red problem and the gap the office has just marked
    assert tab.locator("h3[data-source=case]").count() == 1
    assert cw.enterprise_b.name in tab.inner_text("main") or story.red_case.title in tab.inner_text("main")
    gap_item = meeting.agenda.get(source="node", ref_id=run.node.pk)
    assert tab.locator(f"tr[data-item='{gap_item.pk}']").count() == 1
    tab.fill("#id_text", f"由发改委牵头对接{run.node.name}项目用电，供电公司十日内完成专线方案。")
    tab.select_option("#id_lead_org", str(cw.power_company.pk))
    tab.fill("#id_due_working_days", "10")
    tab.select_option("#id_agenda_item", str(gap_item.pk))
    english(tab, lang, data=(title, run.node.name))
    shot(tab, "12-meeting", lang, "desk")
    submit(tab, "form[action$='/act/add_decision/'] button[type=submit]")
    decision = ChainDecision.objects.get(meeting=meeting)
    submit(tab, "form[action$='/act/close/'] button[type=submit]")
    succeeded(tab)
    decision.refresh_from_db()
    assert decision.case_id is not None
    case = Case.objects.get(pk=decision.case_id)
    assert case.lead_org == cw.power_company and case.status == Status.ASSIGNED
    assert case.solve_due_at is not None and case.solve_due_at.date() > timezone.localdate()
    row = tab.locator(f"tr[data-decision='{decision.pk}']")
    assert case.number in row.inner_text()
    shot(tab, "13-closed", lang, "desk")
    return case


def handler_finds_the_case(tab, case: Case, lang: str) -> None:
    counts = home_shows_the_to_dos(tab, User.objects.get(username="handler_power"), lang)
    assert counts["cases.to_accept"] >= 1
    follow(tab, "cases.to_accept")
    row = tab.locator("tr.case-row", has_text=case.number)
    assert row.count() == 1, f"{case.number} is not in the handler's inbox"
    shot(tab, "14-inbox", lang, "phone")
    with tab.expect_navigation():
        row.locator("a.case-link").click()
    assert case.number in tab.inner_text("h1")
    shot(tab, "15-case", lang, "phone")


@pytest.mark.parametrize("lang", LANGS)
def test_a_gap_becomes_a_project_and_a_meeting_s_decision_an_assigned_case(browser, module_live_server, story, db,
                                                                         lang):
    base = module_live_server.url
    run = story.runs[lang]
    contexts: list = []
    try:
        for device in ("desk", "phone"):
            leader = sign_in_as(browser, base, "chain_leader", PERSONA_PASSWORD, lang, device, contexts)
            leader_opens_the_chain(leader, story, lang, device)
        office = sign_in_as(browser, base, "lianban", PERSONA_PASSWORD, lang, "desk", contexts)
        office_places_and_marks_a_gap(office, run, lang)
        office_turns_the_gap_into_a_project(office, story, run, lang)
        leader = sign_in_as(browser, base, "chain_leader", PERSONA_PASSWORD, lang, "desk", contexts)
        case = leader_holds_a_meeting(leader, story, run, lang)
        handler = sign_in_as(browser, base, "handler_power", PERSONA_PASSWORD, lang, "phone", contexts)
        handler_finds_the_case(handler, case, lang)
    finally:
        for context in contexts:
            context.close()
