"""Each persona's day in Chromium, in Chinese and in English, at a desk and on a phone
(issue 12 "Done when"): the home page holds the persona's to-dos with the counts the
modules register, a to-do leads to the list behind it showing the same count, and one real
piece of work is done there — the dispatcher assigns, the handler signs for and resolves,
the enterprise reports and rates, the inspector scans and registers, the department answers
a joint proposal, the supervisor handles an alert, the leader drills into a figure, the
administrators retry a delivery and unlock an account.

One world is built and committed for the module (``module_live_server``); every run of a
day takes its own piece of work from it (a case, an alert, a proposal…), so the
parametrised runs share it in any order. Counts are asked of the modules at the moment the
page is shown.

The days of later modules' roles are in files of their own, each with its world behind its
own live server: the 信访 clerk, handler and head in ``test_petition_days.py``; the safety
roles — the 安委办, the department safety staff (with the story of a hazard from an
enterprise's self-check to 销号 and the month's 通报), the enterprise and the grid person — in
``test_safety_days.py``; the chains' 链办 and 链长 in ``test_chain_days.py`` (and the module's story, a
gap turned into a signed project and a 链长 meeting's decision into an assigned case, in
``test_chain_story.py``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import count

import pytest
from django.test import override_settings
from django.utils import timezone

from yancheng.cases.models import Case, Status
from yancheng.cases.services import case_accept, case_assign, case_resolve, case_submit
from yancheng.core.models import Enterprise, Role, User
from yancheng.core.notifications.models import Delivery, Notification
from yancheng.core.services import enterprise_create, user_create
from yancheng.core.workbench import todos_for
from yancheng.inspections.alerts import alert_raise
from yancheng.inspections.models import Inspection, InspectionAlert, JointProposal, SupervisionCode
from yancheng.inspections.planning import plans as plan_services
from yancheng.inspections.planning.joint import joint_proposals_match
from yancheng.inspections.registration.register import inspection_register
from yancheng.inspections.services import code_issue
from yancheng.lib.uscc import complete
from yancheng.projects.models import Stage
from yancheng.projects.services.registry import project_create
from yancheng.testing.inspections import InspectionWorld, build_inspection_world
from yancheng.testing.world import CERTIFICATES, PERSONA_PASSWORD, World, build_world

from .conftest import badge, fits, follow, home_shows_the_to_dos, open_menu, screenshot, sign_in_as

RUNS = 4  # zh/en × desk/phone: each run of a day takes one piece of work
CJK = re.compile(r"[\u3400-\u9fff]")
days = pytest.mark.parametrize(("lang", "device"), [("zh", "desk"), ("zh", "phone"), ("en", "desk"), ("en", "phone")])


@dataclass
class Days:
    world: World
    iw: InspectionWorld
    scan_codes: list[SupervisionCode] = field(default_factory=list)
    locked: list[User] = field(default_factory=list)
    supervisor_alerts: set[int] = field(default_factory=set)  # the inspector's own alert stays open


_uscc_serial = count(1)


def _enterprise(world: World, name: str) -> Enterprise:
    serial = next(_uscc_serial)
    return enterprise_create(uscc=complete(f"91430426MA4L{serial:04d}D"), name=name, region=world.qidong,
                             park=world.qidong_park, actor=None)


@pytest.fixture(scope="module")
def days_world(module_live_server) -> Days:
    """The named world and, for each run of each day, its piece of work."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        return _build_days()


def _build_days() -> Days:
    world = build_world()
    iw = build_inspection_world(world)
    days = Days(world=world, iw=iw)
    today = timezone.localdate()
    for n in range(RUNS):
        # the dispatcher's: cases waiting to be assigned
        case_submit(actor=world.enterprise_a_user, title=f"待交办事项{n + 1}", description="园区道路未硬化，运输困难。")
        # the handler's: cases assigned to the power company
        case = case_submit(actor=world.enterprise_a_user, title=f"专线未接入{n + 1}", description="10kV 专线尚未接入。")
        case_assign(case, actor=world.dispatcher, lead_org=world.power_company, solve_days=5)
        # the enterprise's: cases resolved, waiting for its rating
        case = case_submit(actor=world.enterprise_a_user, title=f"蒸汽管道未通{n + 1}", description="蒸汽管道未接通。")
        case = case_assign(case, actor=world.dispatcher, lead_org=world.power_company, solve_days=5)
        case = case_accept(case, actor=world.handler_power)
        case_resolve(case, actor=world.handler_power, resolution="已接通并试运行。")
        # the inspector's: an enterprise of its own to scan
        days.scan_codes.append(code_issue(_enterprise(world, f"祁东县示例扫码企业{n + 1}有限公司"), actor=None))
        # the supervisor's: open alerts
        days.supervisor_alerts.add(alert_raise(
            InspectionAlert.Kind.HIGH_FREQUENCY, enterprise=world.enterprise_b, department=world.market_regulation,
            message=f"30 日内第 {n + 3} 次入企检查。").pk)
        # the system administrator's: deliveries that failed
        Delivery.objects.create(notification=Notification.objects.order_by("-pk").first(),
                                channel=Delivery.Channel.EMAIL, target="clerk@example.org", verb="case_assigned",
                                title=f"事项已交办 {n + 1}", status=Delivery.Status.FAILED, attempts=1,
                                last_error="SMTP 421")
        # the security administrator's: accounts locked out
        days.locked.append(_locked_account(world, n))
    # the department's: joint proposals (both bureaus plan to visit the same enterprises)
    clerk_emergency = user_create(username="clerk_emergency", password=None, role=Role.HANDLER,
                                  organisation=world.emergency_bureau, full_name="应急法制科",
                                  must_change_password=False, actor=None)
    end = min(today + dt.timedelta(days=7), (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
              - dt.timedelta(days=1))
    targets = [_enterprise(world, f"祁东县示例联检企业{n + 1}有限公司") for n in range(RUNS)]
    for clerk, item in ((world.clerk_market, iw.food), (clerk_emergency, iw.chemicals)):
        plan = plan_services.plan_get_or_create(department=clerk.organisation, year=today.year, month=today.month,
                                                actor=clerk)
        for enterprise in targets:
            plan_services.plan_entry_add(plan, actor=clerk, item=item, enterprise=enterprise, month=today.month,
                                         window_start=today, window_end=end)
        plan_services.plan_file(plan, actor=clerk)
    joint_proposals_match()
    assert JointProposal.objects.filter(status=JointProposal.Status.PROPOSED).count() == RUNS
    # the inspector's: a visit still in progress, with an alert on it
    visit = inspection_register(actor=world.inspector, enterprise=world.enterprise_b, found_by="uscc", kind="enforcement",
                        items=[iw.food], outside_plan_reason="superior",
                        inspectors=[CERTIFICATES["inspector"], CERTIFICATES["inspector2"]])
    alert_raise(InspectionAlert.Kind.BACKFILL, enterprise=world.enterprise_b, inspection=visit,
                department=world.market_regulation, message="登记晚于入企时间。")
    # the leader's: projects in three stages
    for n, stage in enumerate((Stage.NEGOTIATING, Stage.SIGNED, Stage.SIGNED, Stage.CONSTRUCTION), start=1):
        project_create(actor=None, stage=stage, name=f"示例项目{n}", enterprise=world.enterprise_a,
                       region=world.qidong, park=world.qidong_park, total_investment=Decimal(1000 * n),
                       responsible_org=world.qidong_park)
    return days


def _locked_account(world: World, n: int) -> User:
    from axes.models import AccessAttempt
    from django.conf import settings

    user = user_create(username=f"locked{n + 1}", password=None, role=Role.HANDLER, organisation=world.qidong_ndrc,
                       full_name=f"被锁定的承办人{n + 1}", must_change_password=False, actor=None)
    AccessAttempt.objects.create(username=user.username, ip_address="10.0.0.9", user_agent="t",
                                 failures_since_start=settings.AXES_FAILURE_LIMIT, attempt_time=timezone.now(),
                                 get_data="", post_data="")
    return user


# --- the browser side ----------------------------------------------------------------------------


@pytest.fixture
def open_as(browser, module_live_server, days_world, db):
    """``open_as("dispatcher", "en", "phone")``: a tab signed in as the persona, in the
    language chosen on the login page as a user would, at the size of the device."""
    contexts = []

    def make(username: str, lang: str, device: str):
        return sign_in_as(browser, module_live_server.url, username, PERSONA_PASSWORD, lang, device, contexts)

    yield make
    for context in contexts:
        context.close()


def shot(tab, persona: str, step: str, lang: str, device: str) -> None:
    screenshot(tab, f"day-{persona}-{step}-{lang}-{device}")
    fits(tab)





def go_home(tab) -> None:
    tab.goto(tab.base_url + "/")
    tab.wait_for_selector("#todo-heading")


# --- the days --------------------------------------------------------------------------------------


@days
def test_the_dispatcher_assigns_a_waiting_case(open_as, days_world, lang, device):
    world = days_world.world
    tab = open_as("dispatcher", lang, device)
    counts = home_shows_the_to_dos(tab, world.dispatcher, lang)
    waiting = counts["cases.to_assign"]
    assert waiting and waiting >= 1
    shot(tab, "dispatcher", "1-home", lang, device)
    follow(tab, "cases.to_assign")
    assert badge(tab) == waiting
    assert tab.locator("tr.case-row[data-status=submitted]").count() == min(waiting, 20)
    shot(tab, "dispatcher", "2-list", lang, device)
    tab.locator("tr.case-row a.case-link").first.click()
    tab.wait_for_selector("#act-assign[open]")
    pk = int(re.search(r"/cases/(\d+)/", tab.url).group(1))
    tab.select_option("#id_assign-lead_org", label="国网衡阳供电公司")
    tab.fill("#id_assign-solve_days", "5")
    shot(tab, "dispatcher", "3-assign", lang, device)
    tab.click("#act-assign button[type=submit]")
    tab.wait_for_selector(".msg-success")
    case = Case.objects.get(pk=pk)
    assert case.status == Status.ASSIGNED and case.lead_org == world.power_company
    shot(tab, "dispatcher", "4-assigned", lang, device)
    go_home(tab)
    assert tab.locator("[data-todo='cases.to_assign'] .num").inner_text().strip() == str(waiting - 1)


@days
def test_the_handler_signs_for_a_case_and_resolves_it(open_as, days_world, lang, device):
    world = days_world.world
    tab = open_as("handler_power", lang, device)
    counts = home_shows_the_to_dos(tab, world.handler_power, lang)
    waiting = counts["cases.to_accept"]
    assert waiting and waiting >= 1
    shot(tab, "handler", "1-home", lang, device)
    follow(tab, "cases.to_accept")
    assert badge(tab) == waiting
    shot(tab, "handler", "2-list", lang, device)
    tab.locator("tr.case-row a.case-link").first.click()
    tab.wait_for_selector("#act-accept")
    pk = int(re.search(r"/cases/(\d+)/", tab.url).group(1))
    tab.click("#act-accept button[type=submit]")
    tab.wait_for_selector(".msg-success")
    assert Case.objects.get(pk=pk).status == Status.ACCEPTED
    open_details(tab, "#act-resolve")
    tab.fill("#id_resolve-resolution", "已按节点倒排工期，专线已接入送电。")
    shot(tab, "handler", "3-resolve", lang, device)
    tab.click("#act-resolve button[type=submit]")
    tab.wait_for_selector(".msg-success")
    assert Case.objects.get(pk=pk).status == Status.RESOLVED
    shot(tab, "handler", "4-resolved", lang, device)
    go_home(tab)
    assert tab.locator("[data-todo='cases.to_accept'] .num").inner_text().strip() == str(waiting - 1)


def open_details(tab, selector: str) -> None:
    """An action form folded in a <details>: unfold it as a user would."""
    box = tab.locator(selector)
    if box.evaluate("e => e.tagName") == "DETAILS" and box.get_attribute("open") is None:
        box.locator("summary").first.click()


@days
def test_the_enterprise_reports_a_problem_and_rates_a_resolved_one(open_as, days_world, lang, device):
    world = days_world.world
    tab = open_as("enterprise_a", lang, device)
    counts = home_shows_the_to_dos(tab, world.enterprise_a_user, lang)
    to_rate = counts["cases.to_rate"]
    assert to_rate and to_rate >= 1
    shot(tab, "enterprise", "1-home", lang, device)
    follow(tab, "cases.report")
    tab.wait_for_selector("#id_title")
    title = f"厂区路灯未通电（{lang}-{device}）"
    tab.fill("#id_title", title)
    tab.fill("#id_description", "厂区道路路灯已安装，尚未通电，夜间运输不便。")
    shot(tab, "enterprise", "2-report", lang, device)
    tab.click("button[type=submit].primary")
    tab.wait_for_selector("h1.case-title")
    case = Case.objects.get(title=title)
    assert case.status == Status.SUBMITTED and case.enterprise == world.enterprise_a
    assert case.number in tab.inner_text("h1")
    shot(tab, "enterprise", "3-reported", lang, device)

    go_home(tab)
    follow(tab, "cases.to_rate")
    assert badge(tab) == to_rate
    shot(tab, "enterprise", "4-to-rate", lang, device)
    tab.locator("tr.case-row a.case-link").first.click()
    tab.wait_for_selector("#act-rate")
    pk = int(re.search(r"/cases/(\d+)/", tab.url).group(1))
    open_details(tab, "#act-rate")
    tab.check("#act-rate input[value=satisfied]")
    tab.fill("#id_rate-comment", "感谢供电公司。")
    tab.click("#act-rate button[type=submit]")
    tab.wait_for_selector(".msg-success")
    assert Case.objects.get(pk=pk).satisfaction == "satisfied"
    shot(tab, "enterprise", "5-rated", lang, device)
    go_home(tab)
    assert tab.locator("[data-todo='cases.to_rate'] .num").inner_text().strip() == str(to_rate - 1)


_scans = count()


@days
def test_the_inspector_scans_an_enterprise_s_code_and_registers_the_visit(open_as, days_world, lang, device):
    world, iw = days_world.world, days_world.iw
    code = days_world.scan_codes[next(_scans)]
    tab = open_as("inspector", lang, device)
    counts = home_shows_the_to_dos(tab, world.inspector, lang)
    in_progress = counts["inspections.in_progress"]
    assert in_progress and in_progress >= 1
    shot(tab, "inspector", "1-home", lang, device)
    follow(tab, "inspections.in_progress")
    assert tab.locator(".visit").count() == in_progress
    shot(tab, "inspector", "2-in-progress", lang, device)
    go_home(tab)
    alerts = counts["inspections.my_alerts"]
    assert alerts == 1
    follow(tab, "inspections.my_alerts")
    assert tab.url.endswith("#my-alerts")
    assert badge(tab, "[data-count=my-alerts]") == alerts == tab.locator("#my-alerts [data-alert]").count()

    tab.goto(tab.base_url + f"/i/{code.token}/")  # the phone's camera opens the code's address
    tab.wait_for_selector("form[data-register]")
    assert code.enterprise.name in tab.inner_text("h1")
    tab.check(f"input[name=colleagues][value='{iw.licences['inspector2'].pk}']")
    tab.check(f"input[name=items][value='{iw.food.pk}']")
    tab.select_option("#id_outside_plan_reason", "superior")
    shot(tab, "inspector", "3-register", lang, device)
    tab.click("form[data-register] button[type=submit]")
    tab.wait_for_selector("a[href$='/finish/']")
    inspection = Inspection.objects.get(enterprise=code.enterprise)
    assert inspection.found_by == "code" and inspection.status == Inspection.Status.IN_PROGRESS
    assert inspection.number in tab.inner_text("main")
    shot(tab, "inspector", "4-registered", lang, device)
    go_home(tab)
    assert tab.locator("[data-todo='inspections.in_progress'] .num").inner_text().strip() == str(in_progress + 1)


@days
def test_the_department_answers_a_joint_proposal(open_as, days_world, lang, device):
    world = days_world.world
    tab = open_as("clerk_market", lang, device)
    counts = home_shows_the_to_dos(tab, world.clerk_market, lang)
    waiting = counts["inspections.joint"]
    assert waiting and waiting >= 1
    shot(tab, "department", "1-home", lang, device)
    follow(tab, "inspections.joint")
    assert badge(tab) == waiting
    shot(tab, "department", "2-list", lang, device)
    card = tab.locator("section.card[id^=proposal-]:has(form)").first
    pk = int(card.get_attribute("id").removeprefix("proposal-"))
    card.locator("input[type=radio][value=accepted]").check()
    card.locator("button[type=submit]").click()
    tab.wait_for_selector(".msg-success")
    assert JointProposal.objects.get(pk=pk).acceptances.filter(department=world.market_regulation).exists()
    shot(tab, "department", "3-answered", lang, device)
    go_home(tab)
    assert tab.locator("[data-todo='inspections.joint'] .num").inner_text().strip() == str(waiting - 1)


@days
def test_the_supervisor_handles_an_open_alert(open_as, days_world, lang, device):
    world = days_world.world
    tab = open_as("supervisor", lang, device)
    counts = home_shows_the_to_dos(tab, world.supervisor, lang)
    waiting = counts["inspections.alerts"]
    assert waiting and waiting >= 1
    shot(tab, "supervisor", "1-home", lang, device)
    follow(tab, "inspections.alerts")
    assert badge(tab, "[data-count=alerts]") == waiting
    assert tab.locator("tr[data-alert][data-status=open]").count() == min(waiting, 20)
    shot(tab, "supervisor", "2-list", lang, device)
    open_rows = tab.locator("tr[data-alert][data-status=open]")
    pk = next(int(a) for a in open_rows.evaluate_all("rows => rows.map(r => r.dataset.alert)")
              if int(a) in days_world.supervisor_alerts)
    row = tab.locator(f"tr[data-alert='{pk}']")
    row.locator("textarea, input[name=note]").first.fill("已约谈市场监管局，要求说明情况。")
    row.locator("button[type=submit]").click()
    tab.wait_for_selector(".msg-success")
    assert InspectionAlert.objects.get(pk=pk).status == InspectionAlert.Status.HANDLED
    shot(tab, "supervisor", "3-handled", lang, device)
    go_home(tab)
    assert tab.locator("[data-todo='inspections.alerts'] .num").inner_text().strip() == str(waiting - 1)


@days
def test_the_leader_follows_a_figure_and_drills_into_the_dashboard(open_as, days_world, lang, device):
    world = days_world.world
    tab = open_as("leader", lang, device)
    counts = home_shows_the_to_dos(tab, world.leader, lang)
    projects = counts["dashboard.projects"]
    assert projects == 4
    shot(tab, "leader", "1-home", lang, device)
    follow(tab, "dashboard.projects")
    assert badge(tab) == projects
    shot(tab, "leader", "2-projects", lang, device)
    open_menu(tab)
    with tab.expect_navigation():
        tab.locator("nav.mainnav a[href='/dashboard/']").first.click()
    tab.wait_for_selector(".chart[data-chart=stages] canvas")
    row = tab.locator("table[data-table=stages] tbody tr").filter(has=tab.locator("a.num-link")).filter(
        has_text="签约" if lang == "zh" else "Signed")
    link = row.locator("a.num-link").first
    signed = int(link.inner_text().strip())
    assert signed == 2
    shot(tab, "leader", "3-dashboard", lang, device)
    with tab.expect_navigation():
        link.click()
    assert "stage=signed" in tab.url
    assert badge(tab) == signed
    assert tab.locator("table.projects tbody span[data-stage=signed]").count() == signed
    shot(tab, "leader", "4-drilled", lang, device)


@days
def test_the_system_administrator_retries_a_failed_delivery(open_as, days_world, lang, device):
    world = days_world.world
    tab = open_as("system_admin", lang, device)
    counts = home_shows_the_to_dos(tab, world.system_admin, lang)
    failed = counts["notifications.failed"]
    assert failed and failed >= 1
    shot(tab, "system-admin", "1-home", lang, device)
    follow(tab, "notifications.failed")
    assert badge(tab) == failed
    shot(tab, "system-admin", "2-failed", lang, device)
    form = tab.locator("form[action*='/retry']").first
    pk = int(re.search(r"/(\d+)/retry", form.get_attribute("action")).group(1))
    form.locator("button[type=submit]").click()
    tab.wait_for_selector(".msg-success")
    assert Delivery.objects.get(pk=pk).status != Delivery.Status.FAILED
    shot(tab, "system-admin", "3-retried", lang, device)
    go_home(tab)
    assert tab.locator("[data-todo='notifications.failed'] .num").inner_text().strip() == str(failed - 1)


@days
def test_the_security_administrator_unlocks_a_locked_account(open_as, days_world, lang, device):
    world = days_world.world
    tab = open_as("security_admin", lang, device)
    counts = home_shows_the_to_dos(tab, world.security_admin, lang)
    locked = counts["security.locked"]
    assert locked and locked >= 1
    shot(tab, "security-admin", "1-home", lang, device)
    follow(tab, "security.locked")
    assert badge(tab) == locked
    assert tab.locator("table.list tbody tr").count() == locked
    shot(tab, "security-admin", "2-locked", lang, device)
    with tab.expect_navigation():
        tab.locator("table.list tbody tr a").first.click()
    username = tab.inner_text("h1").split("（")[0].split("(")[0].strip()
    with tab.expect_navigation():
        tab.click("form[action*='unlock'] button[type=submit]")
    tab.wait_for_selector(".msg-success")
    from yancheng.core.security.lockouts import lockouts_in_force

    assert not lockouts_in_force().filter(username=username).exists()
    shot(tab, "security-admin", "3-unlocked", lang, device)
    go_home(tab)
    assert tab.locator("[data-todo='security.locked'] .num").inner_text().strip() == str(locked - 1)


@days
def test_the_audit_administrator_verifies_the_audit_trail(open_as, days_world, lang, device):
    world = days_world.world
    tab = open_as("audit_admin", lang, device)
    home_shows_the_to_dos(tab, world.audit_admin, lang)
    shot(tab, "audit-admin", "1-home", lang, device)
    follow(tab, "audit.verify")  # opening the page runs the verification
    tab.wait_for_selector("[role=status] .badge")
    assert "校验通过" in tab.inner_text("[role=status]") if lang == "zh" else not CJK.search(
        tab.inner_text("[role=status] strong"))
    shot(tab, "audit-admin", "2-verified", lang, device)
    go_home(tab)
    item = tab.locator("[data-todo='audit.verify']")
    assert "todo-green" in item.get_attribute("class")
    assert [t.light for t in todos_for(world.audit_admin) if t.key == "audit.verify"] == ["green"]
