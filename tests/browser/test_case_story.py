"""The seed story (SPEC §3 item 3) in Chromium, in Chinese: the paper-box maker reports
"高压专线未接入" from a phone with a photo; the park assigns it to the power company with
the county 发改局 as co-unit; the power company accepts, is told it cannot resolve before
the co-unit is done, then resolves; the enterprise follows it on the phone and rates 满意.
And the same inbox after pressing the English switch."""

import struct
import zlib

import pytest

from yancheng.cases.attachments import register
from yancheng.cases.models import Case, CaseTask, Status
from yancheng.cases.services import case_assign, case_submit
from yancheng.testing.world import PERSONA_PASSWORD

from .conftest import login, open_menu, screenshot


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x20\x80\x20" * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture(autouse=True)
def _cases_are_attachable():
    register()  # CasesConfig.ready() does this once wired in; twice is harmless


@pytest.fixture
def open_as(browser, live_server):
    """``open_as("dispatcher")`` / ``open_as("enterprise_a", phone=True)``: a logged-in tab
    in its own browser context (its own cookies)."""
    contexts = []

    def make(username: str, *, phone: bool = False):
        options = {"locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}
        if phone:
            options = {"locale": "zh-CN", "viewport": {"width": 390, "height": 844}, "is_mobile": True,
                       "has_touch": True, "device_scale_factor": 2}
        context = browser.new_context(**options)
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        tab.base_url = live_server.url
        login(tab, username, PERSONA_PASSWORD)
        tab.wait_for_selector("h1")
        return tab

    yield make
    for context in contexts:
        context.close()


def pick_unit(tab, select: str, typed: str, name: str) -> None:
    """Type part of a unit's name into the searchable picker over `select`, then press Enter
    on the one offered (the keyboard alone, once the picker is open)."""
    wrapper = f"{select} + .ts-wrapper"
    tab.click(f"{wrapper} .ts-control")
    tab.wait_for_selector(f"{wrapper}.focus .ts-dropdown .option")
    tab.keyboard.insert_text(typed)
    tab.wait_for_selector(f"{wrapper} .ts-dropdown .option.active:has-text('{name}')")
    tab.keyboard.press("Enter")
    tab.keyboard.press("Escape")


def no_sideways_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth") <= tab.viewport_size["width"] + 1


def test_the_seed_story_from_the_phone_to_the_power_company_and_back(open_as, browser_world):
    world = browser_world
    # 1. The enterprise reports the problem from a phone, with a photo.
    phone = open_as("enterprise_a", phone=True)
    open_menu(phone)
    phone.click("nav >> text=事项")
    phone.wait_for_selector("h1:has-text('本企业的事项')")
    phone.click("text=反映问题")
    phone.wait_for_selector("h1:has-text('反映问题')")
    assert phone.is_visible("label[for=id_title]") and phone.is_visible("label[for=id_description]")
    phone.fill("#id_title", "高压专线未接入")
    phone.fill("#id_subject", "纸箱包装生产线项目")
    phone.fill("#id_description", "厂房已建成，10kV 高压专线尚未接入，无法试生产。")
    phone.set_input_files("#id_attachments", files=[
        {"name": "现场照片.png", "mimeType": "image/png", "buffer": tiny_png()}])
    screenshot(phone, "case-1-enterprise-reports-on-phone")
    assert no_sideways_scroll(phone)
    phone.click("button[type=submit].primary")
    phone.wait_for_selector("h1.case-title")
    case = Case.objects.get()
    assert case.number in phone.inner_text("h1")
    assert "待受理" in phone.inner_text(".case-status")
    assert "现场照片.png" in phone.inner_text("section.attachments")
    assert no_sideways_scroll(phone)
    screenshot(phone, "case-2-enterprise-sees-submitted-case")

    # 2. The park's dispatcher finds it first in the inbox and assigns it.
    desk = open_as("dispatcher")
    desk.click("nav >> text=事项")
    desk.wait_for_selector("table.case-list")
    first_row = desk.locator("tr.case-row").first
    assert "高压专线未接入" in first_row.inner_text() and first_row.get_attribute("data-status") == "submitted"
    screenshot(desk, "case-3-dispatcher-inbox")
    first_row.locator("a.case-link").click()
    desk.wait_for_selector("#act-assign[open]")
    pick_unit(desk, "#id_assign-lead_org", "供电", "国网衡阳供电公司")
    pick_unit(desk, "#id_assign-co_orgs", "祁东县发展", "祁东县发展和改革局")
    desk.fill("#id_assign-co_instruction", "协调专线路由用地")
    desk.fill("#id_assign-solve_days", "5")
    screenshot(desk, "case-4-dispatcher-assign-form")
    desk.click("#act-assign button[type=submit]")
    desk.wait_for_selector(".msg-success")
    assert "已交办" in desk.inner_text(".case-status")
    assert "国网衡阳供电公司" in desk.inner_text("main")
    assert desk.locator("[data-clock=accept] .light").count() == 1
    assert desk.locator("[data-clock=solve] .light").count() == 1
    screenshot(desk, "case-5-assigned-with-two-clocks")

    # 3. The power company accepts; resolving is refused while the co-unit works.
    power = open_as("handler_power")
    power.goto(power.base_url + f"/cases/{case.pk}/")
    power.click("#act-accept button[type=submit]")
    power.wait_for_selector(".msg-success")
    assert "已签收" in power.inner_text(".case-status")
    power.fill("#id_resolve-resolution", "已按节点倒排工期，10kV 专线已接入送电。")
    power.click("#act-resolve button[type=submit]")
    power.wait_for_selector(".msg-error")
    refusal = power.inner_text(".messages")
    assert "祁东县发展和改革局" in refusal and "协办全部完成后才能办结" in refusal
    assert Case.objects.get().status == Status.ACCEPTED
    screenshot(power, "case-6-resolve-refused-while-co-unit-open")

    # 4. The county 发改局 completes its sub-task.
    ndrc = open_as("handler_other")
    ndrc.goto(ndrc.base_url + f"/cases/{case.pk}/")
    ndrc.fill("#id_complete_task-result", "专线路由用地已协调完毕。")
    ndrc.click("#act-complete_task button[type=submit]")
    ndrc.wait_for_selector(".msg-success")
    assert CaseTask.objects.get().status == CaseTask.TaskStatus.DONE
    screenshot(ndrc, "case-7-co-unit-done")

    # 5. Now the power company resolves.
    power.goto(power.base_url + f"/cases/{case.pk}/")
    power.fill("#id_resolve-resolution", "已按节点倒排工期，10kV 专线已接入送电。")
    power.click("#act-resolve button[type=submit]")
    power.wait_for_selector(".msg-success")
    assert "已办结" in power.inner_text(".case-status")

    # 6. The enterprise sees the progress and history on the phone and rates 满意.
    phone.goto(phone.base_url + "/cases/")
    phone.wait_for_selector("tr.case-row")
    assert "已办结" in phone.inner_text("tr.case-row")
    phone.click("tr.case-row a.case-link")
    phone.wait_for_selector("#act-rate[open]")
    history = phone.inner_text("ol.timeline")
    for step in ("提交", "交办", "签收", "协办完成", "办结"):
        assert step in history
    assert "10kV 专线已接入送电" in phone.inner_text("main")
    assert no_sideways_scroll(phone)
    screenshot(phone, "case-8-enterprise-sees-history")
    phone.check("#act-rate input[value=satisfied]")
    phone.fill("#id_rate-comment", "感谢供电公司和园区。")
    phone.click("#act-rate button[type=submit]")
    phone.wait_for_selector(".msg-success")
    assert "已评价" in phone.inner_text(".case-status")
    assert "满意" in phone.inner_text("main")
    screenshot(phone, "case-9-enterprise-rated-satisfied")
    case.refresh_from_db()
    assert (case.status, case.satisfaction) == (Status.CLOSED, "satisfied")
    assert world.enterprise_a == case.enterprise


def test_the_inbox_keeps_its_structure_in_english(open_as, browser_world):
    world = browser_world
    case = case_submit(actor=world.enterprise_a_user, title="高压专线未接入", description="专线未接入")
    case_assign(case, actor=world.dispatcher, lead_org=world.power_company, co_orgs=[world.qidong_ndrc])
    case_submit(actor=world.enterprise_a_user, title="蒸汽管道未通", description="待受理")
    desk = open_as("dispatcher")
    desk.goto(desk.base_url + "/cases/")
    desk.wait_for_selector("table.case-list")
    zh_rows = desk.locator("tr.case-row").count()
    zh_chips = desk.locator(".chips a.chip").count()
    desk.click("button[lang=en]")
    desk.wait_for_selector("html[lang=en]")
    assert desk.get_attribute("button[lang=en]", "aria-current") == "true"
    assert desk.locator("tr.case-row").count() == zh_rows == 2
    assert desk.locator(".chips a.chip").count() == zh_chips
    assert desk.locator("tr.case-row").first.get_attribute("data-status") == "submitted"
    assert desk.locator("tr.case-row[data-light=green] td.clock .light").count() == 2
    assert desk.locator("form.filters label").count() == desk.locator("form.filters select, form.filters input:not([type=hidden])").count()
    screenshot(desk, "case-10-inbox-en")
    desk.locator("a.case-link").first.click()
    desk.wait_for_selector("#act-assign[open]")
    assert desk.locator("html[lang=en]").count() == 1
    screenshot(desk, "case-11-case-en")
