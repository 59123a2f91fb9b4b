"""The seed story through the services (SPEC §3 item 3): a paper-box maker in 祁东's park
reports "高压专线未接入" on a Friday; the park assigns it to the power company with the
county 发改局 as co-unit; the power company accepts and resolves a week later; the co-unit's
sub-task closes; the enterprise rates 满意."""

import datetime as dt

import pytest
import time_machine

from yancheng.cases.models import Case, CaseEvent, CaseTask, Status
from yancheng.cases.services import (
    case_accept,
    case_assign,
    case_complete_task,
    case_rate,
    case_resolve,
    case_submit,
)
from yancheng.core.errors import ValidationFailed
from yancheng.core.notifications.models import Notification

SH = dt.timezone(dt.timedelta(hours=8))
# Friday 2026-09-25 is the Mid-autumn holiday; National Day 2026 is 10-01..10-07 off and
# Saturday 10-10 an adjusted working day (chinesecalendar's 2026 data).
FRIDAY = dt.datetime(2026, 9, 25, 10, 0, tzinfo=SH)


@pytest.fixture
def story(world):
    with time_machine.travel(FRIDAY, tick=False):
        case = case_submit(
            actor=world.enterprise_a_user,
            title="高压专线未接入",
            description="厂房已建成，10kV 高压专线尚未接入，无法试生产。",
            subject="纸箱包装生产线项目",
        )
    return case


def test_the_enterprise_report_lands_in_the_parks_inbox(world, story):
    assert story.status == Status.SUBMITTED
    assert story.dispatch_org == world.qidong_park
    assert story.enterprise == world.enterprise_a
    assert Notification.objects.filter(recipient=world.dispatcher, verb="case.submitted").exists()


def test_the_whole_story_closes_satisfied_with_every_step_in_the_history(world, story):
    with time_machine.travel(FRIDAY + dt.timedelta(hours=2), tick=False):
        case = case_assign(
            story, actor=world.dispatcher, lead_org=world.power_company, co_orgs=[world.qidong_ndrc],
            co_instruction="办理用地手续", solve_days=5,
        )
    # Working days after the assignment: 09-28, 09-29, 09-30, then the holiday, 10-08, 10-09:
    # the 5th ends at 24:00 on Friday 10-09; accepting is due by the end of Monday 09-28.
    assert case.solve_due_at == dt.datetime(2026, 10, 10, 0, 0, tzinfo=SH)
    assert case.accept_due_at == dt.datetime(2026, 9, 29, 0, 0, tzinfo=SH)
    assert Notification.objects.filter(recipient=world.handler_power, verb="case.assigned").exists()
    assert Notification.objects.filter(recipient=world.handler_other, verb="case.task_assigned").exists()

    with time_machine.travel(FRIDAY + dt.timedelta(days=3), tick=False):
        case_accept(case, actor=world.handler_power)
    with time_machine.travel(FRIDAY + dt.timedelta(days=5), tick=False):
        with pytest.raises(ValidationFailed):
            case_resolve(case, actor=world.handler_power, resolution="已接入")
        case_complete_task(case, actor=world.handler_other, result="用地手续已办妥")
        case_resolve(case, actor=world.handler_power, resolution="已按节点倒排工期，10kV 专线已接入送电。")
    with time_machine.travel(FRIDAY + dt.timedelta(days=6), tick=False):
        case_rate(case, actor=world.enterprise_a_user, satisfaction="satisfied", comment="感谢")
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.tasks.get().status == CaseTask.TaskStatus.DONE
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == ["submit", "assign", "accept", "complete_task", "resolve", "rate"]
    assert Case.objects.with_lights(FRIDAY + dt.timedelta(days=7)).get(pk=case.pk).light == "ontime"


def test_a_week_after_closing_the_enterprise_is_asked_once_and_not_solved_reopens(world, story):
    from django.core.management import call_command

    from yancheng.cases.services import case_revisit

    with time_machine.travel(FRIDAY + dt.timedelta(hours=2), tick=False):
        case = case_assign(story, actor=world.dispatcher, lead_org=world.power_company)
    with time_machine.travel(FRIDAY + dt.timedelta(days=3), tick=False):
        case_accept(case, actor=world.handler_power)
        case_resolve(case, actor=world.handler_power, resolution="已接入")
        case_rate(case, actor=world.enterprise_a_user, satisfaction="satisfied")
    with time_machine.travel(FRIDAY + dt.timedelta(days=9), tick=False):
        call_command("tick")
        assert not Notification.objects.filter(verb="case.revisit").exists()  # 7 days not yet over
    with time_machine.travel(FRIDAY + dt.timedelta(days=11), tick=False):
        call_command("tick")
        call_command("tick")
        assert Notification.objects.filter(verb="case.revisit", recipient=world.enterprise_a_user).count() == 1
        case_revisit(case, actor=world.enterprise_a_user, solved=False, note="又断电了")
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.reopen_count == 1


def test_a_unit_cannot_register_a_case_for_an_enterprise_outside_its_area(world):
    from yancheng.core.errors import PermissionDeniedError

    # The 祁东 park's dispatcher does not see 石鼓区's enterprise B.
    with pytest.raises(PermissionDeniedError):
        case_submit(actor=world.dispatcher, title="越权登记", description="x", enterprise=world.enterprise_b)
    assert not Case.objects.filter(title="越权登记").exists()
