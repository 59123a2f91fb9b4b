"""The header on a phone (issue 12 §6): a bar of about 56 px with the site's name and a
菜单 button that opens the nav and the account links; keyboard users open it with Enter,
Tab into it and close it with Escape. On a desktop the header is the full one, as before.
An enterprise user is offered no API token, on a phone or a desktop."""

from yancheng.testing.world import PERSONA_PASSWORD

from .conftest import login, screenshot


def test_the_phone_header_is_a_bar_that_opens_into_the_menu(phone, browser_world):
    login(phone, "enterprise_a", PERSONA_PASSWORD)
    phone.wait_for_selector("main h1, main h2")
    bar = phone.locator("header.topbar").bounding_box()
    assert bar is not None and bar["height"] <= 64, bar
    toggle = phone.locator(".menu-toggle")
    assert toggle.is_visible() and toggle.inner_text().strip().startswith("菜单")
    # a screen reader hears "菜单", not the arrow drawn after it
    assert phone.get_by_role("button", name="菜单", exact=True).count() == 1
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not phone.locator("nav.mainnav").is_visible()
    assert phone.locator("text=API 令牌").count() == 0
    screenshot(phone, "phone-header-closed")

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert phone.locator("nav.mainnav a", has_text="监督码").is_visible()
    assert phone.locator(".topbar-right button", has_text="退出").is_visible()
    assert phone.locator("text=API 令牌").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "phone-header-open")
    phone.locator("nav.mainnav a", has_text="检查预告").click()
    phone.wait_for_url("**/announcements/**")
    assert phone.locator(".menu-toggle").get_attribute("aria-expanded") == "false"


def test_the_menu_opens_and_closes_from_the_keyboard(phone, browser_world):
    login(phone, "dispatcher", PERSONA_PASSWORD)
    phone.wait_for_selector("main h1, main h2")
    phone.locator(".menu-toggle").focus()
    phone.keyboard.press("Enter")
    assert phone.locator(".menu-toggle").get_attribute("aria-expanded") == "true"
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.closest('#site-menu') !== null")
    assert phone.evaluate("document.activeElement.textContent.trim()") == "工作台"
    phone.keyboard.press("Escape")
    assert phone.locator(".menu-toggle").get_attribute("aria-expanded") == "false"
    assert phone.evaluate("document.activeElement.classList.contains('menu-toggle')")
    assert not phone.locator("nav.mainnav").is_visible()


def test_the_phone_menu_speaks_english(phone, browser_world):
    login(phone, "handler_power", PERSONA_PASSWORD)
    phone.wait_for_selector("main h1, main h2")
    phone.locator(".menu-toggle").click()
    phone.locator(".langswitch button[value=en]").click()
    phone.wait_for_selector("html[lang=en]")
    toggle = phone.locator(".menu-toggle")
    assert toggle.inner_text().strip().startswith("Menu")
    assert phone.locator("header.topbar").bounding_box()["height"] <= 64
    toggle.click()
    assert phone.locator("nav.mainnav a", has_text="Workbench").is_visible()
    screenshot(phone, "phone-header-open-en")


def test_the_desktop_header_shows_everything_without_a_menu_button(page, browser_world):
    login(page, "dispatcher", PERSONA_PASSWORD)
    page.wait_for_selector("main h1, main h2")
    assert not page.locator(".menu-toggle").is_visible()
    assert page.locator("nav.mainnav a", has_text="事项").is_visible()
    assert page.locator(".topbar-right a", has_text="API 令牌").is_visible()
    assert page.locator(".whoami").is_visible()
    screenshot(page, "desktop-header")


def test_a_list_on_a_phone_names_each_value_by_its_column(phone, browser_world):
    """Responsive lists show rows as cards without the header row: each value carries its
    column's name (static/js/tables.js fills what the template did not)."""
    login(phone, "dispatcher", PERSONA_PASSWORD)
    phone.wait_for_selector("main h1, main h2")
    phone.goto(phone.base_url + "/enterprises/")
    first = phone.locator("table.list.responsive tbody tr").first.locator("td")
    assert first.nth(0).get_attribute("data-label") == "企业名称"  # the sort arrow is not part of it
    assert first.nth(1).get_attribute("data-label") == "统一社会信用代码"
    shown = phone.evaluate("getComputedStyle(document.querySelector("
                           "'table.list.responsive tbody td'), '::before').content")
    assert shown == '"企业名称："', shown
    screenshot(phone, "enterprises-phone-labelled")
