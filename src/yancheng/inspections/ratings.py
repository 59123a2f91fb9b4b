"""Anonymous ratings of visits (SPEC §4; security-checklist §0.3 and §7 "Anonymous inspection
rating"; 龙华: "企业评价信息全程匿名处理，相关执法部门不可见、不可溯").

The guarantee, and where each part of it lives:

- **Who may rate is stored apart from what was rated.** `RatingReceipt` holds only a keyed
  digest of (enterprise, inspection) — `receipt_digest` — so "has this enterprise rated this
  visit?" can be answered, and a second rating refused, without any row naming either.
- **A rating names nobody.** `Rating` carries the department rated, the kind of visit, the
  day (a date, never a time), the score and the comment; a random primary key, so not even
  the order of rows says anything. A joint visit gives one row per participating department.
- **The audit record has no actor.** `audit_record(..., actor=ANONYMOUS)` keeps no user,
  organisation, IP or request id, and the record carries no inspection, enterprise or score.
- **No notification.** Nobody is told that a rating arrived (a notice to the department
  would date it to the minute and point at the visit).
- **Departments see aggregates only**, through `department_rating_summary`: per *ended*
  calendar month (the running month could be differenced around one visit), and only when
  the month holds at least `InspectionPolicy.rating_min_count` (≥ 5) ratings — below that
  neither the average nor the count is shown (a count of 1 after a single visit would tie
  that visit's enterprise to "has rated"). The year's figure adds up only the months that
  are shown, so it cannot be differenced against them, nor against itself from one month
  to the next. There is no breakdown finer than department × month.
- Supervisors (`ratings_for_supervisor`) see every rating — department, kind, day, score,
  comment — and never an enterprise.

Nothing here may be shown to a department's staff except `department_rating_summary`;
`has_rated` is for the enterprise's own pages only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from yancheng.core.audit.services import ANONYMOUS, audit_record
from yancheng.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.models import Enterprise, Organisation
from yancheng.core.permissions import is_citywide

from .models import Inspection, InspectionPolicy, Rating, RatingReceipt
from .permissions import is_supervisor
from .services import require

# The salt keeps receipt digests apart from every other use of the secret key. A deployment
# that rotates SECRET_KEY should set YANCHENG_RATING_RECEIPT_KEY (never rotated): with a new
# key, old receipts no longer match and visits already rated could be rated again.
RECEIPT_SALT = "yancheng.inspections.rating-receipt.v1"
MAX_COMMENT = 500


def receipt_digest(enterprise: Enterprise, inspection: Inspection) -> str:
    """The keyed digest (HMAC-SHA256 over the secret key) that records "this enterprise has
    rated this visit". Without the key it cannot be computed, so it names neither."""
    secret = getattr(settings, "YANCHENG_RATING_RECEIPT_KEY", "") or None
    value = f"enterprise:{enterprise.pk}|inspection:{inspection.pk}"
    return salted_hmac(RECEIPT_SALT, value, secret=secret, algorithm="sha256").hexdigest()


def has_rated(enterprise: Enterprise, inspection: Inspection) -> bool:
    """Whether the enterprise has rated the visit — for the enterprise's own pages only."""
    return RatingReceipt.objects.filter(digest=receipt_digest(enterprise, inspection)).exists()


def rated_visit_ids(enterprise: Enterprise, visits: list[Inspection]) -> set[int]:
    """Which of these visits the enterprise has rated, in one query — for its own pages only."""
    digests = {receipt_digest(enterprise, v): v.pk for v in visits}
    found = RatingReceipt.objects.filter(digest__in=list(digests)).values_list("digest", flat=True)
    return {digests[d] for d in found}


def _own_enterprise(actor: Any) -> Enterprise | None:
    org_id = getattr(actor, "organisation_id", None)
    if org_id is None:
        return None
    return Enterprise.objects.filter(organisation_id=org_id).first()


def _score(value: Any) -> int:
    try:
        score = int(value)
    except (TypeError, ValueError):
        score = 0
    if isinstance(value, bool) or not 1 <= score <= 5:
        raise ValidationFailed(_("评分须为 1 到 5 之间的整数。"), field="score")
    return score


def rating_submit(inspection: Inspection, *, actor: Any, score: int, comment: str = "") -> None:
    """An enterprise user rates a finished visit of their enterprise (1–5 and a comment).

    One transaction inserts the receipt (its primary key is the digest: a second rating of
    the same visit collides and is refused) and one anonymous `Rating` per participating
    department. The audit record names no actor, IP, request, visit, enterprise or score,
    and nobody is notified. Returns nothing: there is nothing the caller should keep."""
    if actor is None:
        raise PermissionDeniedError(_("只有被检查企业的用户才能评价。"))
    visible = Inspection.objects.visible_to(actor).filter(pk=inspection.pk).exists()
    if not visible:
        raise NotFoundError(_("入企记录不存在。"))
    enterprise = inspection.enterprise
    require(actor, "inspections.rate", enterprise)
    own = _own_enterprise(actor)
    if own is None or own.pk != enterprise.pk:
        raise PermissionDeniedError(_("只有被检查企业的用户才能评价。"))
    if inspection.status != Inspection.Status.FINISHED:
        raise ValidationFailed(_("检查结束后才能评价。"), field="score")
    score = _score(score)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed(_("评价意见最多 %(n)s 个字。") % {"n": MAX_COMMENT}, field="comment")
    department_ids = list(
        inspection.department_links.order_by("department_id").values_list("department_id", flat=True)
    ) or [inspection.department_id]
    today = timezone.localdate()
    with transaction.atomic():
        try:
            with transaction.atomic():
                RatingReceipt.objects.create(digest=receipt_digest(enterprise, inspection))
        except IntegrityError as exc:
            raise ConflictError(_("该次检查已评价，每次检查只能评价一次"), code="already_rated") from exc
        Rating.objects.bulk_create([
            Rating(department_id=department_id, kind=inspection.kind, rated_on=today, score=score, comment=comment)
            for department_id in department_ids
        ])
        audit_record("inspection_rating.submit", actor=ANONYMOUS, object_type="inspections.rating")


# --- what the department sees: aggregates over ended months, at least k ratings --------------------


@dataclass(frozen=True)
class MonthFigure:
    """One calendar month of a department's ratings as the department may see it."""

    month: int
    ended: bool
    shown: bool  # ended and holding at least `min_count` ratings
    count: int | None  # None unless shown
    average: Decimal | None  # None unless shown


@dataclass(frozen=True)
class RatingSummary:
    department: Organisation
    year: int
    min_count: int
    months: list[MonthFigure]
    year_count: int | None  # over the shown months only; None when none is shown
    year_average: Decimal | None


def _average(total: int, count: int) -> Decimal:
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def publishable(count: int, total: int, *, min_count: int | None = None) -> tuple[int | None, Decimal | None]:
    """(count, average) of a department's ratings as its staff — or anything circulated to
    them, such as a printed 通报 — may see them: both None below the minimum count. Use it
    only for periods that have ended (a running period can be differenced)."""
    k = max(5, min_count if min_count is not None else InspectionPolicy.current().rating_min_count)
    if count < k:
        return None, None
    return count, _average(total, count)


def department_rating_summary(department: Organisation, *, year: int, today: dt.date | None = None) -> RatingSummary:
    """The department's ratings of `year` per ended calendar month: count and average where
    the month holds at least `rating_min_count` ratings, nothing otherwise (shown "—"); the
    current and later months never. The year's figure is over the shown months only."""
    today = today or timezone.localdate()
    min_count = max(5, InspectionPolicy.current().rating_min_count)
    first_open_month = dt.date(today.year, today.month, 1)
    rows = (
        Rating.objects.filter(department=department, rated_on__year=year, rated_on__lt=first_open_month)
        .annotate(m=ExtractMonth("rated_on"))
        .order_by()
        .values("m")
        .annotate(n=Count("id"), total=Sum("score"))
    )
    sums: dict[int, tuple[int, int]] = {}
    for row in rows:
        sums[int(row["m"])] = (int(row["n"]), int(row["total"] or 0))
    months: list[MonthFigure] = []
    shown_count = shown_total = 0
    for month in range(1, 13):
        ended = (year, month) < (today.year, today.month)
        count, total = sums.get(month, (0, 0))
        shown = ended and count >= min_count
        if shown:
            shown_count += count
            shown_total += total
        months.append(MonthFigure(
            month=month, ended=ended, shown=shown, count=count if shown else None,
            average=_average(total, count) if shown else None,
        ))
    return RatingSummary(
        department=department, year=year, min_count=min_count, months=months,
        year_count=shown_count or None, year_average=_average(shown_total, shown_count) if shown_count else None,
    )


# --- what the supervisor sees: every rating, never an enterprise ----------------------------------------


@dataclass(frozen=True)
class RatingFilters:
    department: int | None = None
    kind: str = ""
    score: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def ratings_for_supervisor(user: Any, filters: RatingFilters | None = None) -> QuerySet[Rating]:
    """Every rating a supervisor may read (a county supervisor: of its region's
    departments), newest day first; within a day in random order (the key is random)."""
    if not is_supervisor(user):
        return Rating.objects.none()
    qs = Rating.objects.select_related("department")
    if not is_citywide(user):
        qs = qs.filter(department__region_id=user.organisation.region_id)
    filters = filters or RatingFilters()
    if filters.department:
        qs = qs.filter(department_id=filters.department)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.score:
        qs = qs.filter(score=filters.score)
    if filters.date_from:
        qs = qs.filter(rated_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(rated_on__lte=filters.date_to)
    return qs.order_by("-rated_on", "id")
