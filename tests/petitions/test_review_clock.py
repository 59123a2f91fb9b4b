"""复查 and 复核 on the clock (第三十五条、第三十六条): decided within 30 natural days,
extendable by 30 with the review organ's head's approval (a 延期告知书 linked to the review
tells the 信访人 why), a 听证 not counted; the same steps on the matter's page, refused to
those who may not take them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from yancheng.cases.models import Case, DayUnit, ExtensionRequest, Status
from yancheng.core import calendar
from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.petitions import handling, reviews
from yancheng.petitions.documents import document_serve, parse_body, render
from yancheng.petitions.intake import PetitionerInput
from yancheng.petitions.models import DocumentKind, Outcome, Petition, PetitionEvent, Stage, TransferMode
from yancheng.testing.documents import check_official_document
from yancheng.testing.petitions import register

pytestmark = pytest.mark.django_db


def reviewing(pw):
    """A 申诉求决 matter answered by 住建局物业科, served, and its 复查 asked of 住建局."""
    petition = register(pw, petitioners=[PetitionerInput("王五")]).petition
    handling.petition_transfer(petition, actor=pw.xinfang, organ=pw.housing_office, mode=TransferMode.FORWARD)
    handling.petition_accept(petition, actor=pw.handler_housing_office)
    opinion = handling.petition_answer(petition, actor=pw.handler_housing_office, outcome=Outcome.REJECT,
                                       facts="事实", reasons="理由", legal_basis="依据")
    document_serve(opinion, actor=pw.handler_housing_office, served_on=timezone.localdate(), how="in_person")
    petition.refresh_from_db()
    review = reviews.review_request(petition, actor=pw.xinfang, level="review", requested_on=timezone.localdate(),
                                    request="对处理意见不服", organ=pw.housing)
    return Petition.objects.get(pk=petition.pk), review


def case_of(review) -> Case:
    return Case.objects.get(pk=review.case_id)


def due_after(case: Case, days: int) -> dt.datetime:
    assert case.clock_started_at is not None
    return calendar.natural_deadline(case.clock_started_at, days, roll=True).at


def test_thirty_plus_thirty_natural_days_on_the_review_case(pw):
    _petition, review = reviewing(pw)
    case = case_of(review)
    assert case.day_unit == DayUnit.NATURAL and case.solve_days == 30
    assert case.solve_due_at == due_after(case, 30)
    with pytest.raises(ValidationFailed):
        reviews.review_request_extension(review, actor=pw.handler_housing, days=31, reason="情况复杂")
    reviews.review_request_extension(review, actor=pw.handler_housing, days=20, reason="需要现场核查")
    reviews.review_decide_extension(review, actor=pw.head_housing, approve=True)
    case = case_of(review)
    assert case.solve_days == 50 and case.solve_due_at == due_after(case, 50)
    with pytest.raises(ValidationFailed) as over:  # 20 approved: at most 10 more
        reviews.review_request_extension(review, actor=pw.handler_housing, days=11, reason="仍需核查")
    assert over.value.code == "extension_over_limit"
    reviews.review_request_extension(review, actor=pw.handler_housing, days=10, reason="仍需核查")
    reviews.review_decide_extension(review, actor=pw.head_housing, approve=True)
    case = case_of(review)
    # The decision is due on day 60 after the request was sent on (a rest day moves it on).
    assert case.solve_days == 60 and case.solve_due_at == due_after(case, 60)
    assert timezone.localdate(case.solve_due_at) - timezone.localdate(case.clock_started_at) >= dt.timedelta(60)


def test_only_the_review_organs_handler_asks_and_only_its_head_approves(pw):
    petition, review = reviewing(pw)
    for user in (pw.head_housing, pw.handler_hrss, pw.handler_housing_office, pw.xinfang, pw.head_hrss):
        with pytest.raises(PermissionDeniedError):
            reviews.review_request_extension(review, actor=user, days=30, reason="情况复杂")
    reviews.review_request_extension(review, actor=pw.handler_housing, days=30, reason="情况复杂")
    with pytest.raises(ConflictError):  # one pending request at a time
        reviews.review_request_extension(review, actor=pw.handler_housing, days=5, reason="再申请")
    # The head of ANOTHER organ, the handler who asked, the 信访部门: refused; nothing moves.
    for user in (pw.head_hrss, pw.handler_housing, pw.handler_housing_office, pw.xinfang):
        with pytest.raises(PermissionDeniedError):
            reviews.review_decide_extension(review, actor=user, approve=True)
    assert case_of(review).extensions.get().status == ExtensionRequest.Decision.PENDING
    # The first handling's extension is not the review's: its head is not asked there.
    with pytest.raises(PermissionDeniedError):
        handling.petition_decide_extension(petition, actor=pw.head_housing, approve=True)
    with pytest.raises(ValidationFailed):  # refusing needs a reason
        reviews.review_decide_extension(review, actor=pw.head_housing, approve=False)
    reviews.review_decide_extension(review, actor=pw.head_housing, approve=False, note="理由不充分")
    assert case_of(review).solve_days == 30
    assert not petition.documents.filter(kind=DocumentKind.EXTENSION).exists()
    assert PetitionEvent.objects.filter(petition=petition, action="review_extension_refused").exists()


def test_the_approval_issues_an_extension_notice_linked_to_the_review(pw):
    petition, review = reviewing(pw)
    reviews.review_request_extension(review, actor=pw.handler_housing, days=30, reason="需要组织现场勘验")
    reviews.review_decide_extension(review, actor=pw.head_housing, approve=True, note="同意")
    notice = petition.documents.get(kind=DocumentKind.EXTENSION)
    case = case_of(review)
    assert notice.review_id == review.pk and notice.issuer == pw.housing
    parts = parse_body(notice.body)
    assert parts["reason"] == "需要组织现场勘验" and parts["days"] == "30"
    assert parts["until"] == (timezone.localdate(case.solve_due_at - dt.timedelta(microseconds=1))).isoformat()
    text = "\n".join(p.text for p in check_official_document(render(notice)).paragraphs)
    assert "复查期限延长30日" in text and "第三十五条" in text and "需要组织现场勘验" in text
    event = PetitionEvent.objects.get(petition=petition, action="review_extension_approved")
    assert event.public and event.data["review"] == review.pk and event.data["document"] == notice.pk
    # The audit record keeps ids, never the reason.
    audit = AuditEvent.objects.filter(action="petition.review_extension_approved").get()
    assert "需要组织现场勘验" not in str(audit.after)
    # The review organ's handler serves it to the 信访人.
    document_serve(notice, actor=pw.handler_housing, served_on=timezone.localdate(), how="post")


def test_a_hearing_pauses_the_review_clock_and_the_paused_days_are_added(pw):
    petition, review = reviewing(pw)
    with pytest.raises(PermissionDeniedError):
        reviews.review_hearing_start(review, actor=pw.handler_housing_office, reason="听证")
    with pytest.raises(ConflictError):
        reviews.review_hearing_end(review, actor=pw.handler_housing)
    reviews.review_hearing_start(review, actor=pw.handler_housing, reason="组织听证")
    case = case_of(review)
    assert case.status == Status.ACCEPTED and case.suspended_at is not None
    with pytest.raises(ConflictError):
        reviews.review_hearing_start(review, actor=pw.handler_housing)
    with pytest.raises(ConflictError, match="听证"):
        reviews.review_decide(review, actor=pw.handler_housing, outcome=Outcome.REJECT, facts="f", reasons="r",
                              legal_basis="b")
    Case.objects.filter(pk=case.pk).update(suspended_at=case.suspended_at - dt.timedelta(days=6))
    reviews.review_hearing_end(review, actor=pw.handler_housing, note="听证结束")
    case = case_of(review)
    assert case.suspended_at is None and case.solve_days == 36 and case.solve_due_at == due_after(case, 36)
    assert list(PetitionEvent.objects.filter(petition=petition, action__startswith="review_hearing")
                .values_list("action", flat=True).order_by("pk")) == ["review_hearing_start", "review_hearing_end"]
    reviews.review_decide(review, actor=pw.handler_housing, outcome=Outcome.REJECT, facts="复查查明",
                          reasons="维持原意见", legal_basis="《信访工作条例》第三十五条")
    petition.refresh_from_db()
    assert petition.stage == Stage.REVIEWED
    with pytest.raises(PermissionDeniedError):  # decided: no pending review at the organ any more
        reviews.review_request_extension(review, actor=pw.handler_housing, days=5, reason="晚了")


def test_a_stale_version_is_refused(pw):
    petition, review = reviewing(pw)
    with pytest.raises(ConflictError):
        reviews.review_request_extension(review, actor=pw.handler_housing, days=5, reason="情况复杂",
                                         expected_version=petition.version - 1)
    assert not case_of(review).extensions.exists()


# --- the matter's page --------------------------------------------------------------------------


def act(client, user, petition, action, **data):
    client.force_login(user)
    posted = {f"{action}-{k}": v for k, v in data.items()}
    posted[f"{action}-version"] = str(Petition.objects.get(pk=petition.pk).version)
    return client.post(reverse("petitions:petition_act", args=[petition.pk, action]), posted)


def offered(client, user, petition) -> set[str]:
    client.force_login(user)
    page = client.get(reverse("petitions:petition_detail", args=[petition.pk]))
    assert page.status_code == 200
    return {a["action"] for a in page.context["handling_actions"]}


def test_the_page_offers_and_performs_the_review_clock_steps(client, pw):
    petition, review = reviewing(pw)
    steps = offered(client, pw.handler_housing, petition)
    assert {"review_request_extension", "review_hearing_start", "decide_review"} <= steps
    assert not steps & {"request_extension", "hearing_start", "review_decide_extension", "review_hearing_end"}
    client.force_login(pw.handler_housing)
    page = client.get(reverse("petitions:petition_detail", args=[petition.pk]))
    assert page.context["handling_case"].pk == review.case_id  # the review's clock is shown
    assert b'data-clock="solve"' in page.content
    assert act(client, pw.handler_housing, petition, "review_request_extension", days="31",
               reason="情况复杂").status_code == 422
    assert act(client, pw.handler_housing, petition, "review_request_extension", days="30",
               reason="情况复杂").status_code == 302
    assert "review_request_extension" not in offered(client, pw.handler_housing, petition)
    assert offered(client, pw.head_housing, petition) == {"review_decide_extension"}
    assert act(client, pw.head_housing, petition, "review_decide_extension", approve="1", note="同意").status_code == 302
    case = case_of(review)
    assert case.solve_days == 60
    assert petition.documents.get(kind=DocumentKind.EXTENSION).review_id == review.pk
    assert act(client, pw.handler_housing, petition, "review_hearing_start", reason="组织听证").status_code == 302
    steps = offered(client, pw.handler_housing, petition)
    assert "review_hearing_end" in steps and "decide_review" not in steps and "review_hearing_start" not in steps
    # Deciding while the hearing runs: not offered, nothing changes.
    assert act(client, pw.handler_housing, petition, "decide_review", outcome="reject", facts="f", reasons="r",
               legal_basis="b").status_code == 302
    assert Petition.objects.get(pk=petition.pk).stage == Stage.REVIEWING
    assert act(client, pw.handler_housing, petition, "review_hearing_end", note="").status_code == 302
    assert case_of(review).suspended_at is None
    assert "decide_review" in offered(client, pw.handler_housing, petition)


def test_the_page_refuses_the_review_clock_steps_to_the_wrong_people(client, pw):
    petition, review = reviewing(pw)
    # Another organ's people do not see the matter: 404.
    for user in (pw.handler_hrss, pw.head_hrss):
        assert act(client, user, petition, "review_request_extension", days="10", reason="x").status_code == 404
        assert act(client, user, petition, "review_hearing_start", reason="x").status_code == 404
    # Those who see it but may not take the step: 403.
    for user in (pw.head_housing, pw.handler_housing_office, pw.xinfang):
        assert act(client, user, petition, "review_request_extension", days="10", reason="x").status_code == 403
        assert act(client, user, petition, "review_hearing_start", reason="x").status_code == 403
    assert not case_of(review).extensions.exists() and case_of(review).suspended_at is None
    reviews.review_request_extension(review, actor=pw.handler_housing, days=10, reason="情况复杂")
    assert act(client, pw.head_hrss, petition, "review_decide_extension", approve="1").status_code == 404
    for user in (pw.handler_housing, pw.handler_housing_office, pw.xinfang):
        assert act(client, user, petition, "review_decide_extension", approve="1").status_code == 403
        assert "review_decide_extension" not in offered(client, user, petition)
    assert case_of(review).extensions.get().status == ExtensionRequest.Decision.PENDING


def test_a_recheck_extension_notice_cites_article_36(pw):
    from django.db import transaction

    from yancheng.petitions.documents import compose_body, document_issue
    from yancheng.petitions.models import PetitionReview

    petition, _review = reviewing(pw)
    recheck = PetitionReview.objects.create(petition=petition, level="recheck", requested_on=timezone.localdate(),
                                            request="复核", organ=pw.world.city_gov)
    with transaction.atomic():
        notice = document_issue(petition, DocumentKind.EXTENSION, actor=pw.xinfang, issuer=pw.world.city_gov,
                                review=recheck, body=compose_body(days=15, until=dt.date(2027, 3, 1), reason="需要听证"))
    text = "\n".join(p.text for p in check_official_document(render(notice)).paragraphs)
    assert "第三十六条" in text and "复核期限延长15日" in text and "2027年3月1日" in text and "第三十四条" not in text
