"""The workbench in a real browser: the dispatcher signs in and lands on his to-do list,
opens a count and finds the list behind it — on a desktop and on a 360-pixel phone, where
nothing scrolls sideways."""

import pytest

from yancheng.cases.services import case_submit
from yancheng.testing.world import PERSONA_PASSWORD

from .conftest import login, screenshot


@pytest.fixture
def submitted(browser_world):
    case_submit(actor=browser_world.enterprise_a_user, title="高压专线未接入", description="无法试生产。")
    return browser_world


def no_sideways_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth") <= tab.viewport_size["width"] + 1


@pytest.mark.parametrize("width", [1280, 360])
def test_the_dispatcher_lands_on_his_to_dos_and_opens_the_list_behind_one(browser, live_server, submitted, width):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800},
                                  is_mobile=width < 600, has_touch=width < 600)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.base_url = live_server.url
    try:
        login(tab, "dispatcher", PERSONA_PASSWORD)
        tab.wait_for_selector("h2:has-text('待办事项')")
        item = tab.locator("[data-todo='cases.to_assign']")
        assert item.locator(".num").inner_text().strip() == "1"
        assert no_sideways_scroll(tab)
        screenshot(tab, f"workbench-dispatcher-{width}")
        item.click()
        tab.wait_for_selector("h1 .badge")
        assert tab.locator("h1 .badge").inner_text().strip() == "1"
        assert "高压专线未接入" in tab.inner_text("main")
    finally:
        context.close()
