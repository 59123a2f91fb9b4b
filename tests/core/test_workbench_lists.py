"""Workbench items whose list once showed something else than the count: the handler's 临期/超期
with the unit's 协办 tasks, the supervisor's open complaints, the inspector's alerts on its own
registrations. Each count equals the rows of the list its link opens."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.inspections.routes_enterprise import make_visit
from yancheng.cases import services as svc
from yancheng.cases.models import Case, Status
from yancheng.core.workbench import Todo
from yancheng.inspections.alerts import alert_raise
from yancheng.inspections.complaints import complaint_file
from yancheng.inspections.models import InspectionAlert
from yancheng.testing.inspections import build_inspection_world

SH = dt.timezone(dt.timedelta(hours=8))
TUESDAY = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)


@pytest.fixture
def iw(world):
    return build_inspection_world(world)


def item(client, user, key: str) -> Todo:
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return {todo.key: todo for todo in response.context["todos"]}[key]


def listed_cases(client, todo: Todo) -> list[str]:
    """The case numbers of the inbox the item links to, after checking it counts the same."""
    response = client.get(todo.url)
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == todo.count, (todo.key, todo.url)
    return [case.number for case in page.object_list]


# --- the handler's 临期 / 超期 include the unit's 协办 tasks -------------------------------------------


@pytest.fixture
def shared(world):
    """Assigned on a Tuesday to the power company (five working days) with 祁东发改 as co-unit."""
    with time_machine.travel(TUESDAY, tick=False):
        case = svc.case_submit(actor=world.enterprise_a_user, title="高压专线未接入", description="无法试生产。")
        svc.case_assign(case, actor=world.dispatcher, lead_org=world.power_company, co_orgs=[world.qidong_ndrc],
                        co_instruction="办理线路走廊用地手续", solve_days=5)
    case.refresh_from_db()
    return case


def test_a_co_unit_task_past_its_deadline_is_overdue_for_the_co_unit_though_the_case_was_extended(
        client, world, shared):
    task_due = shared.tasks.get().due_at
    with time_machine.travel(TUESDAY + dt.timedelta(hours=1), tick=False):
        svc.case_accept(shared, actor=world.handler_power)
        svc.case_request_extension(shared, actor=world.handler_power, working_days=5, reason="走廊手续未办完")
        svc.case_decide_extension(shared, actor=world.dispatcher, approve=True)
    with time_machine.travel(task_due + dt.timedelta(hours=10), tick=False):
        assert Case.objects.with_lights().get(pk=shared.pk).light == "green"  # the lead's clock was extended
        red = item(client, world.handler_other, "cases.red")
        assert red.count == 1 and red.light == "red"
        assert listed_cases(client, red) == [shared.number]
        assert "本单位协办任务已过完成期限" in client.get(red.url).content.decode()  # the list says what it lists
        assert item(client, world.handler_other, "cases.yellow").count == 0
        lead = item(client, world.handler_power, "cases.red")
        assert lead.count == 0 and listed_cases(client, lead) == []


def test_a_co_unit_task_in_the_last_stretch_is_due_soon_for_both_units(client, world, shared):
    with time_machine.travel(TUESDAY + dt.timedelta(hours=1), tick=False):
        svc.case_accept(shared, actor=world.handler_power)
    shared.refresh_from_db()
    with time_machine.travel(shared.solve_yellow_at + dt.timedelta(minutes=5), tick=False):
        for handler in (world.handler_other, world.handler_power):
            soon = item(client, handler, "cases.yellow")
            assert soon.count == 1, handler
            assert listed_cases(client, soon) == [shared.number]
            assert item(client, handler, "cases.red").count == 0


def test_the_lead_s_late_acceptance_is_not_the_co_unit_s_overdue_task(client, world, shared):
    # The power company never accepts: the case is red on its acceptance clock, but 发改's
    # task is due only with the solve deadline.
    with time_machine.travel(shared.accept_due_at + dt.timedelta(hours=2), tick=False):
        assert Case.objects.with_lights().get(pk=shared.pk).light == "red"
        lead = item(client, world.handler_power, "cases.red")
        assert lead.count == 1 and listed_cases(client, lead) == [shared.number]
        co = item(client, world.handler_other, "cases.red")
        assert co.count == 0 and listed_cases(client, co) == []


def test_a_finished_co_unit_task_leaves_the_co_unit_s_list(client, world, shared):
    with time_machine.travel(TUESDAY + dt.timedelta(hours=1), tick=False):
        svc.case_accept(shared, actor=world.handler_power)
        svc.case_complete_task(shared, actor=world.handler_other, result="用地手续已办妥")
    shared.refresh_from_db()
    with time_machine.travel(shared.solve_due_at + dt.timedelta(hours=2), tick=False):
        co = item(client, world.handler_other, "cases.red")
        assert co.count == 0 and listed_cases(client, co) == []
        assert item(client, world.handler_power, "cases.red").count == 1


# --- the supervisor's complaints: only those still open ---------------------------------------------


@pytest.fixture
def complaints(iw):
    world = iw.world
    still_open = complaint_file(make_visit(iw), actor=world.enterprise_a_user, text="检查人员未出示执法证。")
    closed = complaint_file(make_visit(iw), actor=world.enterprise_a_user, text="一周内第三次检查同一事项。")
    svc.case_assign(closed, actor=world.supervisor, lead_org=world.market_regulation)
    svc.case_accept(closed, actor=world.clerk_market)
    svc.case_resolve(closed, actor=world.clerk_market, resolution="已核实并整改。")
    svc.case_rate(closed, actor=world.enterprise_a_user, satisfaction="satisfied")
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED
    return still_open, closed


def test_the_supervisor_counts_open_complaints_and_the_list_shows_those(client, iw, complaints):
    still_open, closed = complaints
    todo = item(client, iw.world.supervisor, "inspections.complaints")
    assert todo.count == 1 and todo.light == "yellow"
    response = client.get(todo.url)
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == todo.count
    assert [case.pk for case in page.object_list] == [still_open.pk]
    html = response.content.decode()
    assert f'data-case="{closed.pk}"' not in html and 'data-state="all"' in html
    # 全部 still lists the closed one.
    everything = client.get(reverse("inspections:inspection_supervision_complaints"))
    assert everything.context["page"].paginator.count == 2


# --- the inspector's alerts on its own registrations ----------------------------------------------------


def test_the_inspector_s_alerts_link_to_a_list_of_exactly_those_alerts(client, iw):
    world = iw.world
    mine = make_visit(iw, inspectors=("inspector", "inspector2"))
    other = make_visit(iw, inspectors=("inspector2",))
    counted = alert_raise(InspectionAlert.Kind.HIGH_FREQUENCY, enterprise=world.enterprise_a,
                          department=world.market_regulation, inspection=mine, message="高频入企", count=3)
    handled = alert_raise(InspectionAlert.Kind.GRADE_A, enterprise=world.enterprise_a,
                          department=world.market_regulation, inspection=mine, message="对A级企业主动检查")
    InspectionAlert.objects.filter(pk=handled.pk).update(status=InspectionAlert.Status.HANDLED)
    not_mine = alert_raise(InspectionAlert.Kind.HIGH_FREQUENCY, enterprise=world.enterprise_a,
                           department=world.market_regulation, inspection=other, message="高频入企", count=4)

    todo = item(client, world.inspector, "inspections.my_alerts")
    assert todo.count == 1 and todo.light == "red"
    path, _, anchor = todo.url.partition("#")
    response = client.get(path)
    assert response.status_code == 200
    assert [alert.pk for alert in response.context["my_alerts"]] == [counted.pk]
    html = response.content.decode()
    assert f'id="{anchor}"' in html and f'data-alert="{counted.pk}"' in html
    assert f'data-alert="{handled.pk}"' not in html and f'data-alert="{not_mine.pk}"' not in html
    assert item(client, world.inspector2, "inspections.my_alerts").count == 2
