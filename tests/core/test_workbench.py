"""The workbench (工作台): every role's home is its to-do list. Each persona's home shows its
own items and no other role's; a count links to a list that shows the same count."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from yancheng.cases.services import case_assign, case_submit
from yancheng.core import workbench
from yancheng.core.workbench import Todo, register_todos, todos_for

SH = dt.timezone(dt.timedelta(hours=8))
TUESDAY = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)

# What each persona's home must hold (more may come from other modules' registrations).
EXPECTED = {
    "dispatcher": {"cases.to_assign", "cases.returned", "cases.extension", "cases.yellow", "cases.red",
                   "cases.new_today"},
    "handler_power": {"cases.to_accept", "cases.yellow", "cases.red", "cases.assist", "cases.urged"},
    "clerk_market": {"cases.to_accept", "inspections.joint", "inspections.annual_plan"},
    "enterprise_a": {"cases.report", "cases.open", "cases.to_rate", "cases.revisit", "inspections.announced",
                     "inspections.rate"},
    "inspector": {"inspections.scan", "inspections.in_progress", "inspections.plan_today", "inspections.my_alerts"},
    "supervisor": {"inspections.alerts", "inspections.complaints", "inspections.report"},
    "leader": {"dashboard.projects", "dashboard.late_nodes", "dashboard.cases_red", "dashboard.cases_yellow",
               "dashboard.escalation_2", "dashboard.escalation_3", "dashboard.investment", "safety.overdue_open"},
    "system_admin": {"notifications.failed", "notifications.given_up", "security.locked"},
    "security_admin": {"security.locked"},
    "audit_admin": {"audit.verify"},
}
# Keys that belong to one role only: nobody of another role may be shown them.
OWNED_BY = {
    "cases.to_assign": "dispatcher", "cases.new_today": "dispatcher", "cases.extension": "dispatcher",
    "cases.to_accept": "handler", "cases.assist": "handler", "cases.urged": "handler",
    "cases.report": "enterprise", "cases.to_rate": "enterprise", "inspections.announced": "enterprise",
    "inspections.scan": "inspector", "inspections.alerts": "supervisor", "dashboard.projects": "leader",
    "notifications.failed": "system_admin", "audit.verify": "audit_admin",
}


@pytest.fixture
def frozen():
    with time_machine.travel(TUESDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cases(world, frozen):
    """Enterprise A reports two problems: one is assigned to the power company with 发改 as
    co-unit, the other waits for the park's dispatcher. Enterprise B's (石鼓区) is no one's here."""
    first = case_submit(actor=world.enterprise_a_user, title="高压专线未接入", description="无法试生产。")
    case_assign(first, actor=world.dispatcher, lead_org=world.power_company, co_orgs=[world.qidong_ndrc],
                co_instruction="协调用地", solve_days=5)
    case_submit(actor=world.enterprise_a_user, title="道路未硬化", description="运输困难。")
    case_submit(actor=world.enterprise_b_user, title="乙企业的问题", description="与甲无关")
    return world


def home_items(client, user) -> dict[str, Todo]:
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    items = {item.key: item for item in response.context["todos"]}
    html = response.content.decode()
    for item in items.values():
        assert f'data-todo="{item.key}"' in html
    return items


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_persona_s_home_shows_its_own_to_dos_and_no_other_role_s(client, cases, persona):
    user = cases.users[persona]
    items = home_items(client, user)
    assert EXPECTED[persona] <= set(items), set(items)
    for key in items:
        owner = OWNED_BY.get(key)
        assert owner is None or owner == user.role, (persona, key)


def test_the_dispatcher_and_the_handlers_see_the_cases_waiting_for_them(client, cases):
    dispatcher = home_items(client, cases.dispatcher)
    assert dispatcher["cases.to_assign"].count == 1
    assert dispatcher["cases.new_today"].count == 2  # enterprise B's is in another district
    assert home_items(client, cases.handler_power)["cases.to_accept"].count == 1
    other = home_items(client, cases.handler_other)
    assert other["cases.assist"].count == 1 and other["cases.to_accept"].count == 0
    enterprise = home_items(client, cases.enterprise_a_user)
    assert enterprise["cases.open"].count == 2 and enterprise["cases.report"].primary


@pytest.mark.parametrize("persona", ["dispatcher", "handler_power", "handler_other", "enterprise_a", "enterprise_b"])
def test_every_case_count_opens_a_list_with_the_same_count(client, cases, persona):
    items = home_items(client, cases.users[persona])
    inbox = reverse("cases:case_inbox")
    checked = 0
    for item in items.values():
        if item.count is None or (not item.url.startswith(inbox + "?") and item.url != inbox):
            continue
        response = client.get(item.url)
        assert response.status_code == 200
        assert response.context["page"].paginator.count == item.count, (item.key, item.url)
        checked += 1
    assert checked >= 4


def test_the_supervisor_s_alerts_and_the_administrator_s_deliveries_open_lists_with_the_same_count(client, cases):
    alerts = home_items(client, cases.supervisor)["inspections.alerts"]
    assert client.get(alerts.url).context["page"].paginator.count == alerts.count
    for key in ("notifications.failed", "notifications.given_up"):
        item = home_items(client, cases.system_admin)[key]
        assert client.get(item.url).context["page"].paginator.count == item.count


def test_a_locked_account_is_counted_and_listed(client, world, settings):
    from axes.models import AccessAttempt
    from django.utils import timezone

    AccessAttempt.objects.create(username="handler_power", ip_address="10.0.0.1", user_agent="t",
                                 failures_since_start=settings.AXES_FAILURE_LIMIT, attempt_time=timezone.now(),
                                 get_data="", post_data="")
    item = home_items(client, world.security_admin)["security.locked"]
    assert item.count == 1 and item.light == "yellow"
    response = client.get(item.url)
    assert [row["user"].username for row in response.context["rows"]] == ["handler_power"]
    html = response.content.decode()
    # the list says how many, and that it holds the locked ones only (the filter survives a search)
    assert re.search(r'<h1>[^<]*<span class="badge"[^>]*>1</span>', html)
    assert re.search(r'<input type="checkbox" name="locked" value="1" checked>', html)
    assert 'name="locked"' not in client.get(reverse("accounts:account_list")).content.decode()


def test_the_audit_administrator_sees_the_last_verification_without_running_one(client, world):
    from yancheng.core.audit.models import AuditEvent

    before = AuditEvent.objects.filter(action="audit.verify").count()
    item = home_items(client, world.audit_admin)["audit.verify"]
    assert item.light == "yellow"  # never verified
    assert AuditEvent.objects.filter(action="audit.verify").count() == before


def test_a_provider_is_asked_only_for_the_roles_it_registered_for(world):
    asked = []

    def provider(user):
        asked.append(user.username)
        yield Todo(key="test.item", label="测试", url="/", count=1)

    register_todos(provider, roles=["leader"])
    try:
        assert "test.item" in {item.key for item in todos_for(world.leader)}
        assert "test.item" not in {item.key for item in todos_for(world.dispatcher)}
        assert asked == ["leader"]
    finally:
        workbench._registry[:] = [r for r in workbench._registry if r.provider is not provider]


def test_the_home_page_reads_in_english(client, cases):
    client.force_login(cases.dispatcher)
    client.cookies.load({"django_language": "en"})
    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "To do" in html and "To assign" in html and "待交办" not in html


# --- the safety personas (the safety test world: yancheng.testing.safety) --------------------------

# What each safety persona's home must hold once a hazard waits in each place, this month's
# check tasks are made and this year's 责任书 are out.
SAFETY_EXPECTED = {
    "anweiban": {"safety.hazards.major_open", "safety.hazards.overdue", "safety.tasks_overdue",
                 "safety.letters_missing", "safety.coverage_gaps"},
    "safety_emergency": {"safety.hazards.to_accept", "safety.hazards.to_verify", "safety.hazards.overdue",
                         "safety.tasks_this_month", "safety.own_letter"},
    "grid_park": {"safety.hazards.reported_open"},
    "enterprise_b": {"safety.hazards.to_rectify"},
    "leader": {"safety.hazards.supervised", "safety.overdue_open"},
}
SAFETY_OWNED_BY = {
    "safety.hazards.major_open": "safety", "safety.tasks_overdue": "safety", "safety.letters_missing": "safety",
    "safety.coverage_gaps": "safety",
    "safety.hazards.to_rectify": "enterprise", "safety.hazards.supervised": "leader",
    "safety.overdue_open": "leader",
}


@pytest.fixture
def safety(world, frozen):
    """A 重大隐患 of enterprise B (石鼓区, the city's 应急管理局 supervises it) accepted and under
    督办, one of enterprise A's (祁东's park) waiting to be accepted; March's tasks; the year's letters."""
    from yancheng.safety.models import HazardLevel
    from yancheng.safety.services.checks_generation import check_tasks_generate
    from yancheng.safety.services.hazards import hazard_accept, hazard_complete_report, hazard_report
    from yancheng.safety.services.letters import letters_issue
    from yancheng.testing.safety import build_safety_world

    sw = build_safety_world(world)
    major = hazard_report(actor=sw.safety_emergency, system=sw.industry, level=HazardLevel.MAJOR,
                          title="除尘系统未设泄爆装置", description="打磨车间除尘器无泄爆片。",
                          enterprise=world.enterprise_b, item=sw.items["GM-03"])
    major = hazard_complete_report(major, actor=sw.safety_emergency, situation_cause="泄爆片脱落。",
                                   harm_difficulty="可致粉尘爆炸；需停产更换。", plan_measures="更换泄爆片。",
                                   plan_owner="王建国", plan_funds=5, plan_deadline=dt.date(2026, 4, 10),
                                   plan_contingency="专项应急预案。")
    hazard_accept(major, actor=sw.safety_emergency, responsible_person="王建国")
    hazard_report(actor=sw.grid_park, system=sw.industry, level=HazardLevel.GENERAL, title="特种作业人员无证",
                  description="电焊工未持证。", enterprise=world.enterprise_a, item=sw.items["GM-02"])
    check_tasks_generate(year=2026, month=3, actor=sw.anweiban)
    letters_issue(actor=sw.anweiban, year=2026, units=[world.emergency_bureau, sw.fire_brigade])
    return sw


@pytest.mark.parametrize("persona", sorted(SAFETY_EXPECTED))
def test_each_safety_persona_s_home_shows_its_to_dos_and_each_count_is_its_list_s_total(client, safety, persona):
    user = safety.world.users.get(persona) or safety.users[persona]
    items = home_items(client, user)
    assert SAFETY_EXPECTED[persona] <= set(items), set(items)
    for key, item in items.items():
        owner = SAFETY_OWNED_BY.get(key)
        assert owner is None or owner == user.role, (persona, key)
        if not key.startswith("safety.") or item.count is None:
            continue
        response = client.get(item.url)
        assert response.status_code == 200, (key, item.url)
        assert response.context["page"].paginator.count == item.count, (persona, key, item.url)


def test_the_safety_counts_are_the_work_waiting(client, safety):
    office = home_items(client, safety.anweiban)
    assert office["safety.hazards.major_open"].count == 1 and office["safety.letters_missing"].count == 2
    assert office["safety.coverage_gaps"].count == 1  # enterprise A: 消防 has no unit in 祁东县
    officer = home_items(client, safety.safety_emergency)
    assert officer["safety.hazards.to_accept"].count == 0 and officer["safety.tasks_this_month"].count == 1
    assert officer["safety.own_letter"].count == 1
    # The grid person supervises nothing: their line is what the park reported, still open.
    assert home_items(client, safety.grid_park)["safety.hazards.reported_open"].count == 1
    assert home_items(client, safety.world.enterprise_b_user)["safety.hazards.to_rectify"].count == 1
    assert home_items(client, safety.world.enterprise_a_user).get("safety.hazards.to_rectify").count == 0
    assert home_items(client, safety.world.leader)["safety.hazards.supervised"].count == 1
