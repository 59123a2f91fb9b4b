"""复查 and 复核 (第三十五、三十六条): the 信访人 may ask within 30日 of receiving the written
answer (the day its 意见书 was served); the review organ decides within 30日 on a case of its
own (kind ``petition_review``). After 复核 the matter is 终结: the same facts and reasons are
not accepted again. ``petition_close_expired`` closes the matters whose window passed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.cases import services as cases
from yancheng.cases.models import Case, CaseKind, ExtensionRequest, Status
from yancheng.core import calendar
from yancheng.core.audit.services import audit_batch
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor
from yancheng.lib.workdays import Deadline

from . import events
from .documents import document_issue
from .handling import (
    OPINION_OUTCOMES,
    REASON_MAX,
    TEXT_MAX,
    Locked,
    case_description,
    check_organ,
    clock_extension_decide,
    clock_extension_request,
    clock_pause,
    clock_resume,
    engine_note,
    neutral_title,
    opinion_body,
    step,
)
from .models import DocumentKind, Petition, PetitionDocument, PetitionReview, Stage, TransferMode
from .workflow import can_move, has_reviews, target_of

WINDOW_DAYS = 30  # 第三十五条、第三十六条: 收到书面答复之日起30日内
Level = PetitionReview.Level

# The document whose service opens each level's window.
WINDOW_OPENERS = {
    Level.REVIEW: (DocumentKind.OPINION, DocumentKind.AGREEMENT),
    Level.RECHECK: (DocumentKind.REVIEW_OPINION,),
}
MOVES = {Level.REVIEW: ("request_review", "decide_review"), Level.RECHECK: ("request_recheck", "decide_recheck")}


def served_answer(petition: Petition, level: str) -> PetitionDocument | None:
    """The served written answer a 复查 (or 复核) is asked against: the latest one."""
    return (
        petition.documents.filter(kind__in=WINDOW_OPENERS[Level(level)], served_at__isnull=False)
        .order_by("-served_at", "-pk")
        .first()
    )


def review_window(petition: Petition, level: str) -> Deadline | None:
    """The last day to ask: 30 natural days after the day the answer was served, a last day
    that is a rest day moved to the next working day. None while the answer is not served."""
    document = served_answer(petition, level)
    if document is None or document.served_at is None:
        return None
    return calendar.natural_deadline(document.served_at, WINDOW_DAYS, roll=True)


def review_request(
    petition: Petition,
    *,
    actor: Actor,
    level: str,
    requested_on: dt.date,
    request: str,
    organ: Organisation,
    expected_version: int | None = None,
) -> PetitionReview:
    """登记复查（复核）申请: on a 申诉求决 (六) matter, within 30日 of the served answer; a
    复核 only after a decided 复查. The review organ gets a case of its own (30日)."""
    if level not in Level.values:
        raise ValidationFailed(_("请选择复查或复核。"), field="level")
    request = clean_text(request, field="request", max_length=TEXT_MAX, required=_("请填写申请理由。"))
    today = timezone.localdate()
    if requested_on > today:
        raise ValidationFailed(_("申请日期不能晚于今天。"), field="requested_on")
    ask, _decide = MOVES[Level(level)]
    with step(petition, actor=actor, perm="petitions.request_review", move=ask,
              expected_version=expected_version) as frame:
        p = frame.petition
        if not has_reviews(p.petition_type, p.claim_route):
            raise ValidationFailed(_("只有按信访程序办理的申诉求决类事项可以请求复查、复核。"), field="level")
        if level == Level.RECHECK and not p.reviews.filter(level=Level.REVIEW, decided_at__isnull=False).exists():
            raise ConflictError(_("复核须在复查意见作出之后请求。"), code="no_review")
        window = review_window(p, level)
        if window is None:
            raise ConflictError(_("书面答复尚未送达，送达后才能请求%(l)s。") % {"l": Level(level).label},
                                code="not_served")
        document = served_answer(p, level)
        assert document is not None and document.served_at is not None
        served_on = timezone.localdate(document.served_at)
        if requested_on < served_on:
            raise ValidationFailed(_("申请日期不能早于书面答复送达日期（%(d)s）。") % {"d": served_on},
                                   field="requested_on")
        if requested_on > window.date:
            raise ValidationFailed(
                _("已超过请求%(l)s的期限：应自收到书面答复之日（%(s)s）起30日内提出，最后一日为 %(d)s。")
                % {"l": Level(level).label, "s": served_on, "d": window.date},
                field="requested_on", code="window_passed",
            )
        previous = p.handling_org_id if level == Level.REVIEW else (
            p.reviews.filter(level=Level.REVIEW).values_list("organ_id", flat=True).first()
        )
        if organ.pk == previous:
            raise ValidationFailed(_("复查（复核）应由原办理机关的上一级机关办理，不能是原机关。"), field="organ")
        check_organ(p, organ)
        case = cases.case_submit(
            actor=None, reporter_org=p.registering_org, dispatch_org=p.registering_org,
            kind=CaseKind.PETITION_REVIEW, withheld_from=p.respondent_org if p.is_accusation else None,
            title=neutral_title(p, prefix=str(Level(level).label)), description=case_description(p, request),
            subject_ref=f"petition:{p.pk}",
        )
        cases.case_assign(case, actor=actor, lead_org=organ)
        review = PetitionReview.objects.create(petition=p, level=level, requested_on=requested_on, request=request,
                                               organ=organ, case=case)
        frame.set(stage=target_of(p.stage, ask))
        events.record(p, f"request_{level}", actor=actor, public=True, before_stage=frame.before_stage,
                      data={"review": review.pk, "organ": organ.pk, "case": case.pk,
                            "requested_on": requested_on.isoformat()})
    return review


@contextmanager
def review_step(
    review: PetitionReview, *, actor: Actor, perm: str, expected_version: int | None = None
) -> Iterator[tuple[Locked, PetitionReview, Case]]:
    """A step of the review organ on a pending 复查 (复核): the matter's frame (permission,
    lock, version, stage), then the review locked, still undecided, and its case."""
    level = Level(review.level)
    _ask, decide = MOVES[level]
    with step(review.petition, actor=actor, perm=perm, move=decide, expected_version=expected_version) as frame:
        locked = PetitionReview.objects.select_for_update().get(pk=review.pk)
        if locked.decided_at is not None:
            raise ConflictError(_("已作出%(l)s意见。") % {"l": level.label}, code="decided")
        if locked.case is None:
            raise ConflictError(_("该申请尚未交由复查（复核）机关办理。"), code="no_case")
        yield frame, locked, locked.case


# --- 延期, 听证 (第三十五条、第三十六条: 30日, extendable by 30 with the head's approval) ------------------


def review_request_extension(
    review: PetitionReview, *, actor: Actor, days: int, reason: str, expected_version: int | None = None
) -> ExtensionRequest:
    """The review organ asks its head for more days: at most 30日 in all (the engine's
    policy for the review case keeps the cap, in natural days)."""
    reason = clean_text(reason, field="reason", max_length=REASON_MAX, required=_("请说明延期理由。"))
    with review_step(review, actor=actor, perm="petitions.handle_review",
                     expected_version=expected_version) as (frame, locked, case):
        request = clock_extension_request(frame.petition, case, actor=actor, days=days, reason=reason,
                                          prefix="review_", data={"review": locked.pk})
        frame.changed.add("updated_at")
    return request


def review_decide_extension(
    review: PetitionReview, *, actor: Actor, approve: bool, note: str = "", expected_version: int | None = None
) -> ExtensionRequest:
    """A leader of the review organ (本机关负责人) approves or refuses; approved, the
    decision date moves and a 延期告知书 with the reason is made, linked to the review."""
    note = clean_text(note, field="note", max_length=REASON_MAX)
    with review_step(review, actor=actor, perm="petitions.approve_review_extension",
                     expected_version=expected_version) as (frame, locked, case):
        if locked.level == Level.REVIEW:
            sentence = _("因%(r)s，经本机关负责人批准，复查期限延长%(n)s，至 %(d)s 前作出复查意见。")
        else:
            sentence = _("因%(r)s，经本机关负责人批准，复核期限延长%(n)s，至 %(d)s 前作出复核意见。")
        request = clock_extension_decide(
            frame.petition, case, actor=actor, approve=approve, note=note, issuer=locked.organ, sentence=sentence,
            review=locked, prefix="review_", data={"review": locked.pk},
        )
        frame.changed.add("updated_at")
    return request


def review_hearing_start(
    review: PetitionReview, *, actor: Actor, reason: str = "", expected_version: int | None = None
) -> PetitionReview:
    """听证 during a 复查 (复核): the review organ takes the request in (if not yet) and its
    clock pauses (听证所需时间不计入期限)."""
    reason = clean_text(reason, field="reason", max_length=200)
    with review_step(review, actor=actor, perm="petitions.handle_review",
                     expected_version=expected_version) as (frame, locked, case):
        if case.status == Status.ASSIGNED:
            case = cases.case_accept(case, actor=actor)
        clock_pause(frame.petition, case, actor=actor, reason=reason, prefix="review_", data={"review": locked.pk})
        frame.changed.add("updated_at")
    return locked


def review_hearing_end(
    review: PetitionReview, *, actor: Actor, note: str = "", expected_version: int | None = None
) -> PetitionReview:
    """The hearing is over: the review clock runs again, the days it took added."""
    note = clean_text(note, field="note", max_length=REASON_MAX)
    with review_step(review, actor=actor, perm="petitions.handle_review",
                     expected_version=expected_version) as (frame, locked, case):
        clock_resume(frame.petition, case, actor=actor, note=note, prefix="review_", data={"review": locked.pk})
        frame.changed.add("updated_at")
    return locked


def review_decide(
    review: PetitionReview,
    *,
    actor: Actor,
    outcome: str,
    facts: str,
    reasons: str,
    legal_basis: str,
    expected_version: int | None = None,
) -> PetitionDocument:
    """复查意见书 / 复核意见书 by the review organ. 复核 ends the matter (终结)."""
    if outcome not in OPINION_OUTCOMES:
        raise ValidationFailed(_("请选择支持、解释说明或不予支持。"), field="outcome")
    facts = clean_text(facts, field="facts", max_length=TEXT_MAX, required=_("请写明查明的事实。"))
    reasons = clean_text(reasons, field="reasons", max_length=TEXT_MAX, required=_("请填写处理理由。"))
    legal_basis = clean_text(legal_basis, field="legal_basis", max_length=TEXT_MAX,
                             required=_("请写明处理意见所依据的法律、法规、政策。"))
    level = Level(review.level)
    _ask, decide = MOVES[level]
    with review_step(review, actor=actor, perm="petitions.decide_review",
                     expected_version=expected_version) as (frame, locked, case):
        p = frame.petition
        if case.status == Status.ASSIGNED:
            cases.case_accept(case, actor=actor)
        if case.suspended_at is not None:
            raise ConflictError(_("听证尚未结束，结束听证后再出具意见。"), code="hearing_running")
        now = timezone.now()
        locked.outcome, locked.decided_at = outcome, now
        locked.save(update_fields=["outcome", "decided_at"])
        review.outcome, review.decided_at = outcome, now
        kind = DocumentKind.REVIEW_OPINION if level == Level.REVIEW else DocumentKind.RECHECK_OPINION
        tail = ""
        if level == Level.REVIEW:
            parent = locked.organ.parent
            tail = "\n" + _("如对本复查意见不服，可以自收到本意见书之日起30日内向%(o)s请求复核。") % {
                "o": parent.name if parent else _("复查机关的上一级行政机关")}
        else:
            tail = "\n" + _("本复核意见为终结意见。信访人对复核意见不服，仍以同一事实和理由提出信访的，不再受理。")
        body = opinion_body(p, outcome=outcome, facts=facts, reasons=reasons, legal_basis=legal_basis,
                            result_text="") + tail
        document = document_issue(p, kind, actor=actor, issuer=locked.organ, body=body, review=locked)
        cases.case_resolve(case, actor=actor, resolution=engine_note(p, document))
        frame.set(stage=target_of(p.stage, decide))
        if level == Level.RECHECK:
            frame.set(ended_at=now, end_reason=_("复核终结"))
        events.record(p, f"decide_{level}", actor=actor, public=True, before_stage=frame.before_stage,
                      data={"review": locked.pk, "outcome": outcome, "document": document.pk})
    return document


def petition_close_expired(now: dt.datetime | None = None) -> int:
    """办结 the answered (or reviewed) matters whose 30日 to ask for 复查 (复核) passed with
    no request; a 交办 matter waits for its 办结报告. Idempotent: the scheduler calls it."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    closed = 0
    candidates = Petition.objects.filter(stage__in=(Stage.ANSWERED, Stage.REVIEWED)).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic(), audit_batch():
            p = Petition.objects.select_for_update().get(pk=pk)
            if not can_move(p.stage, "close"):
                continue
            if p.transfer_mode == TransferMode.ASSIGN and p.report_received_at is None:
                continue
            if has_reviews(p.petition_type, p.claim_route):
                level = Level.REVIEW if p.stage == Stage.ANSWERED else Level.RECHECK
                window = review_window(p, level)
                if window is None or today <= window.date:
                    continue
                reason = _("期满未请求复查，办结") if level == Level.REVIEW else _("期满未请求复核，办结")
            else:
                reason = _("办结")
            before = p.stage
            p.stage = target_of(p.stage, "close")
            p.ended_at = now
            p.end_reason = reason
            p.version += 1
            p.save(update_fields=["stage", "ended_at", "end_reason", "version", "updated_at"])
            events.record(p, "close", actor=None, public=True, before_stage=before)
            closed += 1
    return closed

