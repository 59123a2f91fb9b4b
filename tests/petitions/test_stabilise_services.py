"""稳控 (risk level, follow-ups), 重大紧急 reporting, 包案 and 领导接访日: each service for the
roles allowed and refused, and the notifications they send — the number only, nothing
personal, and never to the organ a 检举控告 is about."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.models import Role
from yancheng.core.notifications.models import Delivery, Notification
from yancheng.core.services import user_create
from yancheng.petitions.intake import PetitionerInput
from yancheng.petitions.leaders import (
    petition_leader_release,
    petition_take_personally,
    reception_record,
    reception_schedule,
)
from yancheng.petitions.models import FollowUp, Petition, PetitionEvent, Stage
from yancheng.petitions.stabilise import (
    follow_up_done,
    follow_up_orgs,
    follow_up_plan,
    leaders_on_duty,
    petition_mark_urgent,
    petition_set_risk,
    report_urgent,
)
from yancheng.testing.petitions import ID_NUMBERS, register

pytestmark = pytest.mark.django_db

PERSONAL = ("张三", ID_NUMBERS[0], "13807340001", "人民路")


def matter(pw, stage=Stage.ANSWERED, handling=None, **overrides) -> Petition:
    """A matter registered by the city 信访局, handled by the 住建局 (by default), at ``stage``."""
    petition = register(pw, **overrides).petition
    Petition.objects.filter(pk=petition.pk).update(stage=stage, handling_org=handling or pw.housing)
    petition.refresh_from_db()
    return petition


def accusation(pw, stage=Stage.ANSWERED, respondent=None) -> Petition:
    return matter(pw, stage=stage, handling=pw.discipline, petition_type="accusation", claim_route="",
                  respondent_org=respondent or pw.housing, title="住建局某科长收受好处费",
                  petitioners=[PetitionerInput("李举报", ID_NUMBERS[1], "13807340002", "衡阳市雁峰区")])


def notes_for(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user))


def assert_nothing_personal(notes, *also: str) -> None:
    for note in notes:
        for text in (*PERSONAL, *also):
            assert text not in note.title and text not in note.body, (text, note.title, note.body)


# --- risk ------------------------------------------------------------------------------------------


def test_a_high_risk_tells_the_petition_office_and_the_leader_and_nothing_personal(pw):
    petition = matter(pw)
    petition_take_personally(petition, actor=pw.head_housing)
    before = petition.version
    petition_set_risk(petition, actor=pw.handler_housing, level="high", note="多次扬言进京上访")
    petition.refresh_from_db()
    assert petition.risk_level == "high" and petition.version == before + 1
    for user in (pw.xinfang, pw.head_housing):
        told = [n for n in notes_for(user) if n.verb == "petition.high_risk"]
        assert len(told) == 1 and petition.number in told[0].title
        assert told[0].url == f"/petitions/{petition.pk}/"
        assert_nothing_personal(told, petition.title, "进京")
    assert not [n for n in notes_for(pw.handler_hrss) if n.verb == "petition.high_risk"]
    event = PetitionEvent.objects.get(petition=petition, action="set_risk")
    assert event.data["risk"] == "high"
    audit = AuditEvent.objects.filter(action="petition.set_risk").latest("pk")
    assert "进京" not in str(audit.after)


def test_a_medium_risk_tells_nobody(pw):
    petition = matter(pw)
    petition_set_risk(petition, actor=pw.xinfang, level="medium")
    assert not Notification.objects.filter(verb="petition.high_risk").exists()


@pytest.mark.parametrize("persona", ["handler_hrss", "head_housing", "supervisor_housing", "handler_housing_office"])
def test_only_the_petition_office_and_the_handling_organ_set_the_risk(pw, persona):
    petition = matter(pw)
    with pytest.raises(PermissionDeniedError):
        petition_set_risk(petition, actor=pw.users[persona], level="high")
    petition.refresh_from_db()
    assert petition.risk_level == ""


def test_a_risk_level_must_be_one_of_the_three_and_must_change(pw):
    petition = matter(pw)
    with pytest.raises(ValidationFailed):
        petition_set_risk(petition, actor=pw.xinfang, level="extreme")
    petition_set_risk(petition, actor=pw.xinfang, level="low")
    with pytest.raises(ValidationFailed):
        petition_set_risk(petition, actor=pw.xinfang, level="low")
    with pytest.raises(ConflictError):
        petition_set_risk(petition, actor=pw.xinfang, level="high", expected_version=1)


# --- follow-ups ------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [Stage.ANSWERED, Stage.REVIEWED, Stage.FINAL, Stage.CLOSED])
def test_care_continues_after_the_answer_and_after_final(pw, stage):
    petition = matter(pw, stage=stage)
    follow_up = follow_up_plan(petition, actor=pw.xinfang, kind="assist", org=pw.housing,
                               due_on=timezone.localdate() + dt.timedelta(days=7), plan="协调落实困难救助")
    assert follow_up.petition_id == petition.pk and follow_up.done_at is None
    told = [n for n in notes_for(pw.handler_housing) if n.verb == "petition.follow_up"]
    assert len(told) == 1 and petition.number in told[0].title
    assert_nothing_personal(told, "困难救助")


@pytest.mark.parametrize("stage", [Stage.REGISTERED, Stage.TRANSFERRED, Stage.ACCEPTED, Stage.NOT_ACCEPTED])
def test_no_follow_up_before_the_answer(pw, stage):
    petition = matter(pw, stage=stage)
    with pytest.raises(ConflictError):
        follow_up_plan(petition, actor=pw.xinfang, kind="visit", org=pw.city_bureau,
                       due_on=timezone.localdate(), plan="回访")
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize("persona", ["handler_hrss", "head_housing", "supervisor_housing", "xinfang_qidong"])
def test_a_follow_up_is_planned_only_by_the_office_or_the_handling_organ(pw, persona):
    petition = matter(pw)
    with pytest.raises(PermissionDeniedError):
        follow_up_plan(petition, actor=pw.users[persona], kind="visit", org=pw.housing,
                       due_on=timezone.localdate(), plan="回访")


def test_a_follow_up_goes_to_a_unit_of_the_matter_and_not_in_the_past(pw):
    petition = matter(pw)
    with pytest.raises(ValidationFailed) as refused:
        follow_up_plan(petition, actor=pw.xinfang, kind="visit", org=pw.hrss, due_on=timezone.localdate(),
                       plan="回访")
    assert refused.value.field == "org"
    with pytest.raises(ValidationFailed) as refused:
        follow_up_plan(petition, actor=pw.xinfang, kind="visit", org=pw.housing,
                       due_on=timezone.localdate() - dt.timedelta(days=1), plan="回访")
    assert refused.value.field == "due_on"
    with pytest.raises(ValidationFailed):
        follow_up_plan(petition, actor=pw.xinfang, kind="visit", org=pw.housing, due_on=timezone.localdate(),
                       plan=" ")


def test_an_accusation_s_follow_up_never_goes_to_the_organ_complained_about(pw):
    petition = accusation(pw, respondent=pw.housing)
    # even if the organ handled it: the respondent and its sub-units are never a 稳控 unit
    Petition.objects.filter(pk=petition.pk).update(handling_org=pw.housing_office)
    petition.refresh_from_db()
    assert pw.housing_office.pk not in {o.pk for o in follow_up_orgs(petition)}
    with pytest.raises(ValidationFailed):
        follow_up_plan(petition, actor=pw.xinfang, kind="visit", org=pw.housing_office,
                       due_on=timezone.localdate(), plan="回访")


def test_a_follow_up_is_done_once_and_its_risk_becomes_the_matter_s(pw):
    petition = matter(pw, stage=Stage.FINAL)
    follow_up = follow_up_plan(petition, actor=pw.xinfang, kind="counsel", org=pw.housing,
                               due_on=timezone.localdate(), plan="疏导教育")
    with pytest.raises(PermissionDeniedError):
        follow_up_done(follow_up, actor=pw.handler_hrss, result="已回访", risk_level="low")
    follow_up_done(follow_up, actor=pw.handler_housing, result="情绪稳定，表示息诉罢访", risk_level="high")
    follow_up.refresh_from_db()
    petition.refresh_from_db()
    assert follow_up.done_at is not None and follow_up.risk_level == "high"
    assert petition.risk_level == "high"
    assert [n.verb for n in notes_for(pw.xinfang)] == ["petition.high_risk"]
    with pytest.raises(ConflictError):
        follow_up_done(follow_up, actor=pw.handler_housing, result="再次回访")


def test_a_review_organ_completes_the_task_given_to_it(pw):
    from yancheng.petitions.models import PetitionReview

    petition = matter(pw, stage=Stage.REVIEWED)
    PetitionReview.objects.create(petition=petition, level="review", requested_on=timezone.localdate(),
                                  request="不服处理意见", organ=pw.hrss, decided_at=timezone.now())
    follow_up = follow_up_plan(petition, actor=pw.xinfang, kind="visit", org=pw.hrss,
                               due_on=timezone.localdate(), plan="回访")
    follow_up_done(follow_up, actor=pw.handler_hrss, result="已回访")
    assert FollowUp.objects.get(pk=follow_up.pk).done_at is not None


# --- 重大紧急 -----------------------------------------------------------------------------------------


def test_marking_urgent_reports_to_the_leaders_on_duty_at_once(pw):
    pw.world.leader.email = "leader@example.gov.cn"
    pw.world.leader.save(update_fields=["email"])
    petition = matter(pw, stage=Stage.TRANSFERRED)
    petition_mark_urgent(petition, actor=pw.xinfang, reason="五十余人聚集在市政府门口")
    petition.refresh_from_db()
    assert petition.is_urgent
    told = [n for n in notes_for(pw.world.leader) if n.verb == "petition.urgent"]
    assert len(told) == 1
    assert "重大紧急信访事项" in told[0].title and petition.number in told[0].title
    assert told[0].url == f"/petitions/{petition.pk}/"
    assert_nothing_personal(told, petition.title, "聚集")
    assert Delivery.objects.filter(notification=told[0], channel="email").exists()
    assert PetitionEvent.objects.filter(petition=petition, action="urgent_report").exists()
    # the leader now sees the matter (visible_to: urgent matters of the area)
    assert Petition.objects.visible_to(pw.world.leader).filter(pk=petition.pk).exists()
    # department heads are not "on duty": the 住建局 head is not a leader of the government
    assert not [n for n in notes_for(pw.head_housing) if n.verb == "petition.urgent"]


def test_the_leaders_on_duty_are_the_registering_org_s_government_s_and_the_city_s(pw):
    county_leader = user_create(username="qd_leader", password=None, role=Role.LEADER, organisation=pw.qidong_gov,
                                full_name="祁东县领导", actor=None)
    assert set(leaders_on_duty(pw.qidong_bureau)) == {county_leader, pw.world.leader}
    assert set(leaders_on_duty(pw.city_bureau)) == {pw.world.leader}
    petition = matter(pw, stage=Stage.REGISTERED, actor=pw.xinfang_qidong, region=pw.world.qidong,
                      is_urgent=True)
    assert set(report_urgent(petition, actor=pw.xinfang_qidong)) == {county_leader, pw.world.leader}


def test_an_urgent_accusation_about_the_government_never_reaches_its_leaders(pw):
    petition = accusation(pw, stage=Stage.TRANSFERRED, respondent=pw.world.city_gov)
    petition_mark_urgent(petition, actor=pw.xinfang, reason="紧急")
    assert not Notification.objects.filter(recipient=pw.world.leader).exists()
    assert PetitionEvent.objects.get(petition=petition, action="urgent_report").data["leaders"] == []


@pytest.mark.parametrize("persona", ["handler_hrss", "head_housing", "supervisor_housing", "xinfang_qidong"])
def test_marking_urgent_is_refused_to_others(pw, persona):
    petition = matter(pw, stage=Stage.ACCEPTED)
    with pytest.raises(PermissionDeniedError):
        petition_mark_urgent(petition, actor=pw.users[persona], reason="紧急")
    assert not Petition.objects.get(pk=petition.pk).is_urgent


def test_an_ended_or_already_urgent_matter_is_not_marked_again(pw):
    ended = matter(pw, stage=Stage.FINAL)
    with pytest.raises(ConflictError):
        petition_mark_urgent(ended, actor=pw.xinfang, reason="紧急")
    running = matter(pw, stage=Stage.ACCEPTED)
    petition_mark_urgent(running, actor=pw.handler_housing, reason="紧急")
    with pytest.raises(ConflictError):
        petition_mark_urgent(running, actor=pw.xinfang, reason="紧急")
    with pytest.raises(ValueError):
        report_urgent(ended, actor=pw.xinfang)


# --- 包案 -----------------------------------------------------------------------------------------------


def test_a_leader_takes_a_matter_and_the_handling_organ_is_told(pw):
    petition = matter(pw, stage=Stage.ACCEPTED)
    petition_take_personally(petition, actor=pw.head_housing, note="亲自协调")
    petition.refresh_from_db()
    assert petition.leader_id == pw.head_housing.pk
    told = [n for n in notes_for(pw.handler_housing) if n.verb == "petition.leader"]
    assert len(told) == 1 and petition.number in told[0].body
    assert_nothing_personal(told, petition.title)
    with pytest.raises(ConflictError):
        petition_take_personally(petition, actor=pw.head_housing)


@pytest.mark.parametrize("persona", ["head_hrss", "handler_housing", "xinfang", "supervisor_housing"])
def test_only_a_leader_who_sees_the_matter_takes_it(pw, persona):
    petition = matter(pw, stage=Stage.ACCEPTED)
    with pytest.raises(PermissionDeniedError):
        petition_take_personally(petition, actor=pw.users[persona])


def test_a_matter_taken_is_passed_on_by_the_petition_office_only(pw):
    petition = matter(pw, stage=Stage.ACCEPTED, is_urgent=True)
    petition_take_personally(petition, actor=pw.head_housing)
    with pytest.raises(ConflictError):
        petition_take_personally(petition, actor=pw.world.leader)  # sees it (urgent) but it is taken
    with pytest.raises(PermissionDeniedError):
        petition_leader_release(petition, actor=pw.head_housing)
    petition_leader_release(petition, actor=pw.xinfang, leader=pw.world.leader)
    assert Petition.objects.get(pk=petition.pk).leader_id == pw.world.leader.pk
    assert [n.verb for n in notes_for(pw.world.leader)].count("petition.leader") == 1
    petition_leader_release(petition, actor=pw.xinfang)
    assert Petition.objects.get(pk=petition.pk).leader_id is None
    with pytest.raises(ConflictError):
        petition_leader_release(petition, actor=pw.xinfang)


def test_an_accusation_is_never_given_to_a_leader_of_the_organ_complained_about(pw):
    petition = accusation(pw, stage=Stage.ACCEPTED, respondent=pw.housing)
    with pytest.raises(ValidationFailed):
        petition_leader_release(petition, actor=pw.xinfang, leader=pw.head_housing)
    with pytest.raises(PermissionDeniedError):
        petition_take_personally(petition, actor=pw.head_housing)
    assert Petition.objects.get(pk=petition.pk).leader_id is None


# --- 领导接访日 --------------------------------------------------------------------------------------------


def test_the_petition_office_schedules_a_reception_and_the_leader_is_told(pw):
    day = timezone.localdate() + dt.timedelta(days=3)
    reception = reception_schedule(actor=pw.xinfang, leader=pw.head_housing, day=day, place="市信访接待中心",
                                   topics="物业、电梯")
    assert reception.org_id == pw.city_bureau.pk
    told = [n for n in notes_for(pw.head_housing) if n.verb == "petition.reception"]
    assert len(told) == 1 and day.isoformat() in told[0].title
    with pytest.raises(ConflictError):
        reception_schedule(actor=pw.xinfang, leader=pw.head_housing, day=day, place="另一地点")


@pytest.mark.parametrize("persona", ["handler_housing", "head_housing", "supervisor_housing"])
def test_only_the_petition_office_schedules_receptions(pw, persona):
    with pytest.raises(PermissionDeniedError):
        reception_schedule(actor=pw.users[persona], leader=pw.head_housing, day=timezone.localdate(), place="某地")


def test_a_reception_needs_a_leader_a_day_to_come_and_a_place(pw):
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as refused:
        reception_schedule(actor=pw.xinfang, leader=pw.handler_housing, day=today, place="某地")
    assert refused.value.field == "leader"
    with pytest.raises(ValidationFailed) as refused:
        reception_schedule(actor=pw.xinfang, leader=pw.head_housing, day=today - dt.timedelta(days=1), place="某地")
    assert refused.value.field == "day"
    with pytest.raises(ValidationFailed) as refused:
        reception_schedule(actor=pw.xinfang, leader=pw.head_housing, day=today, place="  ")
    assert refused.value.field == "place"


def test_a_reception_is_recorded_on_the_day_by_the_office_or_its_leader(pw):
    day = timezone.localdate() + dt.timedelta(days=2)
    reception = reception_schedule(actor=pw.xinfang, leader=pw.head_housing, day=day, place="市信访接待中心")
    with pytest.raises(ValidationFailed):
        reception_record(reception, actor=pw.head_housing, notes="接待群众 12 批")
    with time_machine.travel(dt.datetime.combine(day, dt.time(16), tzinfo=timezone.get_current_timezone())):
        with pytest.raises(NotFoundError):
            reception_record(reception, actor=pw.head_hrss, notes="不是我的")
        with pytest.raises(PermissionDeniedError):
            reception_record(reception, actor=pw.supervisor_housing, notes="督查员不记录")
        reception_record(reception, actor=pw.head_housing, notes="接待群众 12 批")
        reception_record(reception, actor=pw.xinfang, notes="接待群众 12 批 35 人次")
    reception.refresh_from_db()
    assert reception.notes == "接待群众 12 批 35 人次"
    audit = AuditEvent.objects.filter(action="petition_reception.record").latest("pk")
    assert "群众" not in str(audit.after)
