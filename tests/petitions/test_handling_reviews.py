"""复查 and 复核: asked within 30日 of the served answer (a last day that is a rest day moves
to the next working day), on a case of the review organ; 复核 ends the matter (终结); the
matters whose window passed are closed, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from yancheng.cases.models import CaseKind, Status
from yancheng.core import calendar
from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.core.models import Role
from yancheng.core.services import user_create
from yancheng.petitions import handling, reviews
from yancheng.petitions.documents import document_serve
from yancheng.petitions.intake import PetitionerInput
from yancheng.petitions.models import (
    DocumentKind,
    Outcome,
    PetitionDocument,
    PetitionEvent,
    Stage,
    TransferMode,
)
from yancheng.testing.petitions import register
from yancheng.testing.world import PERSONA_PASSWORD

pytestmark = pytest.mark.django_db
REVIEW, RECHECK = "review", "recheck"


def answered(pw, name="王五"):
    petition = register(pw, petitioners=[PetitionerInput(name)]).petition
    handling.petition_transfer(petition, actor=pw.xinfang, organ=pw.housing_office, mode=TransferMode.FORWARD)
    handling.petition_accept(petition, actor=pw.handler_housing_office)
    opinion = handling.petition_answer(petition, actor=pw.handler_housing_office, outcome=Outcome.REJECT,
                                       facts="事实", reasons="理由", legal_basis="依据")
    return petition, opinion


def served_on(document, day: dt.date) -> None:
    moment = dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())
    PetitionDocument.objects.filter(pk=document.pk).update(created_at=moment - dt.timedelta(hours=1),
                                                           served_at=moment)


def ask(pw, petition, day, level=REVIEW, organ=None):
    petition.refresh_from_db()
    return reviews.review_request(petition, actor=pw.xinfang, level=level, requested_on=day,
                                  request="对处理意见不服", organ=organ or pw.housing)


def day_with(pred) -> dt.date:
    """A served day 40–200 days ago whose 30th day after satisfies ``pred``."""
    today = timezone.localdate()
    for back in range(40, 200):
        day = today - dt.timedelta(days=back)
        if pred(day + dt.timedelta(days=30)):
            return day
    raise AssertionError("no such day")


def test_review_window_day_30_accepted_day_31_refused(pw):
    petition, opinion = answered(pw)
    served = day_with(calendar.is_working_day)
    served_on(opinion, served)
    with pytest.raises(ValidationFailed) as late:
        ask(pw, petition, served + dt.timedelta(days=31))
    assert late.value.field == "requested_on" and "30日" in late.value.message
    review = ask(pw, petition, served + dt.timedelta(days=30))
    petition.refresh_from_db()
    assert petition.stage == Stage.REVIEWING
    assert review.case.kind == CaseKind.PETITION_REVIEW and review.case.lead_org == pw.housing
    assert review.case.status == Status.ASSIGNED


def test_review_window_ending_on_a_rest_day_rolls_to_the_next_working_day(pw):
    petition, opinion = answered(pw)
    served = day_with(lambda d: not calendar.is_working_day(d))
    served_on(opinion, served)
    last = calendar.natural_deadline(
        dt.datetime.combine(served, dt.time(12), tzinfo=timezone.get_current_timezone()), 30).date
    assert last > served + dt.timedelta(days=30) and calendar.is_working_day(last)
    with pytest.raises(ValidationFailed):
        ask(pw, petition, last + dt.timedelta(days=1))
    ask(pw, petition, last)


def test_review_needs_the_served_answer_and_the_office(pw):
    petition, opinion = answered(pw)
    with pytest.raises(ConflictError, match="送达"):
        ask(pw, petition, timezone.localdate())
    document_serve(opinion, actor=pw.handler_housing_office, served_on=timezone.localdate(), how="in_person")
    for user in (pw.handler_housing, pw.xinfang_qidong, pw.head_housing):
        with pytest.raises(PermissionDeniedError):
            reviews.review_request(petition, actor=user, level=REVIEW, requested_on=timezone.localdate(),
                                   request="不服", organ=pw.housing)
    with pytest.raises(ValidationFailed, match="原办理机关"):
        ask(pw, petition, timezone.localdate(), organ=pw.housing_office)
    with pytest.raises(ConflictError):  # 复核 before 复查
        ask(pw, petition, timezone.localdate(), level=RECHECK, organ=pw.world.city_gov)


def test_review_then_recheck_ends_the_matter(pw):
    petition, opinion = answered(pw)
    document_serve(opinion, actor=pw.handler_housing_office, served_on=timezone.localdate(), how="post")
    review = ask(pw, petition, timezone.localdate())
    for user in (pw.handler_housing_office, pw.handler_hrss, pw.xinfang):
        with pytest.raises(PermissionDeniedError):
            reviews.review_decide(review, actor=user, outcome=Outcome.REJECT, facts="f", reasons="r",
                                  legal_basis="b")
    decided = reviews.review_decide(review, actor=pw.handler_housing, outcome=Outcome.REJECT, facts="复查查明",
                                    reasons="维持原意见", legal_basis="《信访工作条例》第三十五条")
    petition.refresh_from_db()
    assert decided.kind == DocumentKind.REVIEW_OPINION and decided.review_id == review.pk
    assert petition.stage == Stage.REVIEWED
    review.refresh_from_db()
    assert review.case.status == Status.RESOLVED
    document_serve(decided, actor=pw.xinfang, served_on=timezone.localdate(), how="in_person")
    recheck = ask(pw, petition, timezone.localdate(), level=RECHECK, organ=pw.world.city_gov)
    assert recheck.case.lead_org == pw.world.city_gov
    petition.refresh_from_db()
    assert petition.stage == Stage.RECHECKING
    gov_handler = user_create(username="gov_handler", password=PERSONA_PASSWORD, role=Role.HANDLER,
                              organisation=pw.world.city_gov, full_name="市政府承办人",
                              must_change_password=False, actor=None)
    final = reviews.review_decide(recheck, actor=gov_handler, outcome=Outcome.REJECT, facts="复核查明",
                                  reasons="维持", legal_basis="《信访工作条例》第三十六条")
    petition.refresh_from_db()
    assert final.kind == DocumentKind.RECHECK_OPINION
    assert petition.stage == Stage.FINAL and petition.end_reason == "复核终结" and petition.ended_at is not None


def test_close_expired_closes_once_and_only_past_the_window(pw):
    late, late_opinion = answered(pw, "甲")
    served_on(late_opinion, day_with(calendar.is_working_day))
    fresh, fresh_opinion = answered(pw, "乙")
    document_serve(fresh_opinion, actor=pw.handler_housing_office, served_on=timezone.localdate(), how="post")
    unserved, _opinion = answered(pw, "丙")
    assert reviews.petition_close_expired() == 1
    assert reviews.petition_close_expired() == 0
    late.refresh_from_db(), fresh.refresh_from_db(), unserved.refresh_from_db()
    assert late.stage == Stage.CLOSED and late.ended_at is not None
    assert fresh.stage == Stage.ANSWERED and unserved.stage == Stage.ANSWERED
    assert PetitionEvent.objects.filter(petition=late, action="close").count() == 1
