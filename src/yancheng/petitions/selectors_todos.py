"""The lists behind the petitions to-dos (``todos.py``): each to-do counts
``todo_queryset(user, key)`` and links to the petitions list filtered by ``?todo=<key>``,
which shows the same queryset; the 稳控 to-do counts ``follow_ups_for`` and links to the
follow-up list under the same filters.

Every queryset starts from ``Petition.objects.visible_to(user)``: a to-do never counts a
matter its user may not open (a 检举控告 about the user's organ is never counted)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from yancheng.cases.models import CLOCK_STATUSES, CaseKind, ExtensionRequest, Status
from yancheng.core.typing import Actor

from .models import (
    PUBLIC_DOCUMENT_KINDS,
    FollowUp,
    Petition,
    PetitionDocument,
    PetitionReview,
    Stage,
    TransferMode,
)
from .selectors import TRANSFER_YELLOW

# The last days of a 15-day clock (转送交办, 受理告知) shown yellow.

Filter = Callable[[Actor, dt.datetime], Q]


def _org(user: Actor) -> int | None:
    return getattr(user, "organisation_id", None)


def _open_reviews() -> QuerySet[PetitionReview]:
    return PetitionReview.objects.filter(decided_at__isnull=True)


def _running(prefix: str) -> Q:
    """A handling case whose clock runs (a unit has it and it is not paused)."""
    return Q(**{f"{prefix}status__in": list(CLOCK_STATUSES), f"{prefix}suspended_at__isnull": True})


# --- 信访部门 (Role.PETITION) --------------------------------------------------------------------


def _to_transfer(user: Actor, now: dt.datetime) -> Q:
    """待转送交办: registered by the user's 信访部门 and not yet sent on (15日, 第二十二条)."""
    return Q(stage=Stage.REGISTERED, registering_org_id=_org(user))


def _objections(user: Actor, now: dt.datetime) -> Q:
    """待裁定的异议: the organ sent the handling case back (退回) to the user's 信访部门."""
    return Q(case__status=Status.RETURNED, case__dispatch_org_id=_org(user))


def _review_requests(user: Actor, now: dt.datetime) -> Q:
    """复查复核申请: an open 复查/复核 at the user's organ, or one not yet given to an organ
    on a matter it registered."""
    org = _org(user)
    at_organ = _open_reviews().filter(organ_id=org).values("petition_id")
    unsent = _open_reviews().filter(case__isnull=True).values("petition_id")
    return Q(stage__in=[Stage.REVIEWING, Stage.RECHECKING]) & (
        Q(pk__in=at_organ) | Q(pk__in=unsent, registering_org_id=org)
    )


def _report_overdue(user: Actor, now: dt.datetime) -> Q:
    """交办未报: a 交办 whose 办结报告 is past its deadline."""
    org = _org(user)
    return Q(transfer_mode=TransferMode.ASSIGN, report_due_at__lte=now, report_received_at__isnull=True) & (
        Q(registering_org_id=org) | Q(case__dispatch_org_id=org)
    )


# --- the handling organ (Role.HANDLER) -------------------------------------------------------------


def _to_notify(user: Actor, now: dt.datetime) -> Q:
    """待受理告知: sent to the user's organ, which has not yet said whether it accepts (15日,
    第二十三条); an objection waiting for the 信访部门 is not the organ's to do."""
    return Q(stage=Stage.TRANSFERRED, handling_org_id=_org(user)) & ~Q(case__status=Status.RETURNED)


def _review_clock(user: Actor, now: dt.datetime, *, overdue: bool) -> Q:
    reviews = _open_reviews().filter(organ_id=_org(user)).filter(_running("case__"))
    if overdue:
        reviews = reviews.filter(case__solve_due_at__lte=now)
    else:
        reviews = reviews.filter(case__solve_yellow_at__lte=now, case__solve_due_at__gt=now)
    return Q(stage__in=[Stage.REVIEWING, Stage.RECHECKING], pk__in=reviews.values("petition_id"))


def _due_soon(user: Actor, now: dt.datetime) -> Q:
    """临期: accepted by the user's organ, the handling (or review) clock in its last stretch."""
    accepted = Q(stage=Stage.ACCEPTED, handling_org_id=_org(user)) & _running("case__") & Q(
        case__solve_yellow_at__lte=now, case__solve_due_at__gt=now
    )
    return accepted | _review_clock(user, now, overdue=False)


def _overdue(user: Actor, now: dt.datetime) -> Q:
    """超期: accepted by the user's organ, the handling (or review) clock past its deadline."""
    accepted = Q(stage=Stage.ACCEPTED, handling_org_id=_org(user)) & _running("case__") & Q(
        case__solve_due_at__lte=now
    )
    return accepted | _review_clock(user, now, overdue=True)


def _to_serve(user: Actor, now: dt.datetime) -> Q:
    """待送达: a notice the user's organ issued to the 信访人 and has not yet served."""
    unserved = PetitionDocument.objects.filter(
        issuer_id=_org(user), served_at__isnull=True, kind__in=[str(k) for k in PUBLIC_DOCUMENT_KINDS]
    )
    return Q(pk__in=unserved.values("petition_id"))


def _reviews(user: Actor, now: dt.datetime) -> Q:
    """复查复核待办: an open 复查/复核 at the user's organ."""
    return Q(stage__in=[Stage.REVIEWING, Stage.RECHECKING],
             pk__in=_open_reviews().filter(organ_id=_org(user)).values("petition_id"))


# --- leaders and supervisors ---------------------------------------------------------------------


def _extensions(user: Actor, now: dt.datetime) -> Q:
    """待审批延期: a pending extension on a handling or review case of the leader's organ
    (第三十四条: approved by the organ's head)."""
    cases = ExtensionRequest.objects.filter(
        status=ExtensionRequest.Decision.PENDING, case__lead_org_id=_org(user),
        case__kind__in=[CaseKind.PETITION, CaseKind.PETITION_REVIEW],
    ).values("case_id")
    return Q(case_id__in=cases) | Q(pk__in=PetitionReview.objects.filter(case_id__in=cases).values("petition_id"))


def _led(user: Actor, now: dt.datetime) -> Q:
    """包案事项: the matters the leader took personally."""
    return Q(leader_id=user.pk)


def _overdue_all(user: Actor, now: dt.datetime) -> Q:
    """超期信访事项: a matter past any of its clocks — not sent on within 15日, not answered
    whether accepted within 15日, not concluded in time, or a 复查/复核 past its deadline."""
    awaiting = Q(case__status__in=[Status.ASSIGNED, Status.RETURNED], case__suspended_at__isnull=True)
    late_reviews = _open_reviews().filter(_running("case__"), case__solve_due_at__lte=now).values("petition_id")
    return (
        Q(stage=Stage.REGISTERED, transfer_due_at__lte=now)
        | (Q(stage=Stage.TRANSFERRED) & awaiting & Q(case__accept_due_at__lte=now))
        | (Q(stage=Stage.ACCEPTED) & _running("case__") & Q(case__solve_due_at__lte=now))
        | Q(stage__in=[Stage.REVIEWING, Stage.RECHECKING], pk__in=late_reviews)
    )


TODO_FILTERS: dict[str, Filter] = {
    "to_transfer": _to_transfer,
    "objections": _objections,
    "review_requests": _review_requests,
    "report_overdue": _report_overdue,
    "to_notify": _to_notify,
    "due_soon": _due_soon,
    "overdue": _overdue,
    "to_serve": _to_serve,
    "reviews": _reviews,
    "extensions": _extensions,
    "led": _led,
    "overdue_all": _overdue_all,
}
TODO_KEYS = frozenset(TODO_FILTERS)


def todo_queryset(user: Actor, key: str, now: dt.datetime | None = None) -> QuerySet[Petition]:
    """The matters behind the to-do ``key`` for this user (none for an unknown key): what the
    petitions list shows under ``?todo=<key>``."""
    qs = Petition.objects.visible_to(user)
    found = TODO_FILTERS.get(key)
    if found is None:
        return qs.none()
    return qs.filter(found(user, now or timezone.now()))


def clock_light(qs: QuerySet[Petition], field: str, now: dt.datetime | None = None) -> str:
    """The light of a 15-day clock over a to-do's matters: red when one is past ``field``,
    yellow when one is in its last days (``selectors.TRANSFER_YELLOW``, the list's own yellow), green
    otherwise."""
    now = now or timezone.now()
    if qs.filter(**{f"{field}__lte": now}).exists():
        return "red"
    if qs.filter(**{f"{field}__lte": now + TRANSFER_YELLOW}).exists():
        return "yellow"
    return "green"


# --- 稳控 follow-ups ------------------------------------------------------------------------------

FOLLOW_UP_DUE = ("due", "overdue", "open", "done")


def follow_ups_for(user: Actor, *, due: str = "", mine: bool = False, today: dt.date | None = None
                   ) -> QuerySet[FollowUp]:
    """The follow-ups on the matters the user sees: ``due`` = open and due today or before,
    ``overdue`` = open and past its day, ``open``, ``done``; ``mine`` = given to the user's
    unit. Nearest day first."""
    today = today or timezone.localdate()
    qs = FollowUp.objects.filter(petition__in=Petition.objects.visible_to(user).values("pk"))
    if due == "due":
        qs = qs.filter(done_at__isnull=True, due_on__lte=today)
    elif due == "overdue":
        qs = qs.filter(done_at__isnull=True, due_on__lt=today)
    elif due == "open":
        qs = qs.filter(done_at__isnull=True)
    elif due == "done":
        qs = qs.filter(done_at__isnull=False)
    if mine:
        qs = qs.filter(org_id=_org(user))
    return qs.select_related("petition", "org").order_by(F("done_at").asc(nulls_first=True), "due_on", "pk")
