"""明责 and 化解 on the case engine: 转送交办, 受理, 异议, 延期, 听证, the answer, 办结报告;
each step from the role that may take it, and refused to the ones that may not."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from yancheng.cases.models import Case, CaseKind, Status
from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.petitions import handling
from yancheng.petitions.intake import PetitionerInput
from yancheng.petitions.models import DocumentKind, Outcome, Petition, Stage, TransferMode
from yancheng.testing.petitions import register as register_one

pytestmark = pytest.mark.django_db



def register(pw, **overrides):
    """A matter of a new petitioner each time (no ID number: not linked as 重复信访)."""
    register.count += 1  # type: ignore[attr-defined]
    overrides.setdefault("petitioners", [PetitionerInput(f"信访人{register.count}")])  # type: ignore[attr-defined]
    return register_one(pw, **overrides)


register.count = 0  # type: ignore[attr-defined]


def transferred(pw, mode=TransferMode.FORWARD, **overrides):
    petition = register(pw, **overrides).petition
    return handling.petition_transfer(petition, actor=pw.xinfang, organ=pw.housing, mode=mode)


def accepted(pw, **overrides):
    petition = transferred(pw, **overrides)
    return handling.petition_accept(petition, actor=pw.handler_housing)


def kinds(petition):
    return list(petition.documents.order_by("pk").values_list("kind", flat=True))


def test_transfer_opens_the_case_on_the_engine_with_a_forward_letter(pw):
    petition = transferred(pw)
    petition.refresh_from_db()
    assert petition.stage == Stage.TRANSFERRED
    assert petition.handling_org == pw.housing
    case = petition.case
    assert case.kind == CaseKind.PETITION and case.status == Status.ASSIGNED
    assert case.lead_org == pw.housing and case.dispatch_org == pw.city_bureau
    assert case.withheld_from is None
    assert kinds(petition) == [DocumentKind.FORWARD]
    assert petition.version == 2


def test_assignment_sets_the_report_date_and_needs_the_report_to_close(pw):
    petition = register(pw, petition_type="suggestion", claim_route="").petition
    handling.petition_transfer(petition, actor=pw.xinfang, organ=pw.housing, mode=TransferMode.ASSIGN,
                               report_days=30)
    assert petition.report_due_at is not None
    handling.petition_accept(petition, actor=pw.handler_housing)
    handling.petition_answer(petition, actor=pw.handler_housing, outcome=Outcome.SUPPORT, reasons="建议合理，予以采纳。")
    petition.refresh_from_db()
    assert petition.stage == Stage.ANSWERED  # waits for its 办结报告
    handling.petition_receive_report(petition, actor=pw.handler_housing, summary="已采纳并落实。")
    petition.refresh_from_db()
    assert petition.stage == Stage.CLOSED and petition.report_received_at is not None
    assert DocumentKind.COMPLETION_REPORT in kinds(petition)


def test_transfer_refused_to_others_and_unclassified_and_routes_one_to_five(pw):
    petition = register(pw).petition
    for user in (pw.handler_housing, pw.head_housing, pw.xinfang_qidong, pw.supervisor_housing):
        with pytest.raises(PermissionDeniedError):
            handling.petition_transfer(petition, actor=user, organ=pw.housing, mode=TransferMode.FORWARD)
    unclassified = register(pw, petition_type="", claim_route="").petition
    with pytest.raises(ValidationFailed, match="分类"):
        handling.petition_transfer(unclassified, actor=pw.xinfang, organ=pw.housing, mode=TransferMode.FORWARD)
    litigation = register(pw, claim_route="litigation").petition
    with pytest.raises(ValidationFailed, match="第三十一条"):
        handling.petition_transfer(litigation, actor=pw.xinfang, organ=pw.housing, mode=TransferMode.FORWARD)
    assert not Case.objects.filter(kind=CaseKind.PETITION).exists()


def test_stale_version_is_refused(pw):
    petition = register(pw).petition
    with pytest.raises(ConflictError):
        handling.petition_transfer(petition, actor=pw.xinfang, organ=pw.housing, mode=TransferMode.FORWARD,
                                   expected_version=petition.version + 1)
    handling.petition_transfer(petition, actor=pw.xinfang, organ=pw.housing, mode=TransferMode.FORWARD,
                               expected_version=petition.version)
    with pytest.raises(ConflictError):  # a second transfer: the stage moved on
        handling.petition_transfer(petition, actor=pw.xinfang, organ=pw.hrss, mode=TransferMode.FORWARD)


def accusation(pw):
    return register(pw, petition_type="accusation", claim_route="", respondent_org=pw.housing,
                    petitioners=[PetitionerInput("匿名")], title="住建局某科长收受好处费").petition


def test_an_accusation_never_goes_to_the_organ_complained_about_nor_above_nor_below(pw):
    petition = accusation(pw)
    for organ in (pw.housing, pw.housing_office, pw.world.city_gov):
        with pytest.raises(ValidationFailed, match="第三十条"):
            handling.petition_transfer(petition, actor=pw.xinfang, organ=organ, mode=TransferMode.FORWARD)
    handling.petition_transfer(petition, actor=pw.xinfang, organ=pw.discipline, mode=TransferMode.FORWARD)
    petition.refresh_from_db()
    case = petition.case
    assert case.withheld_from == pw.housing
    assert "收受" not in case.title and petition.number in case.title
    assert not Case.objects.visible_to(pw.handler_housing).filter(pk=case.pk).exists()
    assert not Case.objects.visible_to(pw.handler_housing_office).filter(pk=case.pk).exists()


def test_accept_by_the_handling_organ_only_with_an_acceptance_notice(pw):
    petition = transferred(pw)
    for user in (pw.handler_hrss, pw.handler_housing_office, pw.xinfang, pw.head_housing, pw.xinfang_qidong):
        with pytest.raises(PermissionDeniedError):
            handling.petition_accept(petition, actor=user)
    handling.petition_accept(petition, actor=pw.handler_housing)
    petition.refresh_from_db()
    assert petition.stage == Stage.ACCEPTED and petition.accepted_at is not None
    assert petition.case.status == Status.ACCEPTED
    assert kinds(petition)[-1] == DocumentKind.ACCEPTANCE
    with pytest.raises(ConflictError):
        handling.petition_accept(petition, actor=pw.handler_housing)


def test_refuse_ends_the_matter_with_a_non_acceptance_notice(pw):
    petition = transferred(pw)
    with pytest.raises(PermissionDeniedError):
        handling.petition_refuse(petition, actor=pw.handler_hrss, reason="不属于信访事项")
    handling.petition_refuse(petition, actor=pw.handler_housing, reason="已进入诉讼程序")
    petition.refresh_from_db()
    assert petition.stage == Stage.NOT_ACCEPTED and petition.ended_at is not None
    assert petition.case.status == Status.RESOLVED
    assert kinds(petition)[-1] == DocumentKind.NON_ACCEPTANCE


def test_objection_upheld_moves_the_matter_to_another_organ(pw):
    petition = transferred(pw)
    with pytest.raises(PermissionDeniedError):
        handling.petition_object(petition, actor=pw.handler_hrss, reason="不是我们的")
    handling.petition_object(petition, actor=pw.handler_housing, reason="属于人社部门职责")
    petition.refresh_from_db()
    assert petition.case.status == Status.RETURNED
    with pytest.raises(ConflictError):
        handling.petition_object(petition, actor=pw.handler_housing, reason="再次")
    for user in (pw.handler_housing, pw.xinfang_qidong, pw.head_housing):
        with pytest.raises(PermissionDeniedError):
            handling.petition_decide_objection(petition, actor=user, uphold=True, organ=pw.hrss, note="成立")
    with pytest.raises(ValidationFailed):
        handling.petition_decide_objection(petition, actor=pw.xinfang, uphold=True, note="成立")
    handling.petition_decide_objection(petition, actor=pw.xinfang, uphold=True, organ=pw.hrss, note="异议成立")
    petition.refresh_from_db()
    assert petition.handling_org == pw.hrss and petition.case.lead_org == pw.hrss
    assert petition.case.status == Status.ASSIGNED
    assert kinds(petition) == [DocumentKind.FORWARD, DocumentKind.FORWARD]
    assert not Petition.objects.visible_to(pw.handler_housing).filter(pk=petition.pk).exists()
    handling.petition_accept(petition, actor=pw.handler_hrss)


def test_objection_refused_keeps_the_organ(pw):
    petition = transferred(pw)
    with pytest.raises(ConflictError):
        handling.petition_decide_objection(petition, actor=pw.xinfang, uphold=False, note="维持")
    handling.petition_object(petition, actor=pw.handler_housing, reason="属于人社部门职责")
    handling.petition_decide_objection(petition, actor=pw.xinfang, uphold=False, note="属于住建职责，维持")
    petition.refresh_from_db()
    assert petition.handling_org == pw.housing and petition.case.status == Status.ASSIGNED


def test_hearing_pauses_the_clock_and_blocks_the_answer(pw):
    petition = accepted(pw)
    with pytest.raises(PermissionDeniedError):
        handling.petition_hearing_start(petition, actor=pw.handler_hrss, reason="听证")
    handling.petition_hearing_start(petition, actor=pw.handler_housing, reason="组织听证")
    petition.refresh_from_db()
    assert petition.case.suspended_at is not None
    with pytest.raises(ConflictError, match="听证"):
        handling.petition_answer(petition, actor=pw.handler_housing, outcome=Outcome.SUPPORT, facts="事实",
                                 reasons="理由", legal_basis="依据")
    handling.petition_hearing_end(petition, actor=pw.handler_housing)
    petition.refresh_from_db()
    assert petition.case.suspended_at is None


def test_extension_requested_by_the_organ(pw):
    petition = accepted(pw)
    with pytest.raises(PermissionDeniedError):
        handling.petition_request_extension(petition, actor=pw.head_hrss, days=30, reason="情况复杂")
    with pytest.raises(PermissionDeniedError):
        handling.petition_request_extension(petition, actor=pw.handler_hrss, days=30, reason="情况复杂")
    request = handling.petition_request_extension(petition, actor=pw.handler_housing, days=30, reason="情况复杂")
    assert request.working_days == 30
    for user in (pw.head_hrss, pw.handler_housing, pw.xinfang):
        with pytest.raises(PermissionDeniedError):
            handling.petition_decide_extension(petition, actor=user, approve=True)


def test_extension_approved_by_the_head_gives_an_extension_notice(pw):
    petition = accepted(pw)
    due = Petition.objects.get(pk=petition.pk).case.solve_due_at
    handling.petition_request_extension(petition, actor=pw.handler_housing, days=30, reason="需要现场核查")
    handling.petition_decide_extension(petition, actor=pw.head_housing, approve=True)
    petition.refresh_from_db()
    case = petition.case
    # 60 + 30 natural days from the acceptance (a rest day at either end moves the date on).
    assert case.solve_days == 90 and case.solve_due_at > due
    accepted_on = timezone.localdate(petition.accepted_at)
    assert timezone.localdate(case.solve_due_at) - accepted_on >= dt.timedelta(days=90)
    assert kinds(petition)[-1] == DocumentKind.EXTENSION
    assert "需要现场核查" in petition.documents.get(kind=DocumentKind.EXTENSION).body


def test_the_answer_of_a_claim_states_all_and_waits_for_review(pw):
    petition = accepted(pw)
    with pytest.raises(PermissionDeniedError):
        handling.petition_answer(petition, actor=pw.handler_hrss, outcome=Outcome.SUPPORT, facts="事实",
                                 reasons="理由", legal_basis="依据")
    with pytest.raises(ValidationFailed) as missing:
        handling.petition_answer(petition, actor=pw.handler_housing, outcome=Outcome.SUPPORT, facts="事实",
                                 reasons="理由")
    assert missing.value.field == "legal_basis"
    document = handling.petition_answer(
        petition, actor=pw.handler_housing, outcome=Outcome.SUPPORT, facts="电梯停运属实",
        reasons="物业公司负有维修义务", legal_basis="《物业管理条例》第三十五条", result_text="责令限期修复",
    )
    petition.refresh_from_db()
    assert document.kind == DocumentKind.OPINION
    for part in ("请求督促物业公司", "电梯停运属实", "物业公司负有维修义务", "支持", "《物业管理条例》", "30日内"):
        assert part in document.body
    assert petition.stage == Stage.ANSWERED and petition.outcome == Outcome.SUPPORT
    assert petition.case.status == Status.RESOLVED


def test_mediation_ends_in_an_agreement_and_a_reply_closes_a_suggestion(pw):
    petition = accepted(pw)
    document = handling.petition_answer(petition, actor=pw.handler_housing, outcome=Outcome.MEDIATION,
                                        reasons="双方同意调解", result_text="物业公司一个月内修复电梯")
    assert document.kind == DocumentKind.AGREEMENT
    suggestion = accepted(pw, petition_type="suggestion", claim_route="")
    with pytest.raises(ValidationFailed):
        handling.petition_answer(suggestion, actor=pw.handler_housing, outcome=Outcome.MEDIATION, reasons="x",
                                 result_text="y")
    handling.petition_answer(suggestion, actor=pw.handler_housing, outcome=Outcome.EXPLAIN, reasons="已作说明")
    suggestion.refresh_from_db()
    assert suggestion.stage == Stage.CLOSED and suggestion.ended_at is not None


SH = dt.timezone(dt.timedelta(hours=8))


def test_a_late_transfer_is_allowed_and_recorded_late(pw):
    with time_machine.travel(dt.datetime(2026, 9, 1, 10, 0, tzinfo=SH), tick=False) as traveller:
        petition = register(pw, received_on=dt.date(2026, 8, 31)).petition
        traveller.move_to(dt.datetime(2026, 9, 25, 10, 0, tzinfo=SH))
        handling.petition_transfer(petition, actor=pw.xinfang, organ=pw.housing, mode=TransferMode.FORWARD)
    event = petition.events.get(action="transfer")
    assert event.data["late"] is True and event.public


def test_an_objection_after_five_working_days_is_refused(pw):
    # Assigned on Friday 2026-09-04: the 5 working days end on Friday 2026-09-11.
    with time_machine.travel(dt.datetime(2026, 9, 4, 10, 0, tzinfo=SH), tick=False) as traveller:
        petition = register(pw, received_on=dt.date(2026, 9, 3)).petition
        handling.petition_transfer(petition, actor=pw.xinfang, organ=pw.housing, mode=TransferMode.FORWARD)
        traveller.move_to(dt.datetime(2026, 9, 14, 9, 0, tzinfo=SH))
        with pytest.raises(ValidationFailed, match="退回时限"):
            handling.petition_object(petition, actor=pw.handler_housing, reason="不属于本机关")
        traveller.move_to(dt.datetime(2026, 9, 11, 17, 0, tzinfo=SH))
        handling.petition_object(petition, actor=pw.handler_housing, reason="不属于本机关")
    petition.refresh_from_db()
    assert petition.case.status == Status.RETURNED


def test_an_accusation_handled_to_its_end_leaves_no_content_in_audit_records_or_notifications(pw):
    from yancheng.core.audit.models import AuditEvent
    from yancheng.core.notifications.models import Notification

    marker = "科长收受好处费线索"
    petition = register(pw, petition_type="accusation", claim_route="", respondent_org=pw.housing,
                        title=marker, request=f"请查处{marker}", facts=marker).petition
    handling.petition_transfer(petition, actor=pw.xinfang, organ=pw.discipline, mode=TransferMode.ASSIGN,
                               instruction=f"重点核查{marker}")
    handling.petition_accept(petition, actor=pw.handler_discipline, note=marker)
    handling.petition_hearing_start(petition, actor=pw.handler_discipline, reason=marker)
    handling.petition_hearing_end(petition, actor=pw.handler_discipline, note=marker)
    handling.petition_answer(petition, actor=pw.handler_discipline, outcome=Outcome.SUPPORT,
                             reasons=f"经查{marker}属实", result_text=marker)
    handling.petition_receive_report(petition, actor=pw.handler_discipline, summary=marker)
    petition.refresh_from_db()
    assert petition.stage == Stage.CLOSED
    for event in AuditEvent.objects.all():
        assert marker not in f"{event.object_repr}{event.before}{event.after}", event.action
    for note in Notification.objects.all():
        assert marker not in f"{note.title}{note.body}", note.verb
    assert not Notification.objects.filter(recipient__organisation__in=[pw.housing, pw.housing_office]).exists()
