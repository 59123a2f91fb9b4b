"""扫码入企 on a phone: the inspector's camera opens the enterprise's supervision-code URL
(the scan is simulated by going to it), he signs in, registers the visit with his colleague
and a published item, and records the result before leaving — once in Chinese and once
after choosing English."""

import pytest

from yancheng.inspections.models import Inspection
from yancheng.testing.inspections import build_inspection_world
from yancheng.testing.world import CERTIFICATES, PERSONA_PASSWORD

from .conftest import open_menu, screenshot


@pytest.fixture
def inspection_world(browser_world):
    return build_inspection_world(browser_world)


def no_sideways_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth") <= tab.viewport_size["width"] + 1


def scan_register_and_finish(phone, iw, *, english: bool) -> Inspection:
    scan_url = phone.base_url + f"/i/{iw.code_a.token}/"
    if english:
        phone.goto(phone.base_url + "/accounts/login/")
        phone.click("button[lang=en]")
        phone.wait_for_selector("html[lang=en]")
    # the phone's camera opens the code's URL: not signed in yet, so the login page comes first
    phone.goto(scan_url)
    assert "/accounts/login/" in phone.url
    phone.fill("#id_username", "inspector")
    phone.fill("#id_password", PERSONA_PASSWORD)
    phone.click("button[type=submit].primary")
    phone.wait_for_selector("form[data-register]")
    assert phone.url == scan_url
    assert iw.world.enterprise_a.name in phone.inner_text("h1")
    assert "0 / 2" in phone.inner_text("main")  # food safety: none of 2 used this year
    assert no_sideways_scroll(phone)
    suffix = "en" if english else "zh"
    screenshot(phone, f"inspection-phone-register-{suffix}")

    # a non-enforcement purpose is hidden until that kind is chosen
    assert not phone.is_visible("input[name=purpose]")
    phone.check(f"input[name=colleagues][value='{iw.licences['inspector2'].pk}']")
    phone.check(f"input[name=items][value='{iw.food.pk}']")
    phone.select_option("#id_outside_plan_reason", "superior")
    assert not phone.is_visible("#id_entry_mode_reason")
    phone.click("form[data-register] button[type=submit]")
    phone.wait_for_selector("a[href$='/finish/']")
    inspection = Inspection.objects.get(enterprise=iw.world.enterprise_a)
    body = phone.inner_text("main")
    assert inspection.number in body and CERTIFICATES["inspector2"] in body
    assert inspection.found_by == "code" and inspection.inspectors.count() == 2
    assert no_sideways_scroll(phone)
    screenshot(phone, f"inspection-phone-registered-{suffix}")

    phone.click("a[href$='/finish/']")
    phone.wait_for_selector("input[name=outcome]")
    phone.check("input[name=outcome][value=rectify]")
    phone.fill("#id_result", "冷库温控记录不全，责令7日内整改")
    screenshot(phone, f"inspection-phone-finish-{suffix}")
    phone.click("form button[type=submit].primary")
    phone.wait_for_selector("text=冷库温控记录不全")
    inspection.refresh_from_db()
    assert inspection.status == "finished" and inspection.outcome == "rectify"
    assert no_sideways_scroll(phone)
    screenshot(phone, f"inspection-phone-finished-{suffix}")
    return inspection


def test_an_inspector_scans_registers_and_finishes_on_a_phone(phone, inspection_world):
    inspection = scan_register_and_finish(phone, inspection_world, english=False)
    assert "已结束" in phone.inner_text("main")
    phone.goto(phone.base_url + "/inspections/")
    phone.wait_for_selector("input[name=q]")
    assert inspection.number in phone.inner_text("main")
    assert no_sideways_scroll(phone)
    screenshot(phone, "inspection-phone-home-zh")


def test_an_inspector_confirms_an_exceeded_cap_on_a_phone(phone, inspection_world):
    from yancheng.inspections.registration.register import inspection_register

    iw = inspection_world
    for _ in range(2):
        inspection_register(actor=iw.world.inspector, enterprise=iw.world.enterprise_a, found_by="uscc",
                            kind="enforcement", items=[iw.food], outside_plan_reason="superior",
                            inspectors=[CERTIFICATES["inspector"], CERTIFICATES["inspector2"]])
    phone.goto(phone.base_url + "/accounts/login/")
    phone.fill("#id_username", "inspector")
    phone.fill("#id_password", PERSONA_PASSWORD)
    phone.click("button[type=submit].primary")
    phone.wait_for_selector("h1")
    phone.goto(phone.base_url + "/inspections/")
    phone.fill("input[name=q]", f"统一社会信用代码：{iw.world.enterprise_a.uscc}")
    phone.click("form[action$='/find/'] button[type=submit]")
    phone.wait_for_selector("form[data-register]")
    assert "2 / 2" in phone.inner_text("main") and "已达上限" in phone.inner_text("main")
    phone.check(f"input[name=colleagues][value='{iw.licences['inspector2'].pk}']")
    phone.check(f"input[name=items][value='{iw.food.pk}']")
    phone.select_option("#id_outside_plan_reason", "superior")
    phone.click("form[data-register] button[type=submit]")
    phone.wait_for_selector("#ack")
    assert "超过频次上限" in phone.inner_text("#ack")
    assert Inspection.objects.count() == 2
    screenshot(phone, "inspection-phone-acknowledge-zh")
    phone.check("#id_acknowledge_warnings")
    phone.click("form[data-register] button[type=submit]")
    phone.wait_for_selector("a[href$='/finish/']")
    assert Inspection.objects.count() == 3
    assert Inspection.objects.order_by("-pk").first().found_by == "licence_qr"
    assert "超过频次上限" in phone.inner_text("main")


def test_the_same_on_a_phone_in_english(phone, inspection_world):
    scan_register_and_finish(phone, inspection_world, english=True)
    assert phone.get_attribute("html", "lang") == "en"
    assert "Log out" not in phone.inner_text("header")  # folded into the menu on a phone
    open_menu(phone)
    assert "Log out" in phone.inner_text("header")
