"""The Content-Security-Policy in Chromium (docs/security.md "Headers").

(a) The watch in conftest.py sees what the policy blocks: a script injected into a page
    is refused and reported (so a browser test cannot pass over a violation unnoticed).
(b) The API docs (Swagger UI from our own static files) render, and "Try it out" calls the
    API from the page, under the policy.
(c) The dashboard's chart tooltips show under the policy (they are drawn on the canvas).
(d) The Django admin works under the policy.
(e) The inspector's phone is refused the camera and the location by Permissions-Policy."""

import re
from decimal import Decimal

from yancheng.projects.models import Stage
from yancheng.projects.services.registry import project_create
from yancheng.testing.world import PERSONA_PASSWORD

from .conftest import login, screenshot


def test_an_injected_inline_script_and_handler_are_blocked_and_reported(page, csp_watch, browser_world):
    page.goto(page.base_url + "/accounts/login/")
    page.wait_for_selector("#id_username")
    # What an XSS would try: an inline <script>, an inline handler, a style attribute.
    page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.__pwned = true";
            document.body.appendChild(s);
            const d = document.createElement("div");
            d.innerHTML = '<img src="data:," onerror="window.__pwned2 = true">';
            document.body.appendChild(d);
        }"""
    )
    assert page.evaluate("() => window.__pwned === undefined && window.__pwned2 === undefined")
    found = csp_watch.flush()
    assert any("script-src-elem" in v or "script-src" in v for v in found), found
    assert any("script-src-attr" in v for v in found), found
    # This test caused them on purpose; the watch must not fail it.
    csp_watch.violations.clear()


def test_the_api_docs_render_and_try_a_call_under_the_policy(page, browser_world):
    login(page, "dispatcher", PERSONA_PASSWORD)
    page.wait_for_selector("h1")
    page.goto(page.base_url + "/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "雁城政企协同平台接口" in page.inner_text(".swagger-ui .info .title")
    operation = page.locator(".opblock-summary-path[data-path='/api/v1/me']").first
    operation.click()
    page.click(".opblock.is-open button.try-out__btn")
    page.click(".opblock.is-open button.execute")
    status_cell = page.locator(".opblock.is-open .live-responses-table tbody .response-col_status").first
    status_cell.wait_for()
    status = status_cell.inner_text()
    assert re.match(r"^\s*200", status), status
    screenshot(page, "api-docs-under-csp")


def test_the_phone_is_refused_the_camera_and_the_location(phone, browser_world):
    login(phone, "inspector", PERSONA_PASSWORD)
    phone.wait_for_selector("h1")
    assert phone.evaluate("() => typeof document.featurePolicy") == "object"
    allowed = phone.evaluate(
        """() => ["camera", "geolocation", "microphone", "payment", "usb", "fullscreen"].filter(
            (f) => document.featurePolicy.allowsFeature(f))"""
    )
    assert allowed == ["fullscreen"]  # the one feature not switched off, as a control


def test_the_dashboard_tooltip_shows_under_the_policy(page, browser_world):
    world = browser_world
    for n, stage in enumerate((Stage.SIGNED, Stage.CONSTRUCTION, Stage.CONSTRUCTION), start=1):
        project_create(
            actor=None, stage=stage, name=f"示例项目{n}", enterprise=world.enterprise_a, region=world.qidong,
            park=world.qidong_park, total_investment=Decimal(1000 * n), responsible_org=world.qidong_park,
        )
    login(page, "leader", PERSONA_PASSWORD)
    page.wait_for_selector("h1")
    page.goto(page.base_url + "/dashboard/")
    chart = page.locator(".chart[data-chart=stages]")
    page.wait_for_selector(".chart[data-chart=stages] canvas")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    # Sweep across the bars: ECharts shows its tooltip for the bar under the pointer.
    for step in range(1, 10):
        page.mouse.move(box["x"] + box["width"] * step / 10, box["y"] + box["height"] * 0.6)
    screenshot(page, "dashboard-tooltip-under-csp")


def test_the_django_admin_works_under_the_policy(page, browser_world):
    login(page, "system_admin", PERSONA_PASSWORD)
    page.wait_for_selector("h1")
    page.goto(page.base_url + "/admin/")
    page.wait_for_selector("#content")
    link = page.locator("#content a[href$='/change/'], #content table a").first
    link.click()
    page.wait_for_selector("#content")
    assert page.locator("#changelist, #content-main").count() >= 1
