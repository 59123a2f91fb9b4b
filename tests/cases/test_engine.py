"""The case engine's behaviour through its services (SPEC §2.3): who may do what, the
working-day clocks, the lights, the escalation ladder, concurrency and the side paths.
Dates are checked against the installed calendar (2026: 中秋 Fri 09-25, 国庆 10-01..07
off; Sunday 09-20 and Saturday 10-10 are adjusted working days)."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections

from yancheng.cases import services as svc
from yancheng.cases.escalation import escalation_tick
from yancheng.cases.models import (
    Case,
    CaseEvent,
    CaseTask,
    EscalationLevel,
    ExtensionRequest,
    Status,
)
from yancheng.cases.tasks import recompute_provisional
from yancheng.core.audit.models import AuditEvent
from yancheng.core.calendar import parsers as holiday_parsers
from yancheng.core.calendar import services as holiday_services
from yancheng.core.calendar import source as calendar_source
from yancheng.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.models import Role
from yancheng.core.notifications.models import Notification
from yancheng.core.services import enterprise_create, user_create
from yancheng.lib.uscc import complete
from yancheng.testing.world import PERSONA_PASSWORD

SH = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)  # an ordinary week: Mon 03-02 .. Fri 03-06
PERSONAS = [
    "enterprise_a", "enterprise_b", "dispatcher", "handler_power", "handler_other", "inspector", "supervisor",
    "leader", "system_admin", "security_admin", "audit_admin",
]


def end_of(day: dt.date) -> dt.datetime:
    """A deadline "end of `day`" as the engine stores it: 24:00 Asia/Shanghai."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=SH)


def at(moment):
    return time_machine.travel(moment, tick=False)


def snapshot(case):
    row = Case.objects.get(pk=case.pk)
    return (row.status, row.version, CaseEvent.objects.filter(case_id=case.pk).count())


def light(case, now):
    return Case.objects.with_lights(now).get(pk=case.pk).light


def submit(world, who="enterprise_a", title="高压专线未接入", **kw):
    return svc.case_submit(actor=world.users[who], title=title, description="10kV 专线尚未接入。", **kw)


@pytest.fixture
def submitted(world):
    with at(MONDAY):
        return submit(world)


@pytest.fixture
def assigned(world, submitted):
    with at(MONDAY):
        return svc.case_assign(submitted, actor=world.dispatcher, lead_org=world.power_company,
                               co_orgs=[world.qidong_ndrc], co_instruction="办理用地手续", solve_days=5)


@pytest.fixture
def accepted(world, assigned):
    with at(MONDAY + dt.timedelta(hours=1)):
        return svc.case_accept(assigned, actor=world.handler_power)


@pytest.fixture
def plain_accepted(world):
    """Assigned Monday 10:00 to the power company alone (5 working days), accepted at 11:00."""
    with at(MONDAY):
        case = submit(world)
        svc.case_assign(case, actor=world.dispatcher, lead_org=world.power_company, solve_days=5)
    with at(MONDAY + dt.timedelta(hours=1)):
        svc.case_accept(case, actor=world.handler_power)
    case.refresh_from_db()
    return case


@pytest.fixture
def resolved(world, plain_accepted):
    with at(MONDAY + dt.timedelta(days=1)):
        svc.case_resolve(plain_accepted, actor=world.handler_power, resolution="已接入")
    plain_accepted.refresh_from_db()
    return plain_accepted


@pytest.fixture
def fresh_calendar(db):
    """The database calendar re-reading the holiday table on every call, and forgetting
    around the test what it cached (the test's rows are rolled back, the cache is not)."""
    source = calendar_source.workday_calendar.source
    assert isinstance(source, calendar_source.DatabaseSource)
    saved = source.recheck_seconds
    source.recheck_seconds = 0
    calendar_source.invalidate_cache()
    yield
    source.recheck_seconds = saved
    calendar_source.invalidate_cache()


# --- who may not: every transition by every role that must not do it ---------------------------------

# (state, action, the call, the personas who may)
MATRIX = [
    ("submitted", "assign", lambda c, u, w: svc.case_assign(c, actor=u, lead_org=w.power_company), {"dispatcher"}),
    ("submitted", "withdraw", lambda c, u, w: svc.case_withdraw(c, actor=u), {"enterprise_a"}),
    ("submitted", "urge", lambda c, u, w: svc.case_urge(c, actor=u), {"enterprise_a"}),
    ("submitted", "merge", lambda c, u, w: svc.case_merge(c, actor=u, into=w.other_case), {"dispatcher"}),
    ("assigned", "accept", lambda c, u, w: svc.case_accept(c, actor=u), {"handler_power"}),
    ("assigned", "return", lambda c, u, w: svc.case_return(c, actor=u, reason="非本单位职责"), {"handler_power"}),
    ("assigned", "reassign", lambda c, u, w: svc.case_reassign(c, actor=u, lead_org=w.city_ndrc), {"dispatcher"}),
    ("assigned", "complete_task", lambda c, u, w: svc.case_complete_task(c, actor=u, result="完成"),
     {"handler_other"}),
    ("assigned", "request_extension",
     lambda c, u, w: svc.case_request_extension(c, actor=u, working_days=2, reason="需施工"), {"handler_power"}),
    ("assigned", "withdraw", lambda c, u, w: svc.case_withdraw(c, actor=u), {"enterprise_a"}),
    ("accepted", "suspend", lambda c, u, w: svc.case_suspend(c, actor=u, reason="等待企业补充材料"),
     {"handler_power", "dispatcher"}),
    ("accepted", "decide_extension", lambda c, u, w: svc.case_decide_extension(c, actor=u, approve=True),
     {"dispatcher"}),
    ("accepted", "resolve", lambda c, u, w: svc.case_resolve(c, actor=u, resolution="已办"), {"handler_power"}),
    ("resolved", "rate", lambda c, u, w: svc.case_rate(c, actor=u, satisfaction="satisfied"), {"enterprise_a"}),
]


@pytest.mark.parametrize(("state", "action", "call", "allowed"), MATRIX, ids=[f"{m[1]}-when-{m[0]}" for m in MATRIX])
def test_every_role_that_must_not_take_a_step_is_refused_and_nothing_changes(
    world, request, state, action, call, allowed
):
    case = request.getfixturevalue("plain_accepted" if state == "accepted" else state)
    if state == "accepted":
        with at(MONDAY + dt.timedelta(hours=2)):
            svc.case_request_extension(case, actor=world.handler_power, working_days=2, reason="需施工")
    with at(MONDAY):
        world.other_case = submit(world, title="重复反映：高压专线")
    before = snapshot(case)
    refused = [p for p in PERSONAS if p not in allowed]
    assert refused
    for persona in refused:
        user = world.users[persona]
        # Visible but not theirs → 403; not even visible → 404 (its existence not revealed).
        sees = Case.objects.visible_to(user).filter(pk=case.pk).exists()
        with at(MONDAY + dt.timedelta(hours=3)), pytest.raises(PermissionDeniedError if sees else NotFoundError):
            call(case, user, world)
        assert snapshot(case) == before, persona


def test_a_refused_step_leaves_a_denied_audit_record(world, assigned):
    with at(MONDAY + dt.timedelta(hours=3)), pytest.raises(PermissionDeniedError):
        svc.case_accept(assigned, actor=world.enterprise_a_user)
    assert AuditEvent.objects.filter(action="case.denied", outcome="denied").exists()


def test_an_overseer_who_cannot_see_a_case_cannot_write_on_it(world, submitted):
    # The city leader sees only escalated cases; a fresh one is outside their sight.
    assert not Case.objects.visible_to(world.leader).filter(pk=submitted.pk).exists()
    before = snapshot(submitted)
    with pytest.raises(NotFoundError):
        svc.case_add_note(submitted, actor=world.leader, note="请加快")
    assert snapshot(submitted) == before


# --- deadlines in working days ---------------------------------------------------------------------------------


def test_an_assignment_on_the_mid_autumn_friday_skips_the_holidays(world):
    friday = dt.datetime(2026, 9, 25, 10, 0, tzinfo=SH)  # 中秋: itself a holiday
    with at(friday):
        case = submit(world)
        svc.case_assign(case, actor=world.dispatcher, lead_org=world.power_company, solve_days=5)
    case.refresh_from_db()
    # Working days after 09-25: 09-28, 09-29, 09-30, (10-01..07 off) 10-08, 10-09.
    assert case.accept_due_at == end_of(dt.date(2026, 9, 28))
    assert case.solve_due_at == end_of(dt.date(2026, 10, 9))
    assert not case.deadlines_provisional


def test_a_late_december_deadline_is_provisional_until_the_next_year_is_imported(
    world, fresh_calendar, django_capture_on_commit_callbacks
):
    # 2093-12-28 is a Monday and 2094-01-01 a Friday, as in 2026/2027; no chinesecalendar
    # release will know 2094, so this test never has to skip. 2093 is imported first, so
    # only the next year is unknown.
    assert not calendar_source.workday_calendar.year_known(2094)
    known = holiday_parsers.parse_holiday_file("date,kind,name\n2093-10-01,holiday,国庆节\n", filename="2093.csv")
    with django_capture_on_commit_callbacks(execute=True):
        holiday_services.holiday_year_import(notice=known, actor=world.system_admin)
    calendar_source.invalidate_cache()
    with at(dt.datetime(2093, 12, 28, 10, 0, tzinfo=SH)):  # Monday
        case = submit(world)
        svc.case_assign(case, actor=world.dispatcher, lead_org=world.power_company, solve_days=5)
    case.refresh_from_db()
    # Weekends only in 2094: 12-29, 12-30, 12-31, 01-01 (a Friday), 01-04.
    assert case.deadlines_provisional
    assert case.solve_due_at == end_of(dt.date(2094, 1, 4))
    version = case.version

    notice = holiday_parsers.parse_holiday_file("date,kind,name\n2094-01-01,holiday,元旦\n", filename="2094.csv")
    with django_capture_on_commit_callbacks(execute=True):
        holiday_services.holiday_year_import(notice=notice, actor=world.system_admin)
    calendar_source.invalidate_cache()
    recompute_provisional(2094)  # idempotent whether or not the import's callback already ran
    case.refresh_from_db()
    assert not case.deadlines_provisional
    assert case.solve_due_at == end_of(dt.date(2094, 1, 5))  # New Year's Day is now off
    assert case.version > version
    assert recompute_provisional(2094) == 0  # nothing left provisional


# --- lights --------------------------------------------------------------------------------------------------------


def test_the_accept_clock_turns_yellow_at_its_threshold_and_red_at_its_deadline(world, assigned):
    second = dt.timedelta(seconds=1)
    assert assigned.accept_due_at == end_of(dt.date(2026, 3, 3))
    assert light(assigned, assigned.accept_yellow_at - second) == "green"
    assert light(assigned, assigned.accept_yellow_at) == "yellow"
    assert light(assigned, assigned.accept_due_at - second) == "yellow"
    assert light(assigned, assigned.accept_due_at) == "red"


def test_the_solve_clock_turns_yellow_at_its_threshold_and_red_at_its_deadline(world, plain_accepted):
    case, second = plain_accepted, dt.timedelta(seconds=1)
    assert case.solve_due_at == end_of(dt.date(2026, 3, 9))
    # The last third of the allowed time (policy: 33 % remaining).
    assert case.solve_yellow_at == case.solve_due_at - (case.solve_due_at - case.clock_started_at) * 0.33
    # Once accepted, the accept clock no longer counts.
    assert light(case, case.accept_due_at + second) == "green"
    assert light(case, case.solve_yellow_at - second) == "green"
    assert light(case, case.solve_yellow_at) == "yellow"
    assert light(case, case.solve_due_at - second) == "yellow"
    assert light(case, case.solve_due_at) == "red"


def test_the_light_is_paused_while_suspended(world, plain_accepted):
    with at(MONDAY + dt.timedelta(days=1)):
        svc.case_suspend(plain_accepted, actor=world.handler_power, reason="等待企业补充材料")
    assert light(plain_accepted, plain_accepted.solve_due_at + dt.timedelta(days=3)) == "paused"


def test_a_case_resolved_in_time_stays_ontime_and_a_late_one_stays_late(world, plain_accepted):
    with at(MONDAY):
        late = submit(world, title="另一问题")
        svc.case_assign(late, actor=world.dispatcher, lead_org=world.power_company, solve_days=5)
        svc.case_accept(late, actor=world.handler_power)
    with at(plain_accepted.solve_due_at - dt.timedelta(minutes=1)):
        svc.case_resolve(plain_accepted, actor=world.handler_power, resolution="已办")
    with at(late.solve_due_at + dt.timedelta(minutes=1)):
        svc.case_resolve(late, actor=world.handler_power, resolution="已办")
    much_later = MONDAY + dt.timedelta(days=60)
    assert light(plain_accepted, much_later) == "ontime"
    assert light(late, much_later) == "late"


# --- escalation ---------------------------------------------------------------------------------------------------


def _events(case, action):
    return CaseEvent.objects.filter(case=case, action=action).count()


def test_the_escalation_ladder_presses_then_supervises_then_reports_each_once(world, plain_accepted):
    case, second = plain_accepted, dt.timedelta(seconds=1)
    assert escalation_tick(case.solve_due_at - second).total == 0
    assert Case.objects.get(pk=case.pk).escalation_level == EscalationLevel.NONE

    assert escalation_tick(case.solve_due_at).pressed == [case.pk]
    assert escalation_tick(case.solve_due_at).total == 0  # twice at the same moment: once
    case.refresh_from_db()
    assert case.escalation_level == EscalationLevel.PRESSED and _events(case, "press") == 1

    assert escalation_tick(case.supervise_at - second).total == 0
    assert escalation_tick(case.supervise_at).supervised == [case.pk]
    assert escalation_tick(case.supervise_at).total == 0
    case.refresh_from_db()
    assert case.escalation_level == EscalationLevel.SUPERVISED and _events(case, "supervise") == 1
    # The power company has no parent unit: the city government supervises.
    assert case.escalated_to == world.city_gov
    assert Case.objects.visible_to(world.leader).filter(pk=case.pk).exists()

    assert escalation_tick(case.report_at - second).total == 0
    assert escalation_tick(case.report_at).reported == [case.pk]
    assert escalation_tick(case.report_at).total == 0
    case.refresh_from_db()
    assert case.escalation_level == EscalationLevel.REPORTED and _events(case, "report") == 1
    assert _events(case, "press") == 1 and _events(case, "supervise") == 1


def test_supervision_goes_to_the_lead_units_parent(world):
    with at(MONDAY):
        case = submit(world)
        svc.case_assign(case, actor=world.dispatcher, lead_org=world.qidong_ndrc, solve_days=5)
    case.refresh_from_db()
    escalation_tick(case.solve_due_at)
    escalation_tick(case.supervise_at)
    case.refresh_from_db()
    assert case.escalation_level == EscalationLevel.SUPERVISED
    assert case.escalated_to == world.qidong_gov


def test_a_suspended_case_is_not_escalated(world, plain_accepted):
    with at(MONDAY + dt.timedelta(days=1)):
        svc.case_suspend(plain_accepted, actor=world.handler_power, reason="等待听证")
    assert escalation_tick(plain_accepted.report_at).total == 0


# --- concurrency (PostgreSQL: SQLite serialises writers) ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_handlers_accepting_at_once_exactly_one_succeeds(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks race only on PostgreSQL; SQLite serialises every write transaction")
    second = user_create(username="handler_power_2", password=PERSONA_PASSWORD, role=Role.HANDLER,
                         organisation=world.power_company, full_name="供电承办人乙", must_change_password=False,
                         actor=None)
    case = submit(world)
    svc.case_assign(case, actor=world.dispatcher, lead_org=world.power_company)
    version = Case.objects.get(pk=case.pk).version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(user):
        try:
            barrier.wait(timeout=10)
            svc.case_accept(case.pk, actor=user, expected_version=version)
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("conflict")
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(u,)) for u in (world.handler_power, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "ok"]
    assert CaseEvent.objects.filter(case_id=case.pk, action="accept").count() == 1
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED


# --- the side paths ---------------------------------------------------------------------------------------------


def test_a_duplicate_is_merged_and_both_reporters_are_told(world):
    enterprise_c = enterprise_create(uscc=complete("91430426MA4L0000C"), name="祁东县示例电子有限公司",
                                     region=world.qidong, park=world.qidong_park, actor=None)
    reporter_c = user_create(username="enterprise_c", password=PERSONA_PASSWORD, role=Role.ENTERPRISE,
                             organisation=enterprise_c.organisation, full_name="企业丙联系人",
                             must_change_password=False, actor=None)
    with at(MONDAY):
        target = submit(world)
        duplicate = svc.case_submit(actor=reporter_c, title="园区高压线路未接入", description="同一条线路。")
        svc.case_merge(duplicate, actor=world.dispatcher, into=target, note="同一问题")
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == target
    assert Notification.objects.filter(recipient=reporter_c, verb="case.merged").exists()
    assert Notification.objects.filter(recipient=world.enterprise_a_user, verb="case.merged_in").exists()
    assert CaseEvent.objects.filter(case=target, action="merged_in").exists()
    with pytest.raises(ConflictError):  # a merged case is finished
        svc.case_assign(duplicate, actor=world.dispatcher, lead_org=world.power_company)


def test_a_first_dissatisfied_rating_reopens_and_a_second_escalates_to_supervision(world, resolved):
    with at(MONDAY + dt.timedelta(days=2)):
        svc.case_rate(resolved, actor=world.enterprise_a_user, satisfaction="dissatisfied", comment="仍未送电")
    resolved.refresh_from_db()
    assert resolved.status == Status.ACCEPTED and resolved.reopen_count == 1
    assert resolved.escalation_level == EscalationLevel.NONE
    with at(MONDAY + dt.timedelta(days=3)):
        svc.case_resolve(resolved, actor=world.handler_power, resolution="再次处理")
        svc.case_rate(resolved, actor=world.enterprise_a_user, satisfaction="dissatisfied", comment="还是没有")
    resolved.refresh_from_db()
    assert resolved.escalation_level == EscalationLevel.SUPERVISED
    assert resolved.escalated_to == world.city_gov
    assert resolved.dissatisfied_count == 2


def test_a_dissatisfied_rating_needs_a_reason(world, resolved):
    before = snapshot(resolved)
    with pytest.raises(ValidationFailed):
        svc.case_rate(resolved, actor=world.enterprise_a_user, satisfaction="dissatisfied")
    assert snapshot(resolved) == before


def test_the_reporter_may_urge_once_per_day_in_shanghai(world, assigned):
    with at(MONDAY):
        svc.case_urge(assigned, actor=world.enterprise_a_user)
    before = snapshot(assigned)
    with at(MONDAY + dt.timedelta(hours=5)), pytest.raises(ConflictError) as refused:
        svc.case_urge(assigned, actor=world.enterprise_a_user)
    assert refused.value.code == "urged_today"
    assert snapshot(assigned) == before
    # 07:59 on Tuesday in Shanghai is still Monday in UTC: it is a new day here.
    with at(dt.datetime(2026, 3, 3, 7, 59, tzinfo=SH)):
        svc.case_urge(assigned, actor=world.enterprise_a_user)
    assert _events(assigned, "urge") == 2


def test_withdrawal_is_allowed_before_acceptance_and_refused_after(world, accepted, submitted):
    before = snapshot(accepted)
    with pytest.raises(ConflictError):
        svc.case_withdraw(accepted, actor=world.enterprise_a_user)
    assert snapshot(accepted) == before
    with at(MONDAY):
        other = submit(world, title="另一问题")
        svc.case_assign(other, actor=world.dispatcher, lead_org=world.power_company)
        svc.case_withdraw(other, actor=world.enterprise_a_user, reason="已自行解决")
    other.refresh_from_db()
    assert other.status == Status.WITHDRAWN


def test_an_approved_extension_moves_the_solve_deadline_by_working_days(world, plain_accepted):
    case = plain_accepted
    assert case.solve_due_at == end_of(dt.date(2026, 3, 9))
    with at(MONDAY + dt.timedelta(days=2)):
        svc.case_request_extension(case, actor=world.handler_power, working_days=3, reason="需停电施工")
        request = svc.case_decide_extension(case, actor=world.dispatcher, approve=True)
    case.refresh_from_db()
    assert request.status == ExtensionRequest.Decision.APPROVED
    assert case.solve_due_at == end_of(dt.date(2026, 3, 12))
    assert case.solve_days == 8
    assert Notification.objects.filter(recipient=world.enterprise_a_user, verb="case.extension_decided").exists()


def test_refusing_an_extension_needs_a_reason_and_keeps_the_deadline(world, plain_accepted):
    case = plain_accepted
    due = case.solve_due_at
    with at(MONDAY + dt.timedelta(days=2)):
        svc.case_request_extension(case, actor=world.handler_power, working_days=3, reason="需停电施工")
        with pytest.raises(ValidationFailed):
            svc.case_decide_extension(case, actor=world.dispatcher, approve=False)
        assert case.extensions.get().status == ExtensionRequest.Decision.PENDING
        request = svc.case_decide_extension(case, actor=world.dispatcher, approve=False, note="工期可压缩")
    case.refresh_from_db()
    assert request.status == ExtensionRequest.Decision.REFUSED
    assert case.solve_due_at == due


def test_suspend_and_resume_add_the_paused_working_days(world, plain_accepted):
    case = plain_accepted
    with at(dt.datetime(2026, 3, 3, 10, 0, tzinfo=SH)):  # Tuesday
        svc.case_suspend(case, actor=world.handler_power, reason="等待企业补充材料")
    with at(dt.datetime(2026, 3, 5, 10, 0, tzinfo=SH)):  # Thursday: 2 working days later
        svc.case_resume(case, actor=world.handler_power)
    case.refresh_from_db()
    assert case.suspended_at is None
    assert case.solve_due_at == end_of(dt.date(2026, 3, 11))  # was the end of 03-09
    assert CaseEvent.objects.get(case=case, action="resume").data["paused_working_days"] == 2


def test_a_return_outside_the_objection_window_is_refused(world, assigned):
    before = snapshot(assigned)
    with at(dt.datetime(2026, 3, 4, 9, 0, tzinfo=SH)), pytest.raises(ValidationFailed):
        svc.case_return(assigned, actor=world.handler_power, reason="非本单位职责")
    assert snapshot(assigned) == before


def test_a_return_inside_the_objection_window_goes_back_to_the_dispatcher(world, assigned):
    with at(dt.datetime(2026, 3, 3, 17, 0, tzinfo=SH)):
        svc.case_return(assigned, actor=world.handler_power, reason="非本单位职责")
    assigned.refresh_from_db()
    assert assigned.status == Status.RETURNED
    assert Notification.objects.filter(recipient=world.dispatcher, verb="case.returned").exists()


def test_the_lead_cannot_resolve_while_a_co_unit_task_is_open(world, accepted):
    before = snapshot(accepted)
    with pytest.raises(ValidationFailed):
        svc.case_resolve(accepted, actor=world.handler_power, resolution="已接入")
    assert snapshot(accepted) == before
    svc.case_complete_task(accepted, actor=world.handler_other, result="用地手续已办妥")
    svc.case_resolve(accepted, actor=world.handler_power, resolution="已接入")
    accepted.refresh_from_db()
    assert accepted.status == Status.RESOLVED
    assert accepted.tasks.get().status == CaseTask.TaskStatus.DONE
