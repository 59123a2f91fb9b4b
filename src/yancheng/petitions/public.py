"""The 信访人's side (SPEC §8; 《信访工作条例》第二十一条; 网上办理规程: 可查询、可跟踪、可评价):
what the public query page may show of a matter, the throttle in front of its 查询码 box,
and the petitioner's rating.

The page is opened with the 查询码 alone, so everything here answers the question "what
may anybody who holds the code learn?" — and nothing more:

- **Shown**: the registration date, the transfer dates, the handling organ, each public
  notice once served (kind, 文号, served date; ``PUBLIC_DOCUMENT_KINDS``), the stage in
  plain words, the current deadline as a day with its light (in words as well as colour),
  the head count of a group visit, and the rating once given.
- **Never**: petitioners' names, ID numbers, phones or addresses (not even the code
  holder's: the code is the matter's, not a person's), the request and facts, event notes,
  drafts and internal documents (转送函, 交办单, 办结报告, anything unserved), the respondent
  organ or person, the case's internals, and the names of handlers.

``public_view`` builds a ``PublicView`` of plain values; the template sees only that, never
the ``Petition``, so a field cannot slip onto the page by a template change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yancheng.cases.clocks import clock_light
from yancheng.cases.models import Case, Light
from yancheng.core import calendar
from yancheng.core.audit.services import ANONYMOUS, audit_record
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.text import clean_text
from yancheng.core.kit.throttle import Throttle
from yancheng.lib.deadlines import due_day

from . import querycode
from .events import ACTION_LABELS
from .models import (
    PUBLIC_DOCUMENT_KINDS,
    DocumentKind,
    Petition,
    PetitionDocument,
    PetitionEvent,
    PetitionReview,
    Rating,
    Stage,
)

# --- the throttle in front of the code box ---------------------------------------------------

QUERY_WINDOW_SECONDS = 600
QUERY_IP_LIMIT = 10
QUERY_GLOBAL_LIMIT = 1000

QUERY_THROTTLE = Throttle(
    "petitions.query", "YANCHENG_PETITION_QUERY_WINDOW_SECONDS", "YANCHENG_PETITION_QUERY_IP_LIMIT",
    "YANCHENG_PETITION_QUERY_GLOBAL_LIMIT", QUERY_WINDOW_SECONDS, QUERY_IP_LIMIT, QUERY_GLOBAL_LIMIT,
)


def _window() -> int:
    return QUERY_THROTTLE.window()


def query_attempt_allowed(ip: str) -> bool:
    """Count one attempt at a code (right or wrong alike: the count tells nothing about the
    answer) from ``ip`` and from everybody, and say whether it may be checked. Fixed windows of
    ``YANCHENG_PETITION_QUERY_WINDOW_SECONDS`` (600): at most ``YANCHENG_PETITION_QUERY_IP_LIMIT``
    (10) attempts per address and ``YANCHENG_PETITION_QUERY_GLOBAL_LIMIT`` (1000) in all
    (``core.kit.throttle``)."""
    return QUERY_THROTTLE.allowed(ip)


def retry_after_seconds() -> int:
    """Seconds until the current window ends (the 429's Retry-After)."""
    return QUERY_THROTTLE.retry_after()


# --- finding the matter ------------------------------------------------------------------------


def petition_for_code(code: str) -> Petition | None:
    """The matter of a 查询码, or None. One indexed lookup of the code's keyed digest, the
    same for an empty, malformed or unknown code: no path answers sooner than another."""
    return Petition.objects.filter(query_code_digest=querycode.digest(querycode.normalise(code or ""))).first()


# --- what the page shows -------------------------------------------------------------------------

# The matter's timeline as the petitioner reads it: public events by action. An action not
# named here shows as 办理进展 (its date only).
# The public page names a step as the matter's own timeline does (``events.ACTION_LABELS``);
# a step without a label there shows as "办理进展" with its date.
TRANSFER_ACTIONS = frozenset({"transfer", "reassign"})
# Served in the timeline's own table of documents: not repeated as events.
SKIPPED_EVENTS = frozenset({"document_serve", "document_issue", "rate"})

STAGE_WORDS: dict[str, Any] = {
    Stage.REGISTERED: gettext_lazy("已登记，信访部门正在确定办理机关。"),
    Stage.TRANSFERRED: gettext_lazy("已转送（交办）办理机关，等待其告知是否受理。"),
    Stage.ACCEPTED: gettext_lazy("办理机关已受理，正在办理。"),
    Stage.NOT_ACCEPTED: gettext_lazy("不予受理，理由和途径见不予受理告知书。"),
    Stage.ANSWERED: gettext_lazy("已出具处理意见。如不服，可在期限内向上一级机关申请复查。"),
    Stage.REVIEWING: gettext_lazy("复查机关正在复查。"),
    Stage.REVIEWED: gettext_lazy("已作出复查意见。如不服，可在期限内申请复核。"),
    Stage.RECHECKING: gettext_lazy("复核机关正在复核。"),
    Stage.FINAL: gettext_lazy("已复核终结。同一事实和理由不再受理。"),
    Stage.CLOSED: gettext_lazy("已办结。"),
}

# The notices that answer the matter (a rating may follow one of them once served).
ANSWER_KINDS = frozenset({
    DocumentKind.OPINION, DocumentKind.REVIEW_OPINION, DocumentKind.RECHECK_OPINION, DocumentKind.AGREEMENT,
})
RATEABLE_STAGES = frozenset({Stage.ANSWERED, Stage.REVIEWED, Stage.FINAL, Stage.CLOSED})
REVIEW_WINDOW_DAYS = 30  # 第三十五条、第三十六条: 复查 (复核) asked within 30日 of receiving the opinion
YELLOW_DAYS = 3  # a clock without its own yellow point turns yellow this many days before its end


@dataclass(frozen=True)
class PublicDate:
    on: dt.date
    label: str


@dataclass(frozen=True)
class PublicDocument:
    ref: str  # the session-bound reference of its download link (``document_ref``)
    kind: str
    number: str
    served_on: dt.date


@dataclass(frozen=True)
class PublicDeadline:
    label: str
    day: dt.date
    light: str  # a ``cases.models.Light`` value, or "" for the petitioner's own window
    light_label: str
    note: str = ""


@dataclass(frozen=True)
class PublicView:
    number: str
    received_on: dt.date
    registered_on: dt.date
    channel: str
    stage: str
    stage_label: str
    stage_words: str
    head_count: int
    is_group: bool
    handling_org: str
    dates: list[PublicDate] = field(default_factory=list)
    documents: list[PublicDocument] = field(default_factory=list)
    deadline: PublicDeadline | None = None
    can_rate: bool = False
    rating_handling: str = ""
    rating_result: str = ""
    rated_on: dt.date | None = None


def served_public_documents(petition: Petition) -> list[PetitionDocument]:
    """The notices the petitioner may see and download: public kinds, once served."""
    return list(
        PetitionDocument.objects.filter(petition=petition, kind__in=PUBLIC_DOCUMENT_KINDS, served_at__isnull=False)
        .order_by("served_at", "pk")
    )


def document_ref(session_key: str, document: PetitionDocument) -> str:
    """The download link's reference: a keyed digest of the session and the document, so the
    URL names neither the matter nor the notice and is worthless outside this session."""
    return salted_hmac("petitions.query.document", f"{session_key}:{document.pk}").hexdigest()[:32]


def document_by_ref(petition: Petition, session_key: str, ref: str) -> PetitionDocument | None:
    found = None
    for document in served_public_documents(petition):
        if constant_time_compare(document_ref(session_key, document), ref):
            found = document
    return found


def _label(action: str) -> str:
    return str(ACTION_LABELS[action]) if action in ACTION_LABELS else str(_("办理进展"))


def _dates(petition: Petition) -> list[PublicDate]:
    dates = [PublicDate(timezone.localdate(petition.registered_at), str(ACTION_LABELS["register"]))]
    seen: set[str] = set()
    for action, at in (
        PetitionEvent.objects.filter(petition=petition, public=True)
        .exclude(action__in=SKIPPED_EVENTS | {"register"})
        .order_by("at", "pk")
        .values_list("action", "at")
    ):
        seen.add(action)
        dates.append(PublicDate(timezone.localdate(at), _label(action)))
    # The matter's own fields, where no public event recorded the step.
    if petition.transferred_at is not None and not seen & TRANSFER_ACTIONS:
        dates.append(PublicDate(timezone.localdate(petition.transferred_at), str(ACTION_LABELS["transfer"])))
    if petition.accepted_at is not None and "accept" not in seen:
        dates.append(PublicDate(timezone.localdate(petition.accepted_at), str(ACTION_LABELS["accept"])))
    if petition.ended_at is not None and petition.stage in (Stage.CLOSED, Stage.FINAL) and not seen & {
        "close", "decide_recheck", "review_decide"
    }:
        label = _("复核终结") if petition.stage == Stage.FINAL else _("办结")
        dates.append(PublicDate(timezone.localdate(petition.ended_at), label))
    return sorted(dates, key=lambda d: d.on)


def _light_label(light: str) -> str:
    return str(Light(light).label) if light in Light.values else ""


def _clock(label: str, due: dt.datetime | None, yellow_at: dt.datetime | None, *, paused: bool,
           now: dt.datetime) -> PublicDeadline | None:
    day = due_day(due)
    if due is None or day is None:
        return None
    light: str
    if paused:
        light = Light.PAUSED
    else:
        yellow = yellow_at if yellow_at is not None else due - dt.timedelta(days=YELLOW_DAYS)
        light = clock_light(due, yellow, None, now)
    return PublicDeadline(label, day, light, _light_label(light))


def _case_clock(case: Case | None, *, now: dt.datetime, accept_label: str, solve_label: str) -> PublicDeadline | None:
    if case is None:
        return None
    paused = case.suspended_at is not None
    if case.accepted_at is None and case.accept_due_at is not None:
        return _clock(accept_label, case.accept_due_at, case.accept_yellow_at, paused=paused, now=now)
    if case.resolved_at is None:
        return _clock(solve_label, case.solve_due_at, case.solve_yellow_at, paused=paused, now=now)
    return None


def _window_end(petition: Petition, kinds: Iterable[str], label: str, now: dt.datetime) -> PublicDeadline | None:
    """The petitioner's own 30日 window, counted from the day the answer was served."""
    served = (
        PetitionDocument.objects.filter(petition=petition, kind__in=list(kinds), served_at__isnull=False)
        .order_by("-served_at").values_list("served_at", flat=True).first()
    )
    if served is None:
        return None
    end = calendar.natural_deadline(served, REVIEW_WINDOW_DAYS, roll=True)
    passed = now >= end.at
    note = _("申请期限已过。") if passed else ""
    return PublicDeadline(label, end.date, "", "", note)


def _review(petition: Petition, level: str) -> PetitionReview | None:
    return PetitionReview.objects.filter(petition=petition, level=level).select_related("case").first()


def current_deadline(petition: Petition, *, now: dt.datetime | None = None) -> PublicDeadline | None:
    """The one deadline that matters now, as a day, with its light (None when nothing runs)."""
    now = now or timezone.now()
    stage = petition.stage
    if stage == Stage.REGISTERED:
        return _clock(_("转送交办期限"), petition.transfer_due_at, None, paused=False, now=now)
    if stage in (Stage.TRANSFERRED, Stage.ACCEPTED):
        return _case_clock(petition.case, now=now, accept_label=_("受理告知期限"), solve_label=_("办结期限"))
    if stage in (Stage.REVIEWING, Stage.RECHECKING):
        level = PetitionReview.Level.REVIEW if stage == Stage.REVIEWING else PetitionReview.Level.RECHECK
        review = _review(petition, level)
        label = _("复查期限") if stage == Stage.REVIEWING else _("复核期限")
        return _case_clock(review.case if review else None, now=now, accept_label=label, solve_label=label)
    if stage == Stage.ANSWERED:
        return _window_end(petition, [DocumentKind.OPINION], _("可申请复查至"), now)
    if stage == Stage.REVIEWED:
        return _window_end(petition, [DocumentKind.REVIEW_OPINION], _("可申请复核至"), now)
    return None


def answer_served(petition: Petition) -> bool:
    return PetitionDocument.objects.filter(
        petition=petition, kind__in=ANSWER_KINDS, served_at__isnull=False
    ).exists()


def can_rate(petition: Petition) -> bool:
    return petition.rated_at is None and petition.stage in RATEABLE_STAGES and answer_served(petition)


def public_view(petition: Petition, *, session_key: str, now: dt.datetime | None = None) -> PublicView:
    """Everything the query page shows of ``petition``, as plain values."""
    documents = [
        PublicDocument(document_ref(session_key, d), d.get_kind_display(), d.number,
                       timezone.localdate(d.served_at) if d.served_at else timezone.localdate())
        for d in served_public_documents(petition)
    ]
    handling = petition.handling_org
    respondent = petition.respondent_org_id
    # The handling organ is never the organ complained about for a 检举控告 (第三十条); were it
    # ever so, the page would rather name nobody.
    handling_name = "" if handling is None or (petition.is_accusation and handling.pk == respondent) else handling.name
    return PublicView(
        number=petition.number,
        received_on=petition.received_on,
        registered_on=timezone.localdate(petition.registered_at),
        channel=petition.get_channel_display(),
        stage=petition.stage,
        stage_label=petition.get_stage_display(),
        stage_words=str(STAGE_WORDS.get(petition.stage, "")),
        head_count=petition.head_count,
        is_group=petition.is_group,
        handling_org=handling_name,
        dates=_dates(petition),
        documents=documents,
        deadline=current_deadline(petition, now=now),
        can_rate=can_rate(petition),
        rating_handling=petition.get_rating_handling_display() if petition.rating_handling else "",
        rating_result=petition.get_rating_result_display() if petition.rating_result else "",
        rated_on=timezone.localdate(petition.rated_at) if petition.rated_at else None,
    )


# --- the rating ----------------------------------------------------------------------------------

COMMENT_MAX = 500


def petition_rate(
    petition: Petition, *, handling: str, result: str, comment: str = "", expected_version: int | None = None
) -> Petition:
    """The 信访人 rates the handling and the result (满意 / 基本满意 / 不满意), once, after an
    answer (意见书 or 协议书) was served. The caller has checked that the person holds the
    matter's 查询码 (the query page's session); there is no user to check.

    One rating per matter, final: the office reads it as given (a second one is refused).
    The audit record names nobody and keeps no address (``ANONYMOUS``) and no comment; a
    不满意 tells the 信访部门 that registered the matter, naming only its number."""
    if handling not in Rating.values:
        raise ValidationFailed(_("请选择对办理过程的评价。"), field="handling")
    if result not in Rating.values:
        raise ValidationFailed(_("请选择对办理结果的评价。"), field="result")
    comment = clean_text(comment, field="comment", max_length=COMMENT_MAX)
    with transaction.atomic():
        locked = Petition.objects.select_for_update().get(pk=petition.pk)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(_("该信访事项已被他人更新，请刷新后再操作。"), code="stale")
        if locked.rated_at is not None:
            raise ConflictError(
                _("您已于 %(d)s 评价过该信访事项，每件事项只能评价一次。") % {"d": timezone.localdate(locked.rated_at)},
                code="already_rated",
            )
        if locked.stage not in RATEABLE_STAGES or not answer_served(locked):
            raise ConflictError(_("处理意见书（或协议书）送达后才能评价。"), code="not_answered")
        now = timezone.now()
        locked.rating_handling, locked.rating_result, locked.rating_comment = handling, result, comment
        locked.rated_at = now
        locked.version += 1
        locked.save(update_fields=["rating_handling", "rating_result", "rating_comment", "rated_at", "version",
                                   "updated_at"])
        data = {"handling": handling, "result": result}
        PetitionEvent.objects.create(petition=locked, at=now, action="rate", actor=None, public=False, data=data)
        audit_record("petition.rate", locked, actor=ANONYMOUS,
                     after={"stage": locked.stage, **data, "commented": bool(comment)})
        if Rating.DISSATISFIED in (handling, result):
            _tell_office_dissatisfied(locked)
    petition.rating_handling, petition.rating_result, petition.rating_comment = handling, result, comment
    petition.rated_at, petition.version = locked.rated_at, locked.version
    return locked


def _tell_office_dissatisfied(petition: Petition) -> None:
    from django.urls import reverse
    from django.utils import translation

    from yancheng.core.models import Role, User
    from yancheng.core.notifications.services import notify

    office = User.objects.filter(organisation_id=petition.registering_org_id, role=Role.PETITION, is_active=True)
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            recipients=list(office),
            verb="petitions.rated_dissatisfied",
            title=_("信访人对信访事项 %(n)s 的办理表示不满意") % {"n": petition.number},
            body=_("请研判是否需要回访、疏导或督办。"),
            url=reverse("petitions:petition_detail", kwargs={"pk": petition.pk}),
            obj=petition,
            actor=None,
        )
