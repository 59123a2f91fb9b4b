"""挂图作战 and 周调度 in Chromium.

(a) The city leader opens the dashboard in Chinese: the ECharts charts draw, the numbers
    match a small world of projects, a stage number leads to the project list filtered by
    that stage; the same page in English has English headings.
(b) A dispatcher of the city project office calls a weekly meeting through the UI: the
    agenda holds an overdue (red) case, a decision is assigned to the power company, the
    meeting is closed and the decision is a case in the power company's inbox."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from yancheng.cases.models import Case, CaseKind
from yancheng.cases.services import case_accept, case_assign, case_submit
from yancheng.core.services import user_create
from yancheng.projects.models import Stage, WeeklyMeeting
from yancheng.projects.services.registry import project_create
from yancheng.testing.world import PERSONA_PASSWORD

from .conftest import login, screenshot

# stage → how many projects the small world files in it
STAGES = {Stage.NEGOTIATING: 1, Stage.SIGNED: 2, Stage.CONSTRUCTION: 3}
RED_TITLE = "高压专线未接入"
DECISION = "国网衡阳供电公司两周内完成纸箱包装项目10kV专线接入。"


@pytest.fixture
def scene(browser_world):
    """Six projects in three stages, and a case assigned to the power company two weeks
    ago with one day to solve it (red now)."""
    world = browser_world
    projects = []
    n = 0
    for stage, count in STAGES.items():
        for _ in range(count):
            n += 1
            projects.append(project_create(
                actor=None, stage=stage, name=f"示例项目{n}", enterprise=world.enterprise_a, region=world.qidong,
                park=world.qidong_park, total_investment=Decimal(1000 * n), responsible_org=world.qidong_park,
            ))
    with time_machine.travel(timezone.now() - dt.timedelta(days=14), tick=False):
        case = case_submit(actor=world.enterprise_a_user, title=RED_TITLE, description="厂房已建成，专线尚未接入。",
                           subject=projects[0].name, subject_ref=f"project:{projects[0].pk}")
        case = case_assign(case, actor=world.dispatcher, lead_org=world.power_company, solve_days=1)
        case = case_accept(case, actor=world.handler_power)
    return {"world": world, "projects": projects, "red": case}


@pytest.fixture
def open_as(browser, live_server):
    contexts = []

    def make(username: str):
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
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


def test_the_leader_reads_the_dashboard_and_follows_a_stage_number(open_as, scene):
    leader = open_as("leader")
    leader.goto(leader.base_url + "/dashboard/")
    leader.wait_for_selector("h1:has-text('挂图作战')")
    for chart in ("stages", "regions"):
        leader.wait_for_selector(f".chart[data-chart={chart}] canvas")
        assert leader.locator(f".chart[data-chart={chart}]").is_visible()
    # The leader sees no escalated case here: an all-zero pie is not drawn (it would look
    # like data), nor an empty chart of units; the tables with their zeros stay.
    assert leader.locator(".chart[data-chart=lights] canvas").count() == 0
    assert leader.locator(".chart[data-chart=units] canvas").count() == 0
    assert leader.locator("table[data-table=lights]").is_visible()
    assert leader.inner_text("[data-stat=projects]").strip() == str(sum(STAGES.values()))
    stage_rows = leader.locator("table[data-table=stages] tbody tr")
    row = stage_rows.filter(has_text="在建实施")
    assert row.count() == 1
    link = row.locator("a.num-link")
    clicked = int(link.inner_text().strip())
    assert clicked == STAGES[Stage.CONSTRUCTION]
    # Every number on the page is a link (or inside one).
    assert leader.evaluate("Array.from(document.querySelectorAll('.figure')).filter(e => !e.closest('a')).length") == 0
    screenshot(leader, "dashboard-1-leader-zh")

    link.click()
    leader.wait_for_selector("table.projects")
    assert "stage=construction" in leader.url
    assert leader.locator("#f-stage").input_value() == Stage.CONSTRUCTION
    rows = leader.locator("table.projects tbody tr:has(span[data-stage])")
    assert rows.count() == clicked
    assert leader.locator("table.projects tbody span[data-stage=construction]").count() == clicked
    screenshot(leader, "dashboard-2-projects-by-stage")

    leader.goto(leader.base_url + "/dashboard/")
    leader.wait_for_selector(".chart[data-chart=stages] canvas")
    leader.click("button[lang=en]")
    leader.wait_for_selector("html[lang=en]")
    assert leader.inner_text("h1").strip() == "Battle map"
    for heading, text in (("h-stage", "Projects by stage"), ("h-light", "Cases by light"),
                          ("h-unit", "Cases by responsible unit")):
        assert leader.inner_text(f"#{heading}").strip() == text
    leader.wait_for_selector(".chart[data-chart=stages] canvas")
    assert leader.inner_text("[data-stat=projects]").strip() == str(sum(STAGES.values()))
    screenshot(leader, "dashboard-3-leader-en")


def test_the_project_office_holds_a_weekly_meeting_and_the_decision_reaches_the_power_company(open_as, scene):
    world = scene["world"]
    user_create(actor=None, role="dispatcher", organisation=world.project_office, username="city_dispatcher",
                password=PERSONA_PASSWORD, full_name="市项目办调度员", must_change_password=False)
    office = open_as("city_dispatcher")
    office.goto(office.base_url + "/projects/meetings/")
    office.wait_for_selector("h1")
    office.goto(office.base_url + "/projects/meetings/new/")
    office.wait_for_selector("h1:has-text('召集调度会议')")
    office.fill("#id_title", "全市重大项目周调度会")
    office.fill("#id_chair", "领导甲")
    # The form's initial date (today) does not show in the <input type=date>: Django renders
    # it in the locale's format, which the date input drops. Fill it in as a user would.
    office.fill("#id_held_on", timezone.localdate().isoformat())
    screenshot(office, "meeting-1-new")
    office.click("button[type=submit].primary")
    office.wait_for_selector(".msg-success")
    meeting = WeeklyMeeting.objects.get()
    assert meeting.region is None and meeting.held_on == timezone.localdate()

    # The agenda was built on creation; rebuilding it keeps the red case on it.
    office.click("form[action$='/build/'] button[type=submit]")
    office.wait_for_selector(".msg-success")
    red_group = office.locator("details.agenda-group[data-source=red_case]")
    assert red_group.count() == 1
    assert red_group.get_attribute("open") is not None  # the red items are read first: open
    assert RED_TITLE in red_group.inner_text() and "国网衡阳供电公司" in red_group.inner_text()
    assert red_group.locator("[data-count]").inner_text() == "1"
    project = red_group.locator("td[data-project] a")
    assert project.inner_text() == scene["projects"][0].name
    # A 临时议题 added from the page: its section is folded to its summary line and count.
    office.click("details:has(form[action$='/items/']) summary")
    office.fill("form[action$='/items/'] #id_title", "园区道路施工协调")
    office.click("form[action$='/items/'] button[type=submit]")
    manual = office.locator("details.agenda-group[data-source=manual]")
    manual.wait_for()
    assert manual.get_attribute("open") is None and manual.locator("[data-count]").inner_text() == "1"
    assert not manual.locator("table").is_visible()
    screenshot(office, "meeting-2-agenda")
    manual.locator("summary").click()
    assert manual.locator("table").is_visible() and "园区道路施工协调" in manual.inner_text()

    office.fill("#id_text", DECISION)
    office.select_option("#id_lead_org", label="国网衡阳供电公司")
    office.fill("#id_due_working_days", "10")
    office.select_option("#id_agenda_item", index=1)
    office.click("form[action$='/decisions/'] button[type=submit]")
    office.wait_for_selector(".msg-success")
    assert "会议结束时交办" in office.inner_text("main")
    screenshot(office, "meeting-3-decision-added")

    office.click("form[action$='/close/'] button[type=submit].primary")
    office.wait_for_selector(".msg-success")
    assert "1 项议定事项已交办" in office.inner_text(".messages")
    assert "已结束" in office.inner_text("h1")
    decision = meeting.decisions.get()
    case = Case.objects.get(pk=decision.case_id)
    assert case.kind == CaseKind.MEETING_TASK and case.lead_org == world.power_company
    assert case.number in office.inner_text("main")
    screenshot(office, "meeting-4-closed")

    power = open_as("handler_power")
    power.goto(power.base_url + "/cases/")
    power.wait_for_selector("table.case-list")
    row = power.locator("tr.case-row").filter(has_text=case.number)
    assert row.count() == 1
    assert row.get_attribute("data-status") == "assigned"
    screenshot(power, "meeting-5-power-inbox")
    row.locator("a.case-link").click()
    power.wait_for_selector("h1.case-title")
    assert "两周内完成纸箱包装项目10kV专线接入" in power.inner_text("main")
    screenshot(power, "meeting-6-power-case")
