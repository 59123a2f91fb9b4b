"""The chain map in Chromium, in Chinese and in English, at a desk and on a phone: the chain
office opens 有色金属's map; at a desk it clicks the 精深加工 node on the graph and sees
enterprise B (its 链主) in the side panel; on a phone the map is a list grouped by 链位 and the
node shows its enterprises. Nothing scrolls sideways; the page breaks no CSP rule."""

from __future__ import annotations

import pytest
from django.test import override_settings

from yancheng.testing.chains import ChainWorld, build_chain_world
from yancheng.testing.world import PERSONA_PASSWORD, build_world

from .conftest import VIEWPORTS, fits, open_menu, screenshot

RUNS = [("zh", "desk"), ("zh", "phone"), ("en", "desk"), ("en", "phone")]

# Where the node is drawn on the canvas: ECharts converts the node's layout to pixels.
_NODE_PIXEL = """(code) => {
  const el = document.querySelector("[data-chain-graph]");
  const chart = window.echarts.getInstanceByDom(el);
  const model = chart.getModel().getSeriesByIndex(0);
  const index = model.getData().indexOfName(model.getData().getName(
    model.getData().mapArray((i) => i).find((i) => model.getData().getId(i) === code)));
  const layout = model.getData().getItemLayout(index);
  const xy = chart.convertToPixel({seriesIndex: 0}, layout);
  const box = el.getBoundingClientRect();
  return [box.left + xy[0], box.top + xy[1]];
}"""


def _sign_in(browser, base_url: str, lang: str, device: str, contexts: list):
    """The chain office signed in at the device's size, in the language chosen on the login page.
    (Its home has no to-dos yet, so the sign-in waits for the workbench's heading.)"""
    context = browser.new_context(locale="zh-CN", **VIEWPORTS[device])
    contexts.append(context)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.goto(base_url + "/accounts/login/")
    if lang == "en":
        open_menu(tab)
        tab.click("button[lang=en]")
        tab.wait_for_selector("html[lang=en]")
    tab.fill("#id_username", "lianban")
    tab.fill("#id_password", PERSONA_PASSWORD)
    tab.click("button[type=submit].primary")
    tab.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert tab.get_attribute("html", "lang").startswith(lang)
    return tab


@pytest.fixture(scope="module")
def chain_world(module_live_server) -> ChainWorld:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        return build_chain_world(build_world())


@pytest.mark.parametrize(("lang", "device"), RUNS)
def test_the_office_clicks_a_node_and_sees_its_enterprises(browser, module_live_server, chain_world, db, lang,
                                                          device):
    contexts: list = []
    try:
        tab = _sign_in(browser, module_live_server.url, lang, device, contexts)
        tab.goto(module_live_server.url + "/chains/nonferrous/map/")
        name_b = chain_world.enterprise_b.name
        if device == "desk":
            tab.wait_for_selector("[data-chain-graph] canvas")
            assert tab.locator(".map-list").is_hidden()
            x, y = tab.evaluate(_NODE_PIXEL, "processing")
            tab.mouse.click(x, y)
            panel = tab.locator("#node-panel [data-node-panel=processing]")
            panel.wait_for()
            assert name_b in panel.inner_text()
            assert ("精深加工" if lang == "zh" else "Related projects") in tab.locator("#node-panel").inner_text()
        else:
            assert tab.locator("[data-chain-graph]").is_hidden()
            node = tab.locator(".map-list [data-node=processing]")
            assert node.is_visible() and name_b in node.inner_text()
            headings = tab.locator(".map-list .segment-title").all_inner_texts()
            assert headings == (["上游", "中游", "下游"] if lang == "zh" else ["Upstream", "Midstream", "Downstream"])
        path = screenshot(tab, f"chain-map-{lang}-{device}")
        assert path.exists()
        fits(tab)
        # the node's own page, with the office's forms, fits too
        tab.goto(module_live_server.url + "/chains/nonferrous/map/processing/")
        assert name_b in tab.locator("#enterprises").inner_text()
        screenshot(tab, f"chain-node-{lang}-{device}")
        fits(tab)
    finally:
        for context in contexts:
            context.close()
