"""The dispatcher's unit picker on the case page: grouped (department / utility / county /
park) in the server's HTML, searchable once its script runs, at a desk and on a 360 px phone,
in Chinese and English; the choice is still checked by the server."""

import pytest

from yancheng.cases.models import Case, CaseTask, Status
from yancheng.cases.services import case_submit

from .conftest import screenshot
from .test_case_story import no_sideways_scroll, open_as, pick_unit  # noqa: F401 - open_as is a fixture


@pytest.fixture
def reported(browser_world):
    world = browser_world
    return case_submit(actor=world.enterprise_a_user, title="高压专线未接入", description="厂房已建成，专线尚未接入。")


def test_the_dispatcher_types_part_of_a_name_picks_it_and_assigns(open_as, browser_world, reported):  # noqa: F811
    world = browser_world
    desk = open_as("dispatcher")
    desk.goto(desk.base_url + f"/cases/{reported.pk}/")
    desk.wait_for_selector("#act-assign[open] .ts-wrapper")
    groups = desk.eval_on_selector_all("#id_assign-lead_org optgroup", "gs => gs.map(g => g.label)")
    assert groups == ["市直部门和机构", "公用事业单位", "县市区", "园区"]
    # The search narrows the list as one types; a name that matches nothing says so.
    desk.click("#id_assign-lead_org + .ts-wrapper .ts-control")
    desk.keyboard.type("没有这个单位")
    desk.wait_for_selector("#id_assign-lead_org + .ts-wrapper .no-results:has-text('没有匹配的单位')")
    desk.keyboard.press("Escape")
    desk.fill("#id_assign-lead_org + .ts-wrapper input", "")
    pick_unit(desk, "#id_assign-lead_org", "供电", "国网衡阳供电公司")
    pick_unit(desk, "#id_assign-co_orgs", "祁东县发展", "祁东县发展和改革局")
    pick_unit(desk, "#id_assign-co_orgs", "衡阳市市场", "衡阳市市场监督管理局")
    assert desk.locator("#id_assign-co_orgs + .ts-wrapper .item").count() == 2
    screenshot(desk, "picker-1-dispatcher-picked-units")
    desk.click("#act-assign button[type=submit]")
    desk.wait_for_selector(".msg-success")
    case = Case.objects.get(pk=reported.pk)
    assert case.status == Status.ASSIGNED and case.lead_org == world.power_company
    assert set(CaseTask.objects.filter(case=case).values_list("org__name", flat=True)) == {
        "祁东县发展和改革局", "衡阳市市场监督管理局"}


def test_the_picker_fits_a_phone_and_reads_in_english(open_as, browser_world, reported):  # noqa: F811
    phone = open_as("dispatcher", phone=True)
    phone.set_viewport_size({"width": 360, "height": 780})
    phone.goto(phone.base_url + f"/cases/{reported.pk}/")
    phone.wait_for_selector("#act-assign[open] .ts-wrapper")
    phone.click("#id_assign-co_orgs + .ts-wrapper .ts-control")
    phone.wait_for_selector("#id_assign-co_orgs + .ts-wrapper .ts-dropdown .optgroup-header")
    assert no_sideways_scroll(phone)
    screenshot(phone, "picker-2-phone-360-dropdown")
    phone.keyboard.press("Escape")
    with phone.expect_navigation():
        phone.evaluate("document.querySelector('.langswitch button[value=en]').click()")
    phone.wait_for_selector("#act-assign[open] .ts-wrapper")
    placeholder = phone.get_attribute("#id_assign-lead_org + .ts-wrapper input", "placeholder")
    assert placeholder and "搜索" not in placeholder and "search" in placeholder.lower()
    phone.click("#id_assign-lead_org + .ts-wrapper .ts-control")
    phone.keyboard.type("zzzz")
    phone.wait_for_selector("#id_assign-lead_org + .ts-wrapper .no-results")
    assert "No matching" in phone.inner_text("#id_assign-lead_org + .ts-wrapper .no-results")
    assert no_sideways_scroll(phone)
    screenshot(phone, "picker-3-phone-english")
