"""A hazard's steps after its report: acceptance with the rectification case, the 重大 report,
挂牌督办, evidence, verification by someone else, and who is refused at each step."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yancheng.cases.escalation import escalation_tick
from yancheng.cases.models import CaseKind, EscalationLevel, Status
from yancheng.core.attachments.services import attachments_for
from yancheng.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.notifications.models import Notification
from yancheng.lib.deadlines import due_day
from yancheng.safety.models import CheckKind, CheckOutcome, HazardLevel, HazardStage, Rectification
from yancheng.safety.services.hazards import (
    hazard_accept,
    hazard_complete_report,
    hazard_reclassify,
    hazard_reject,
    hazard_report,
    hazard_submit_evidence,
    hazard_verify,
    supervising_level_for,
)

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
COMPLETE = {
    "situation_cause": "除尘系统未设泄爆装置，系改造时遗漏", "harm_difficulty": "可能引发粉尘爆炸，需停产改造",
    "plan_measures": "加装泄爆片和隔爆阀", "plan_owner": "张三", "plan_funds": "12.5",
    "plan_contingency": "停产期间设警戒区，配备灭火器材",
}


def photo(name="after.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def report(sw, actor=None, **kwargs):
    fields = {"system": sw.industry, "level": HazardLevel.GENERAL, "title": "除尘器泄爆片缺失",
              "description": "3号车间除尘器泄爆片缺失", "enterprise": sw.enterprise_b, "item": sw.items["GM-03"]}
    fields.update(kwargs)
    return hazard_report(actor=actor or sw.safety_emergency, **fields)


def in_days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def accepted(sw, **kwargs):
    hazard = report(sw, **kwargs)
    return hazard_accept(hazard, actor=sw.safety_emergency, rectify_by=in_days(30), responsible_person="李四")


def test_acceptance_opens_the_rectification_case_whose_solve_deadline_is_the_rectification_deadline(sw):
    hazard = accepted(sw)
    case = hazard.case
    assert hazard.stage == HazardStage.RECTIFYING and hazard.accepted_by == sw.safety_emergency
    assert case.kind == CaseKind.HAZARD and case.status == Status.ACCEPTED
    assert case.subject_ref == f"hazard:{hazard.pk}" and case.lead_org == sw.emergency_bureau
    assert case.enterprise == sw.enterprise_b and case.reporter_org == sw.enterprise_b.organisation
    # 30 calendar days ahead, counted as working days: the deadline falls on that day or the
    # last working day before it, never later.
    day = due_day(case.solve_due_at)
    assert in_days(30) - dt.timedelta(days=4) <= day <= in_days(30)
    assert hazard.supervised_at is None  # 一般隐患: no 督办


def test_a_deadline_today_or_before_is_refused(sw):
    hazard = report(sw)
    with pytest.raises(ValidationFailed) as refused:
        hazard_accept(hazard, actor=sw.safety_emergency, rectify_by=timezone.localdate())
    assert refused.value.field == "rectify_by"
    with pytest.raises(ValidationFailed):
        hazard_accept(hazard, actor=sw.safety_emergency)  # 一般隐患 without a deadline


def test_a_major_hazard_is_accepted_only_with_each_missing_part_of_its_report_named(sw):
    hazard = report(sw, level=HazardLevel.MAJOR)
    with pytest.raises(ValidationFailed) as refused:
        hazard_accept(hazard, actor=sw.safety_emergency, rectify_by=in_days(30))
    message = str(refused.value.message)
    for part in ("隐患现状及产生原因", "危害程度和整改难易程度", "治理方案的措施", "治理方案的责任人",
                 "治理方案的资金", "治理方案的时限", "治理方案的预案"):
        assert part in message
    partial = {k: v for k, v in COMPLETE.items() if k not in ("plan_funds", "plan_contingency")}
    hazard_complete_report(hazard, actor=sw.safety_emergency, plan_deadline=in_days(20), **partial)
    with pytest.raises(ValidationFailed) as refused:
        hazard_accept(hazard, actor=sw.safety_emergency)
    message = str(refused.value.message)
    assert "治理方案的资金" in message and "治理方案的预案" in message and "隐患现状及产生原因" not in message


def test_the_report_refuses_negative_funds_and_bad_dates(sw):
    hazard = report(sw, level=HazardLevel.MAJOR)
    for bad in ("-1", "abc", "NaN"):
        with pytest.raises(ValidationFailed) as refused:
            hazard_complete_report(hazard, actor=sw.safety_emergency, plan_funds=bad)
        assert refused.value.field == "plan_funds"
    with pytest.raises(ValidationFailed) as refused:
        hazard_complete_report(hazard, actor=sw.safety_emergency, plan_deadline="2026-02-30")
    assert refused.value.field == "plan_deadline"
    general = report(sw)
    with pytest.raises(ValidationFailed):
        hazard_complete_report(general, actor=sw.safety_emergency, **COMPLETE)


def test_a_major_hazard_goes_under_supervision_at_once_with_a_numbered_notice(sw):
    hazard = report(sw, level=HazardLevel.MAJOR)
    hazard_complete_report(hazard, actor=sw.world.users["enterprise_b"], plan_deadline=in_days(40), **COMPLETE)
    hazard.refresh_from_db()
    assert hazard.plan_funds == Decimal("12.50")
    hazard = hazard_accept(hazard, actor=sw.safety_emergency)  # the plan's 时限 is the deadline
    assert hazard.supervised_at is not None and hazard.notice_number
    assert hazard.supervising_level == sw.city_office  # a city department: the city's 安委办
    year = timezone.localdate().year
    assert hazard.notice_number == f"{sw.city_office.short_name or sw.city_office.name}安督〔{year}〕1号"
    assert due_day(hazard.case.solve_due_at) <= in_days(40)
    told = set(Notification.objects.filter(verb="hazard.supervised").values_list("recipient__username", flat=True))
    assert {"anweiban", "leader"} <= told
    assert "anweiban_qidong" not in told


def test_a_county_department_is_supervised_by_its_county_office(sw):
    assert supervising_level_for(sw.qidong_emergency) == sw.qidong_office
    assert supervising_level_for(sw.emergency_bureau) == sw.city_office


def test_reject_needs_a_reason_and_ends_the_report(sw):
    hazard = report(sw, actor=sw.world.users["enterprise_b"])
    with pytest.raises(ValidationFailed):
        hazard_reject(hazard, actor=sw.safety_emergency, reason=" ")
    hazard = hazard_reject(hazard, actor=sw.safety_emergency, reason="已在整改中，重复报告")
    assert hazard.stage == HazardStage.REJECTED and hazard.case is None
    with pytest.raises(ConflictError):
        hazard_accept(hazard, actor=sw.safety_emergency, rectify_by=in_days(10))


def test_reclassify_to_major_after_acceptance_supervises_it_or_is_refused(sw):
    hazard = accepted(sw)
    with pytest.raises(ValidationFailed):
        hazard_reclassify(hazard, actor=sw.safety_emergency, level=HazardLevel.MAJOR, reason="涉及粉尘爆炸")
    hazard.refresh_from_db()
    assert hazard.level == HazardLevel.GENERAL
    # Reclassified while still reported: 督办 comes with the acceptance, once the report is complete.
    other = report(sw)
    other = hazard_reclassify(other, actor=sw.safety_emergency, level=HazardLevel.MAJOR, reason="涉及粉尘爆炸")
    assert other.is_major and other.supervised_at is None  # not yet accepted: 督办 comes with acceptance
    hazard_complete_report(other, actor=sw.safety_emergency, plan_deadline=in_days(20), **COMPLETE)
    other = hazard_accept(other, actor=sw.safety_emergency)
    assert other.supervised_at is not None
    back = hazard_reclassify(other, actor=sw.safety_emergency, level=HazardLevel.GENERAL, reason="复核为一般隐患")
    assert back.level == HazardLevel.GENERAL


def test_evidence_then_verification_by_someone_else_closes_the_hazard_and_its_case(sw):
    hazard = accepted(sw)
    enterprise = sw.world.users["enterprise_b"]
    rectification = hazard_submit_evidence(hazard, actor=enterprise, measures_taken="已加装泄爆片",
                                           attachments=[photo()])
    hazard.refresh_from_db()
    assert hazard.stage == HazardStage.AWAITING_VERIFICATION and hazard.rectified_at is not None
    assert rectification.outcome == Rectification.Outcome.PENDING
    assert attachments_for(rectification).count() == 1
    for refused in (enterprise, sw.safety_qidong, sw.anweiban, sw.world.users["leader"]):
        with pytest.raises((PermissionDeniedError, NotFoundError)):
            hazard_verify(hazard, actor=refused, passed=True, note="合格")
    hazard = hazard_verify(hazard, actor=sw.safety_emergency2, passed=True, note="现场核查合格")
    assert hazard.stage == HazardStage.CLOSED and hazard.closed_by == sw.safety_emergency2
    assert hazard.case.status == Status.RESOLVED
    check = hazard.verification
    assert check.kind == CheckKind.VERIFICATION and check.performed_by == sw.safety_emergency2
    assert check.results.get().outcome == CheckOutcome.PASS
    rectification.refresh_from_db()
    assert rectification.outcome == Rectification.Outcome.ACCEPTED and rectification.decided_by == sw.safety_emergency2


def test_the_submitter_never_verifies_their_own_evidence(sw):
    """A place without an enterprise: the department rectifies, so one of its staff submits
    and another must verify."""
    hazard = report(sw, enterprise=None, region=sw.shigu, item=None)
    hazard = hazard_accept(hazard, actor=sw.safety_emergency, rectify_by=in_days(10))
    hazard_submit_evidence(hazard, actor=sw.safety_emergency, measures_taken="已清理堆放物")
    with pytest.raises(PermissionDeniedError):
        hazard_verify(hazard, actor=sw.safety_emergency, passed=True, note="合格")
    hazard = hazard_verify(hazard, actor=sw.safety_emergency2, passed=True, note="合格")
    assert hazard.stage == HazardStage.CLOSED and hazard.verification is None


def test_sent_back_the_hazard_is_rectified_again_and_the_rectifier_told(sw):
    hazard = accepted(sw)
    hazard_submit_evidence(hazard, actor=sw.world.users["enterprise_b"], measures_taken="已整改")
    with pytest.raises(ValidationFailed):
        hazard_verify(hazard, actor=sw.safety_emergency2, passed=False, note="")
    hazard = hazard_verify(hazard, actor=sw.safety_emergency2, passed=False, note="泄爆片规格不符")
    assert hazard.stage == HazardStage.RECTIFYING and hazard.case.status == Status.ACCEPTED
    assert hazard.rectifications.get().outcome == Rectification.Outcome.SENT_BACK
    assert Notification.objects.filter(verb="hazard.sent_back", recipient__username="enterprise_b").exists()
    hazard_submit_evidence(hazard, actor=sw.world.users["enterprise_b"], measures_taken="已更换")
    assert hazard.rectifications.count() == 2


PERSONAS = ["anonymous", "enterprise_a", "enterprise_b", "safety_qidong", "anweiban", "leader", "handler_power",
            "dispatcher", "safety_fire"]
STEP_OWNERS = {  # the persona who may take each step on enterprise B's hazard
    "accept": {"safety_emergency"}, "reject": {"safety_emergency"}, "reclassify": {"safety_emergency"},
    "submit_evidence": {"enterprise_b"}, "verify": {"safety_emergency2"},
}


def _persona(sw, name):
    from django.contrib.auth.models import AnonymousUser

    if name == "anonymous":
        return AnonymousUser()
    return sw.users.get(name) or sw.world.users[name]


def _staged(sw, step):
    hazard = report(sw)
    if step in ("submit_evidence", "verify"):
        hazard = hazard_accept(hazard, actor=sw.safety_emergency, rectify_by=in_days(20))
    if step == "verify":
        hazard_submit_evidence(hazard, actor=sw.world.users["enterprise_b"], measures_taken="已整改")
    return hazard


def _take(sw, step, hazard, actor):
    calls = {
        "accept": lambda: hazard_accept(hazard, actor=actor, rectify_by=in_days(20)),
        "reject": lambda: hazard_reject(hazard, actor=actor, reason="不属实"),
        "reclassify": lambda: hazard_reclassify(hazard, actor=actor, level=HazardLevel.MAJOR, reason="升级"),
        "submit_evidence": lambda: hazard_submit_evidence(hazard, actor=actor, measures_taken="已整改"),
        "verify": lambda: hazard_verify(hazard, actor=actor, passed=True, note="合格"),
    }
    return calls[step]()


@pytest.mark.parametrize(("step", "name"), [
    (step, name) for step in sorted(STEP_OWNERS) for name in PERSONAS if name not in STEP_OWNERS[step]
])
def test_the_wrong_roles_are_refused_every_step(sw, step, name):
    hazard = _staged(sw, step)
    hazard.refresh_from_db()
    before = (hazard.stage, hazard.version, hazard.level)
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        _take(sw, step, hazard, _persona(sw, name))
    hazard.refresh_from_db()
    assert (hazard.stage, hazard.version, hazard.level) == before


def test_a_stale_version_is_refused(sw):
    hazard = report(sw)
    with pytest.raises(ConflictError):
        hazard_accept(hazard, actor=sw.safety_emergency, rectify_by=in_days(10), expected_version=hazard.version + 1)


def test_an_overdue_hazard_escalates_on_the_case_ladder(sw):
    with time_machine.travel(dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC), tick=False):  # Monday 10:00
        hazard = report(sw)
        hazard = hazard_accept(hazard, actor=sw.safety_emergency, rectify_by=dt.date(2026, 3, 6))
    case = hazard.case
    assert due_day(case.solve_due_at) == dt.date(2026, 3, 6)
    assert escalation_tick(case.solve_due_at - dt.timedelta(seconds=1)).total == 0
    assert case.pk in escalation_tick(case.solve_due_at).pressed
    case.refresh_from_db()
    assert case.escalation_level == EscalationLevel.PRESSED
    from yancheng.cases.models import Light
    from yancheng.safety.models import Hazard
    from yancheng.safety.selectors import annotate_hazard_lights

    lit = annotate_hazard_lights(Hazard.objects.all(), now=case.solve_due_at + dt.timedelta(hours=1))
    assert lit.get(pk=hazard.pk).light == Light.RED



def test_verification_may_be_recorded_on_the_verifier_s_own_follow_up_registration(sw):
    from yancheng.inspections.registration.register import inspection_register
    from yancheng.testing.inspections import build_inspection_world
    from yancheng.testing.world import CERTIFICATES

    iw = build_inspection_world(sw.world)
    verifier = sw.world.users["inspector_emergency"]
    visit = inspection_register(
        actor=verifier, enterprise=sw.enterprise_b, found_by="uscc", kind="enforcement", items=[iw.chemicals],
        inspectors=[CERTIFICATES["inspector_emergency"], CERTIFICATES["inspector_emergency2"]],
        outside_plan_reason="complaint", exemption_reason=iw.complaint_reason, exemption_evidence="隐患复查",
    )
    hazard = accepted(sw)
    hazard_submit_evidence(hazard, actor=sw.world.users["enterprise_b"], measures_taken="已整改")
    with pytest.raises(ValidationFailed) as refused:  # another officer's registration
        hazard_verify(hazard, actor=sw.safety_emergency2, passed=True, note="合格", inspection=visit.pk)
    assert refused.value.field == "inspection"
    hazard = hazard_verify(hazard, actor=verifier, passed=True, note="复查合格", inspection=visit.pk)
    assert hazard.verification.inspection_id == visit.pk and hazard.stage == HazardStage.CLOSED


def test_the_verify_form_offers_only_the_verifier_s_own_visits_to_the_enterprise(sw):
    from yancheng.inspections.registration.register import inspection_register
    from yancheng.safety.forms_hazards import SendBackForm, VerifyForm
    from yancheng.testing.inspections import build_inspection_world
    from yancheng.testing.world import CERTIFICATES

    iw = build_inspection_world(sw.world)
    verifier = sw.world.users["inspector_emergency"]
    visit = inspection_register(
        actor=verifier, enterprise=sw.enterprise_b, found_by="uscc", kind="enforcement", items=[iw.chemicals],
        inspectors=[CERTIFICATES["inspector_emergency"], CERTIFICATES["inspector_emergency2"]],
        outside_plan_reason="complaint", exemption_reason=iw.complaint_reason, exemption_evidence="隐患复查",
    )
    hazard = accepted(sw)
    own = [value for value, _label in VerifyForm(user=verifier, hazard=hazard).fields["inspection"].choices]
    assert own == ["", visit.pk]
    # Someone who was not on the visit is offered none, and a posted id of it is refused by the form.
    other = VerifyForm(data={"inspection": str(visit.pk)}, user=sw.safety_emergency2, hazard=hazard)
    assert not other.is_valid() and "inspection" in other.errors
    assert SendBackForm(data={"note": "未整改到位", "inspection": str(visit.pk)}, user=verifier, hazard=hazard).is_valid()
    assert VerifyForm(data={"inspection": ""}, user=sw.safety_emergency2, hazard=hazard).is_valid()
