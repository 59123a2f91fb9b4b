"""A clerk, an enterprise and an administrator in a real browser (Chinese, English, phone)."""

from yancheng.core.models import Enterprise
from yancheng.lib.uscc import complete
from yancheng.testing.world import PERSONA_PASSWORD

from .conftest import login, screenshot


def test_a_dispatcher_logs_in_sees_his_park_and_switches_to_english(page, browser_world):
    login(page, "dispatcher", PERSONA_PASSWORD)
    page.wait_for_selector("h1:has-text('工作台')")
    assert "祁东经济开发区" in page.inner_text("header")
    page.click("nav >> text=企业")
    page.wait_for_selector("h1:has-text('企业')")
    body = page.inner_text("main")
    assert "祁东县示例纸箱包装有限公司" in body
    assert "衡阳示例机械制造有限公司" not in body
    screenshot(page, "enterprises-zh")
    page.click("button[lang=en]")
    page.wait_for_selector("h1:has-text('Enterprises')")
    assert "Filter" in page.inner_text("main")
    screenshot(page, "enterprises-en")


def test_an_administrator_is_told_which_character_of_a_bad_code_is_wrong(page, browser_world):
    login(page, "system_admin", PERSONA_PASSWORD)
    page.goto(page.base_url + "/enterprises/new/")
    good = complete("91430426MA4LBRW01")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    page.fill("#id_uscc", bad)
    page.fill("#id_name", "浏览器测试有限公司")
    page.select_option("#id_region", label="祁东县（430426）")
    page.click("button[type=submit].primary")
    page.wait_for_selector("[role=alert]")
    assert f"第 18 位应为 {good[17]}" in page.inner_text("main")
    screenshot(page, "enterprise-bad-uscc")
    page.fill("#id_uscc", good)
    page.click("button[type=submit].primary")
    page.wait_for_selector("h1:has-text('浏览器测试有限公司')")
    assert Enterprise.objects.filter(uscc=good).exists()


def test_an_enterprise_user_on_a_phone_sees_only_its_own_enterprise(phone, browser_world):
    login(phone, "enterprise_a", PERSONA_PASSWORD)
    phone.wait_for_selector("h1:has-text('工作台')")
    assert "祁东县示例纸箱包装有限公司" in phone.inner_text("main")
    phone.goto(phone.base_url + f"/enterprises/{browser_world.enterprise_b.pk}/")
    assert "衡阳示例机械制造有限公司" not in phone.content()
    phone.goto(phone.base_url + "/enterprises/")
    phone.wait_for_selector("h1:has-text('祁东县示例纸箱包装有限公司')")
    # nothing wider than the phone's screen
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
    screenshot(phone, "enterprise-phone")
