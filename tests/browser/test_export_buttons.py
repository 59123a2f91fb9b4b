"""A list's 导出 Excel on a 360 px phone: the button sits on the page without sideways
scroll, downloads a file named in Chinese, and is not printed."""

from urllib.parse import unquote

from yancheng.core.notifications.services import notify
from yancheng.testing.world import PERSONA_PASSWORD

from .conftest import login, screenshot


def test_the_inbox_export_button_on_a_phone_downloads_and_is_not_printed(browser, live_server, browser_world):
    notify(recipients=[browser_world.dispatcher], verb="case.assigned", title="新交办事项：高压专线未接入",
           body="请及时受理。", url="/cases/1/", actor=None)
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 780}, is_mobile=True,
                                  has_touch=True, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.base_url = live_server.url
    try:
        login(page, "dispatcher", PERSONA_PASSWORD)
        page.wait_for_selector("h1:has-text('工作台')")
        page.goto(page.base_url + "/notifications/?unread=1")
        button = page.get_by_role("link", name="导出 Excel")
        assert button.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(page, "export-button-phone")
        with page.expect_download() as info:
            button.click()
        download = info.value
        assert unquote(download.suggested_filename).startswith("我的通知-")
        assert download.suggested_filename.endswith(".xlsx")
        page.emulate_media(media="print")
        assert not button.is_visible()
    finally:
        context.close()
