"""The case engine's natural-day clocks (issue 13 "Clocks", 信访工作条例): a petition's
limits count natural days rolled to a working day, the solve limit runs from the
acceptance, pauses and extensions count in the case's unit, the extension cap, and the
lead unit's head deciding extensions. The objection window stays in working days.

2026 in the installed calendar: 中秋 Fri 09-25..Sun 09-27 and 国庆 10-01..10-07 off;
Sunday 09-20, Saturday 05-09 and Saturday 10-10 are worked (调休)."""

import datetime as dt

import pytest

from yancheng.cases import services as svc
from yancheng.cases.models import Case, CaseEvent, CaseKind, DayUnit, ExtensionRequest, SlaPolicy, Status
from yancheng.cases.permissions import standing_of
from yancheng.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.models import Role
from yancheng.core.notifications.models import Notification

from .test_natural_days_world import (
    SH,
    assigned_petition,
    at,
    build_petition_world,
    end_of,
    make_user,
    petition_case,
)


@pytest.fixture
def pw(world):
    return build_petition_world(world)


def accepted_petition(pw, assigned_on: dt.datetime, accepted_on: dt.datetime) -> Case:
    case = assigned_petition(pw, assigned_on)
    with at(accepted_on):
        svc.case_accept(case, actor=pw.handler)
    case.refresh_from_db()
    return case


def test_the_petition_policies_count_natural_days(db):
    policy = SlaPolicy.objects.get(kind=CaseKind.PETITION, urgency="normal")
    assert (policy.day_unit, policy.accept_working_days, policy.solve_working_days) == (DayUnit.NATURAL, 15, 60)
    assert policy.roll_to_working_day and policy.solve_from_acceptance and policy.max_extension_days == 30


# --- the clocks -------------------------------------------------------------------------------------


def test_fifteen_days_to_accept_across_national_day_roll_to_the_first_working_day(pw):
    case = assigned_petition(pw, dt.datetime(2026, 9, 20, 10, 0, tzinfo=SH))
    assert case.day_unit == DayUnit.NATURAL
    # 09-20 + 15 = Mon 10-05 (国庆): 10-06, 10-07 off too → Thursday 10-08.
    assert case.accept_due_at == end_of(dt.date(2026, 10, 8))
    # Until it is accepted the solve clock runs from the assignment: + 60 = Thu 11-19.
    assert case.solve_due_at == end_of(dt.date(2026, 11, 19))
    assert case.solve_started_at is None


def test_without_the_roll_the_limit_ends_on_the_calendar_day(pw):
    SlaPolicy.objects.filter(kind=CaseKind.PETITION).update(roll_to_working_day=False)
    case = assigned_petition(pw, dt.datetime(2026, 9, 20, 10, 0, tzinfo=SH))
    assert case.accept_due_at == end_of(dt.date(2026, 10, 5))


def test_the_solve_limit_runs_sixty_days_from_the_acceptance_and_thirty_more_on_extension(pw):
    accepted_on = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SH)
    case = accepted_petition(pw, dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), accepted_on)
    assert case.solve_started_at == accepted_on
    # 03-10 + 60 = Sat 05-09, worked (劳动节 调休): it stays.
    assert case.solve_due_at == end_of(dt.date(2026, 5, 9))
    assert case.accept_due_at == end_of(dt.date(2026, 3, 17))  # the accept clock is unchanged
    with at(dt.datetime(2026, 4, 20, 10, 0, tzinfo=SH)):
        svc.case_request_extension(case, actor=pw.handler, working_days=30, reason="需要补充调查")
        svc.case_decide_extension(case, actor=pw.head, approve=True)
    case.refresh_from_db()
    assert case.solve_days == 90
    assert case.solve_due_at == end_of(dt.date(2026, 6, 8))  # 03-10 + 90


def test_a_working_day_kind_keeps_its_clock_from_the_assignment(world):
    with at(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)):
        case = svc.case_submit(actor=world.enterprise_a_user, title="高压专线未接入", description="尚未接入。")
        svc.case_assign(case, actor=world.dispatcher, lead_org=world.power_company, solve_days=5)
    with at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SH)):
        svc.case_accept(case, actor=world.handler_power)
    case.refresh_from_db()
    assert case.day_unit == DayUnit.WORKING and case.solve_started_at is None
    assert case.solve_due_at == end_of(dt.date(2026, 3, 9))  # Mon 03-02 + 5 working days


def test_a_pause_of_seven_natural_days_adds_seven(pw):
    case = accepted_petition(pw, dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), dt.datetime(2026, 3, 10, 9, 0, tzinfo=SH))
    with at(dt.datetime(2026, 3, 20, 15, 0, tzinfo=SH)):
        svc.case_suspend(case, actor=pw.handler, reason="听证")
    with at(dt.datetime(2026, 3, 27, 9, 0, tzinfo=SH)):  # Friday to Friday: 5 working days, 7 natural
        svc.case_resume(case, actor=pw.handler)
    case.refresh_from_db()
    assert case.solve_days == 67
    # 03-10 + 67 = Sat 05-16 → Monday 05-18.
    assert case.solve_due_at == end_of(dt.date(2026, 5, 18))
    event = CaseEvent.objects.filter(case=case, action="resume").get()
    assert event.data == {"paused_days": 7, "day_unit": "natural"}


def test_reassigning_restarts_the_solve_clock_from_the_new_assignment(pw):
    case = accepted_petition(pw, dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), dt.datetime(2026, 3, 10, 9, 0, tzinfo=SH))
    with at(dt.datetime(2026, 3, 12, 10, 0, tzinfo=SH)):
        svc.case_reassign(case, actor=pw.clerk, lead_org=pw.world.city_gov)
    case.refresh_from_db()
    assert case.solve_started_at is None and case.day_unit == DayUnit.NATURAL
    assert case.solve_due_at == end_of(dt.date(2026, 5, 11))  # 03-12 + 60


# --- the objection window stays in working days ------------------------------------------------------


def test_a_five_working_day_objection_from_a_friday_spans_the_weekend(pw):
    friday = dt.datetime(2026, 3, 6, 10, 0, tzinfo=SH)
    in_time = assigned_petition(pw, friday)
    late = assigned_petition(pw, friday, title="另一件")
    with at(dt.datetime(2026, 3, 13, 23, 0, tzinfo=SH)):  # the 5th working day (Mon 9 .. Fri 13)
        svc.case_return(in_time, actor=pw.handler, reason="不属于本单位职责")
    with at(dt.datetime(2026, 3, 14, 9, 0, tzinfo=SH)), pytest.raises(ValidationFailed, match="5 个工作日"):
        svc.case_return(late, actor=pw.handler, reason="不属于本单位职责")
    assert Case.objects.get(pk=in_time.pk).status == Status.RETURNED
    assert Case.objects.get(pk=late.pk).status == Status.ASSIGNED


# --- extensions: the cap and the unit --------------------------------------------------------------


def _request(case, pw, days):
    return svc.case_request_extension(case, actor=pw.handler, working_days=days, reason="需要补充调查")


def test_the_extension_cap_refuses_31_and_accepts_30(pw):
    case = accepted_petition(pw, dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), dt.datetime(2026, 3, 10, 9, 0, tzinfo=SH))
    with at(dt.datetime(2026, 3, 20, 10, 0, tzinfo=SH)):
        with pytest.raises(ValidationFailed, match="延期天数应在 1 到 30 个自然日之间。"):
            _request(case, pw, 31)
        assert _request(case, pw, 30).working_days == 30
        svc.case_decide_extension(case, actor=pw.head, approve=True)
        with pytest.raises(ValidationFailed, match="最多还可申请 0 个自然日") as refused:
            _request(case, pw, 1)
    assert refused.value.code == "extension_over_limit"


def test_twenty_then_ten_is_accepted_twenty_then_eleven_refused(pw):
    case = accepted_petition(pw, dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), dt.datetime(2026, 3, 10, 9, 0, tzinfo=SH))
    with at(dt.datetime(2026, 3, 20, 10, 0, tzinfo=SH)):
        _request(case, pw, 20)
        svc.case_decide_extension(case, actor=pw.head, approve=True)
        with pytest.raises(ValidationFailed, match="已批准 20 个自然日，最多还可申请 10 个自然日") as refused:
            _request(case, pw, 11)
        assert refused.value.code == "extension_over_limit"
        assert not ExtensionRequest.objects.filter(case=case, working_days=11).exists()
        _request(case, pw, 10)
        svc.case_decide_extension(case, actor=pw.head, approve=True)
    case.refresh_from_db()
    assert case.solve_days == 90


def test_a_refused_extension_does_not_count_towards_the_cap(pw):
    case = accepted_petition(pw, dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), dt.datetime(2026, 3, 10, 9, 0, tzinfo=SH))
    with at(dt.datetime(2026, 3, 20, 10, 0, tzinfo=SH)):
        _request(case, pw, 30)
        svc.case_decide_extension(case, actor=pw.head, approve=False, note="理由不足")
        assert _request(case, pw, 30).working_days == 30


def test_a_working_day_kind_has_no_cap_and_says_working_days(accepted, world):
    with at(dt.datetime(2026, 3, 11, 10, 0, tzinfo=SH)):
        with pytest.raises(ValidationFailed, match="延期天数应在 1 到 30 个工作日之间。"):
            svc.case_request_extension(accepted, actor=world.handler_power, working_days=31, reason="等待设备")
        for _ in range(2):  # 30 + 30: no cap on this policy
            svc.case_request_extension(accepted, actor=world.handler_power, working_days=30, reason="等待设备")
            svc.case_decide_extension(accepted, actor=world.dispatcher, approve=True)
    accepted.refresh_from_db()
    assert accepted.solve_days == 65


# --- who decides an extension --------------------------------------------------------------------------


def test_the_lead_units_head_decides_a_petitions_extension(pw, django_capture_on_commit_callbacks):
    case = accepted_petition(pw, dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), dt.datetime(2026, 3, 10, 9, 0, tzinfo=SH))
    with at(dt.datetime(2026, 3, 20, 10, 0, tzinfo=SH)):
        with django_capture_on_commit_callbacks(execute=True):
            _request(case, pw, 10)
        # The 信访 staff dispatched it, but do not decide its extension.
        assert standing_of(pw.clerk, case).is_dispatcher
        with pytest.raises(PermissionDeniedError):
            svc.case_decide_extension(case, actor=pw.clerk, approve=True)
        with pytest.raises(PermissionDeniedError):  # the handler is not the head
            svc.case_decide_extension(case, actor=pw.handler, approve=True)
        with pytest.raises(NotFoundError):  # another organ's leader does not even see it
            svc.case_decide_extension(case, actor=pw.other_head, approve=True)
        assert ExtensionRequest.objects.get(case=case).status == ExtensionRequest.Decision.PENDING
        svc.case_decide_extension(case, actor=pw.head, approve=True)
    assert ExtensionRequest.objects.get(case=case).status == ExtensionRequest.Decision.APPROVED
    # The request went to the head, not to the 信访 staff.
    asked = Notification.objects.filter(verb="case.extension_requested")
    assert set(asked.values_list("recipient", flat=True)) == {pw.head.pk}
    assert "10 个自然日" in asked.get().title


def test_a_working_day_kind_is_still_decided_by_its_dispatcher_not_a_leader(accepted, world):
    with at(dt.datetime(2026, 3, 11, 10, 0, tzinfo=SH)):
        svc.case_request_extension(accepted, actor=world.handler_power, working_days=2, reason="等待设备")
        assert not standing_of(world.dispatcher, accepted).extension_by_lead_head
        svc.case_decide_extension(accepted, actor=world.dispatcher, approve=True)
    assert ExtensionRequest.objects.get(case=accepted).status == ExtensionRequest.Decision.APPROVED


# --- who dispatches petitions, and how they are opened ---------------------------------------------------


def test_petition_staff_dispatch_and_nobody_is_the_reporter_side(pw):
    case = petition_case(pw)
    assert case.reporter_org == pw.bureau and case.region == pw.bureau.region and case.reporter is None
    clerk = standing_of(pw.clerk, case)
    assert clerk.is_dispatcher and not clerk.is_reporter_side
    # A city dispatch office's dispatcher neither dispatches nor sees a petition.
    office = make_user("office_dispatcher", Role.DISPATCHER, pw.world.project_office)
    assert not standing_of(office, case).is_dispatcher
    assert not Case.objects.visible_to(office).filter(pk=case.pk).exists()
    with pytest.raises(NotFoundError):
        svc.case_assign(case, actor=office, lead_org=pw.lead)


def test_only_a_system_caller_names_the_reporting_organisation(pw, world):
    with pytest.raises(ValueError):
        svc.case_submit(actor=world.dispatcher, title="t", description="d", reporter_org=pw.bureau)


@pytest.mark.parametrize("kind", [CaseKind.PETITION, CaseKind.PETITION_REVIEW])
def test_staff_cannot_open_a_petition_case_themselves(world, kind):
    with pytest.raises(ValidationFailed, match="信访模块"):
        svc.case_submit(actor=world.dispatcher, title="t", description="d", kind=kind)
    assert not Case.objects.filter(kind=kind).exists()


def test_the_new_case_form_does_not_offer_petition_kinds(world, client):
    client.force_login(world.dispatcher)
    page = client.get("/cases/new/")
    assert page.status_code == 200
    choices = {value for value, _label in page.context["form"].fields["kind"].choices}
    assert CaseKind.PETITION not in choices and CaseKind.PETITION_REVIEW not in choices
