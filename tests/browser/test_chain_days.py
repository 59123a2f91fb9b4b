"""The chains personas' days in Chromium, in Chinese and in English, at a desk (1280 px) and on a
phone (360 px), nothing scrolling sideways (the pattern of test_persona_days.py).

The chain office's (链办, ``lianban``): the home shows its to-dos with their counts; "招商线索待跟进
· 有色金属" opens the chain's leads lit red or yellow, as many as the count; it records a
follow-up on one of them with the next step and its date, and the lead is no longer stale: the
to-do counts one less.

The 链长's (``chain_leader``): the home shows the chain's red problems; the line opens the
重点问题清单 filtered to them, as many as the count; the 链长 calls a meeting and builds its
agenda, and the red problem is on it.

One world is built and committed for the module (``module_live_server``): the chain world,
a red problem of the chain's 链主, and a stale lead for each run of the office's day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from yancheng.cases.models import Case
from yancheng.chains.models import ChainMeeting, Lead
from yancheng.testing.chains import ChainWorld, build_chain_world
from yancheng.testing.world import PERSONA_PASSWORD, build_world

from ..chains.leads_world import make_lead
from ..chains.problems_world import overdue_case
from .conftest import badge, fits, follow, home_shows_the_to_dos, own_words_in_chinese, screenshot, sign_in_as

RUNS = [("zh", "desk"), ("zh", "phone"), ("en", "desk"), ("en", "phone")]
days = pytest.mark.parametrize(("lang", "device"), RUNS)
CHAINS = ("有色金属", "电子信息")


@dataclass
class ChainDays:
    cw: ChainWorld
    red_case: Case
    stale: dict[tuple[str, str], Lead] = field(default_factory=dict)


@pytest.fixture(scope="module")
def chain_days(module_live_server) -> ChainDays:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        cw = build_chain_world(build_world())
        red = overdue_case(cw, enterprise=cw.enterprise_b, title="铜箔扩产用电增容迟迟未批")
        chain_days = ChainDays(cw=cw, red_case=red)
        # leads nobody has followed for ten weeks: red
        with time_machine.travel(timezone.now() - dt.timedelta(days=70), tick=False):
            for n, run in enumerate(RUNS, start=1):
                chain_days.stale[run] = make_lead(cw, investor=f"示例矿业集团{n}号", project_name=f"铅锌深加工项目{n}",
                                                  next_step="约见企业负责人",
                                                  next_step_on=timezone.localdate() + dt.timedelta(days=7))
        return chain_days


@pytest.fixture
def open_as(browser, module_live_server, chain_days, db):
    contexts: list = []

    def make(username: str, lang: str, device: str):
        return sign_in_as(browser, module_live_server.url, username, PERSONA_PASSWORD, lang, device, contexts)

    yield make
    for context in contexts:
        context.close()


def shot(tab, persona: str, step: str, lang: str, device: str) -> None:
    screenshot(tab, f"chain-day-{persona}-{step}-{lang}-{device}")
    fits(tab)


def english(tab, lang: str, selector: str = "main", *, data: tuple[str, ...] = ()) -> None:
    if lang == "en":
        left = own_words_in_chinese(tab, selector, data=(*data, *CHAINS))
        assert not left, f"{selector} is not translated on {tab.url}: {left!r}"


def todo_count(tab, key: str) -> int:
    tab.goto(tab.base_url + "/")
    tab.wait_for_selector("#todo-heading")
    return int(tab.locator(f"[data-todo='{key}'] .num").inner_text().strip())


@days
def test_the_chain_office_follows_up_a_stale_lead(open_as, chain_days, lang, device):
    cw = chain_days.cw
    lead = chain_days.stale[(lang, device)]
    key = "chains.leads.stale.nonferrous"
    tab = open_as("lianban", lang, device)
    counts = home_shows_the_to_dos(tab, cw.lianban, lang, data=CHAINS)
    stale = counts[key]
    assert stale is not None and stale >= 1
    assert "chains.problems.red.nonferrous" in counts
    shot(tab, "office", "1-home", lang, device)
    follow(tab, key)
    assert "light=stale" in tab.url
    assert badge(tab) == stale == tab.locator("tr[data-lead]").count()
    english(tab, lang, "table thead")
    shot(tab, "office", "2-stale", lang, device)
    with tab.expect_navigation():
        tab.locator(f"tr[data-lead='{lead.pk}'] a[href$='/leads/{lead.pk}/']").click()
    box = tab.locator("details[data-step=follow_up]")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    box.locator("[name=text]").fill("已与企业投资部电话沟通，对方有意考察。")
    box.locator("[name=next_step]").fill("陪同企业实地考察园区")
    next_on = timezone.localdate() + dt.timedelta(days=10)
    box.locator("[name=next_step_on]").fill(next_on.isoformat())
    english(tab, lang, data=(lead.investor, lead.project_name, lead.next_step))
    shot(tab, "office", "3-follow-up", lang, device)
    with tab.expect_navigation():
        box.locator("button[type=submit]").click()
    assert tab.locator(".msg-success").count() == 1, tab.inner_text("main")[:600]
    lead.refresh_from_db()
    assert lead.last_activity_on == timezone.localdate() and lead.next_step_on == next_on
    shot(tab, "office", "4-followed", lang, device)
    assert todo_count(tab, key) == stale - 1


@days
def test_the_chain_leader_sees_the_red_problems_and_puts_them_on_a_meeting(open_as, chain_days, lang, device):
    cw = chain_days.cw
    key = "chains.problems.red.nonferrous"
    tab = open_as("chain_leader", lang, device)
    counts = home_shows_the_to_dos(tab, cw.chain_leader, lang, data=CHAINS)
    red = counts[key]
    assert red is not None and red >= 1
    shot(tab, "leader", "1-home", lang, device)
    follow(tab, key)
    assert badge(tab) == red == tab.locator("tr[data-case]").count()
    assert tab.locator(f"tr[data-case='{chain_days.red_case.pk}']").count() == 1
    english(tab, lang, "table thead")
    shot(tab, "leader", "2-red-problems", lang, device)
    tab.goto(tab.base_url + "/chains/nonferrous/meetings/")
    with tab.expect_navigation():
        tab.click("a[href$='/chains/nonferrous/meetings/new/']")
    title = f"有色金属产业链月度调度会 {lang} {device}"
    tab.fill("#id_title", title)
    tab.fill("#id_held_on", timezone.localdate().isoformat())
    with tab.expect_navigation():
        tab.click("main form button[type=submit].primary")
    meeting = ChainMeeting.objects.get(title=title)
    with tab.expect_navigation():
        tab.click("form[action$='/act/build/'] button[type=submit]")
    item = meeting.agenda.get(source="case", ref_id=chain_days.red_case.pk)
    assert tab.locator(f"tr[data-item='{item.pk}']").count() == 1
    english(tab, lang, data=(title,))
    shot(tab, "leader", "3-agenda", lang, device)
