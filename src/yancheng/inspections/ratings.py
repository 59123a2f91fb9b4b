"""Anonymous ratings of visits (SPEC §4 "Anonymity"; security-checklist §0.3 and §7
"Anonymous inspection rating"; 龙华: "企业评价信息全程匿名处理，相关执法部门不可见、不可溯").

The guarantee, and where each part of it lives (ARCHITECTURE.md "How ratings stay
anonymous" says who could still learn what):

- **Who may rate is stored apart from what was rated.** `RatingReceipt` holds only a keyed
  digest of (enterprise, inspection) — `receipt_digest` — so "has this enterprise rated this
  visit?" can be answered, and a second rating refused, without any row naming either.
- **No URL names the visit.** The enterprise rates on one fixed page (and one fixed API
  path); the visit travels in the POST body as `rating_ref`, a keyed value that only the
  enterprise's own visits resolve (`visit_for_rating_ref`). The views mark it sensitive and
  the functions that hold a visit here are `sensitive_variables`, so an error report prints
  neither the reference nor the visit.
- **A rating names nobody.** `PendingRating` / `Rating` carry the department rated, the kind
  of visit, the day (a date, never a time), the score and the comment. A joint visit gives
  one row per participating department.
- **No table keeps the order of arrival.** A submitted rating waits in `PendingRating`; the
  daily job `ratings_batch_move` moves every ended day's pending ratings into `Rating` in a
  shuffled order with fresh random keys and deletes the pending rows, in one transaction.
- **The audit trail learns of ratings per department and day.** Submitting writes no audit
  record (one at that moment would sit next to the enterprise's login); the batch writes one
  anonymous record per department and day: "N ratings received", a day and no time.
- **No notification.** Nobody is told that a rating arrived.
- **Departments see aggregates only**, through `department_rating_summary`: per *ended*
  calendar month, and only when the month holds at least `InspectionPolicy.rating_min_count`
  (≥ 5) ratings. The year's figure adds up only the months that are shown. Only batched
  ratings count (a rating shows the day after it was given).
- **Supervisors read single ratings by month** (`supervisor_rating_months`): per department
  and ended month, score and comment only (no day, no kind), and only for department-months
  with at least 5 ratings; other months show "fewer than 5".

Nothing here may be shown to a department's staff except `department_rating_summary`;
`has_rated`, `rateable_visits` and `rating_ref` are for the enterprise's own pages only.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import rules
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractMonth, TruncMonth
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from django_tasks import task

from yancheng.core.audit.services import ANONYMOUS, AuditEntry, audit_record_many
from yancheng.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.models import Enterprise, Organisation
from yancheng.core.models.visibility import is_citywide
from yancheng.core.typing import Actor, organisation_of

from .models import Inspection, InspectionPolicy, PendingRating, Rating, RatingReceipt
from .permissions import is_supervisor

# The salt keeps receipt digests apart from every other use of the secret key. A deployment
# that rotates SECRET_KEY should set YANCHENG_RATING_RECEIPT_KEY (never rotated): with a new
# key, old receipts no longer match and visits already rated could be rated again.
RECEIPT_SALT = "yancheng.inspections.rating-receipt.v1"
# Another salt for the reference the enterprise's page posts: it must not equal the stored
# receipt digest, or whoever saw a request body could find its receipt row.
REF_SALT = "yancheng.inspections.rating-ref.v1"
REF_LENGTH = 40
MAX_COMMENT = 500
# The audit action of the daily batch: one record per department and day.
BATCH_ACTION = "inspection_rating.received"

logger = logging.getLogger(__name__)


@sensitive_variables()
def receipt_digest(enterprise: Enterprise, inspection: Inspection) -> str:
    """The keyed digest (HMAC-SHA256 over the secret key) that records "this enterprise has
    rated this visit". Without the key it cannot be computed, so it names neither."""
    secret = getattr(settings, "YANCHENG_RATING_RECEIPT_KEY", "") or None
    value = f"enterprise:{enterprise.pk}|inspection:{inspection.pk}"
    return salted_hmac(RECEIPT_SALT, value, secret=secret, algorithm="sha256").hexdigest()


@sensitive_variables()
def _ref(enterprise_id: int, inspection_id: int) -> str:
    value = f"enterprise:{enterprise_id}|inspection:{inspection_id}"
    return salted_hmac(REF_SALT, value, algorithm="sha256").hexdigest()[:REF_LENGTH]


@sensitive_variables()
def rating_ref(enterprise: Enterprise, inspection: Inspection) -> str:
    """The opaque value the enterprise's rating form posts instead of the visit's id: keyed
    (HMAC over SECRET_KEY), so it names no visit, and resolved only among the poster's own
    visits (`visit_for_rating_ref`). Never put it in a URL."""
    return _ref(enterprise.pk, inspection.pk)


@sensitive_variables()
def has_rated(enterprise: Enterprise, inspection: Inspection) -> bool:
    """Whether the enterprise has rated the visit — for the enterprise's own pages only."""
    return RatingReceipt.objects.filter(digest=receipt_digest(enterprise, inspection)).exists()


@sensitive_variables()
def rated_visit_ids(enterprise: Enterprise, visits: list[Inspection]) -> set[int]:
    """Which of these visits the enterprise has rated, in one query — for its own pages only."""
    digests = {receipt_digest(enterprise, v): v.pk for v in visits}
    found = RatingReceipt.objects.filter(digest__in=list(digests)).values_list("digest", flat=True)
    return {digests[d] for d in found}


def _own_enterprise(actor: Actor | None) -> Enterprise | None:
    org_id = getattr(actor, "organisation_id", None)
    if org_id is None:
        return None
    return Enterprise.objects.filter(organisation_id=org_id).first()


@sensitive_variables()
def _rating_enterprise(actor: Actor | None) -> Enterprise:
    """The actor's enterprise when the actor may rate its visits; else PermissionDeniedError."""
    enterprise = _own_enterprise(actor) if actor is not None else None
    if enterprise is None or getattr(actor, "role", None) != "enterprise" or not rules.has_perm(
        "inspections.rate", actor, enterprise
    ):
        raise PermissionDeniedError(_("只有被检查企业的用户才能评价。"))
    return enterprise


@sensitive_variables()
def rateable_visits(actor: Actor) -> list[tuple[Inspection, str]]:
    """The actor's enterprise's finished visits it has not rated yet, newest first, each
    with the `rating_ref` its form posts — for the enterprise's own rating page and API."""
    enterprise = _rating_enterprise(actor)
    visits = list(
        Inspection.objects.visible_to(actor)
        .filter(enterprise=enterprise, status=Inspection.Status.FINISHED)
        .select_related("department")
        .prefetch_related("departments")
        .order_by("-started_at", "-pk")
    )
    rated = rated_visit_ids(enterprise, visits)
    return [(v, rating_ref(enterprise, v)) for v in visits if v.pk not in rated]


@sensitive_variables()
def visit_for_rating_ref(actor: Actor, ref: Any) -> Inspection:
    """The visit of the actor's own enterprise that `ref` stands for. A reference that is
    missing or malformed is bad input (ValidationFailed); one that none of the actor's own
    visits produces — another enterprise's, a stale or a forged one — is NotFoundError."""
    enterprise = _rating_enterprise(actor)
    ref = ref.strip().lower() if isinstance(ref, str) else ""
    if len(ref) != REF_LENGTH or any(c not in "0123456789abcdef" for c in ref):
        raise ValidationFailed(_("评价对象无效，请从评价页面重新选择要评价的入企记录。"), field="ref")
    ids = Inspection.objects.visible_to(actor).filter(enterprise=enterprise).values_list("pk", flat=True)
    found = None
    for pk in ids:  # every visit compared, in constant time each: an enterprise has few
        if constant_time_compare(_ref(enterprise.pk, pk), ref):
            found = pk
    if found is None:
        raise NotFoundError(_("找不到要评价的入企记录，请刷新评价页面后重试。"))
    return Inspection.objects.get(pk=found)


def _score(value: Any) -> int:
    try:
        score = int(value)
    except (TypeError, ValueError):
        score = 0
    if isinstance(value, bool) or not 1 <= score <= 5:
        raise ValidationFailed(_("评分须为 1 到 5 之间的整数。"), field="score")
    return score


@sensitive_variables()
def rating_submit(inspection: Inspection, *, actor: Actor | None, score: int, comment: str = "") -> None:
    """An enterprise user rates a finished visit of their enterprise (1–5 and a comment).

    One transaction inserts the receipt (its primary key is the digest: a second rating of
    the same visit collides and is refused) and one anonymous `PendingRating` per
    participating department. No audit record is written now and nobody is notified: the
    daily batch (`ratings_batch_move`) moves the day's ratings into `Rating` and records
    them per department and day. Returns nothing: there is nothing the caller should keep."""
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
        PendingRating.objects.bulk_create([
            PendingRating(department_id=department_id, kind=inspection.kind, rated_on=today, score=score,
                          comment=comment)
            for department_id in department_ids
        ])


@sensitive_variables()
def rating_submit_by_ref(ref: str, *, actor: Actor, score: int, comment: str = "") -> None:
    """`rating_submit` for the visit behind a `rating_ref` (the enterprise's page and API)."""
    rating_submit(visit_for_rating_ref(actor, ref), actor=actor, score=score, comment=comment)


# --- the daily batch: pending ratings into the rating table, shuffled -----------------------------------


_DELETE_CHUNK = 500


def ratings_batch_move(*, today: dt.date | None = None) -> int:
    """Move the pending ratings of every day before `today` (default: the local date) into
    `Rating`, and return how many were moved.

    In one transaction: the pending rows are locked and read, shuffled (a CSPRNG), inserted
    in that shuffled order with fresh random keys (so neither SQLite's rowid nor PostgreSQL's
    heap order follows their arrival, and no key links a rating to its pending row), the
    pending rows deleted (on SQLite with ``secure_delete``, so their bytes are overwritten),
    and one anonymous audit record written per department and day ("N ratings received"),
    in department and day order. A day is moved only once it has ended, so each day is one
    batch; a rating given just before midnight and committed after a run goes with the next."""
    today = today or timezone.localdate()
    shuffle = random.SystemRandom().shuffle
    with transaction.atomic():
        pending = list(PendingRating.objects.select_for_update().filter(rated_on__lt=today).order_by())
        if not pending:
            return 0
        shuffle(pending)
        Rating.objects.bulk_create([
            Rating(id=uuid.uuid4(), department_id=p.department_id, kind=p.kind, rated_on=p.rated_on,
                   score=p.score, comment=p.comment)
            for p in pending
        ], batch_size=500)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA secure_delete = ON")
        keys = [p.pk for p in pending]
        for offset in range(0, len(keys), _DELETE_CHUNK):
            PendingRating.objects.filter(pk__in=keys[offset:offset + _DELETE_CHUNK]).delete()
        counts = Counter((p.department_id, p.rated_on) for p in pending)
        names = dict(Organisation.objects.filter(pk__in={d for d, _day in counts}).values_list("pk", "name"))
        audit_record_many([
            AuditEntry(
                action=BATCH_ACTION, object_type="inspections.rating", object_id=str(department_id),
                object_repr=f"{names.get(department_id, department_id)} · {day.isoformat()} · {n}",
                after={"department": department_id, "day": day.isoformat(), "count": n},
            )
            for (department_id, day), n in sorted(counts.items())
        ], actor=ANONYMOUS)
    return len(pending)


@task()
def ratings_batch_task() -> int:
    """The periodic run of `ratings_batch_move` (hourly, so a day's batch follows its end
    within the hour). On PostgreSQL a VACUUM of the pending table follows, outside the
    transaction, so the deleted rows' space is reclaimed soon rather than at autovacuum's
    leisure (ARCHITECTURE.md says what it does not promise)."""
    moved = ratings_batch_move()
    if moved and connection.vendor == "postgresql" and not connection.in_atomic_block:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM {connection.ops.quote_name(PendingRating._meta.db_table)}")
        except DatabaseError:  # not the table's owner, say: autovacuum will do it
            logger.warning("VACUUM of the pending ratings table failed", exc_info=True)
    return moved


def register_jobs() -> None:
    """Register the ratings batch (call from the app's ready())."""
    from yancheng.core.jobs import register_periodic

    register_periodic("inspections.ratings_batch", every=dt.timedelta(hours=1), task=ratings_batch_task)


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


# --- what the supervisor sees: single ratings by department and ended month, at least k -------------------


def min_count() -> int:
    """The least number of ratings any figure or list may rest on (never below 5)."""
    return max(5, InspectionPolicy.current().rating_min_count)


def month_start(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, 1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


@dataclass(frozen=True)
class RatingLine:
    """One rating as a supervisor reads it: no day, no kind, no key."""

    score: int
    comment: str


@dataclass(frozen=True)
class DepartmentMonth:
    """A department's ratings of one ended month as a supervisor may read them: the count and
    the ratings when there are at least `min_count`, else nothing but "fewer than k"."""

    department: Organisation
    month: dt.date  # its first day
    min_count: int
    shown: bool
    count: int | None  # None unless shown
    average: Decimal | None
    lines: list[RatingLine] = field(default_factory=list)


def supervisor_departments(user: Actor) -> QuerySet[Organisation]:
    """The departments whose ratings the supervisor may read (a county supervisor: its
    region's), by name."""
    qs = Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT)
    if not is_citywide(user):
        qs = qs.filter(region_id=organisation_of(user).region_id)
    return qs.order_by("path", "name")


def supervisor_rating_months(
    user: Actor, *, month: dt.date, department: int | None = None, today: dt.date | None = None
) -> list[DepartmentMonth]:
    """Every department the supervisor may read (or the one asked for) for one calendar
    month that has ended: where the department-month holds at least `min_count` ratings,
    their scores and comments, highest score first and otherwise in the rating table's
    random key order; elsewhere nothing. A running month gives an empty list (read day after
    day it would date each new rating), and so does a non-supervisor."""
    if not is_supervisor(user):
        return []
    today = today or timezone.localdate()
    month = month_start(month)
    if next_month(month) > month_start(today):
        return []
    k = min_count()
    department_qs = supervisor_departments(user)
    if department:
        department_qs = department_qs.filter(pk=department)
    departments = list(department_qs)
    by_department: dict[int, list[Rating]] = {}
    counts = dict(
        Rating.objects.filter(department__in=departments, rated_on__gte=month, rated_on__lt=next_month(month))
        .values("department_id").annotate(n=Count("id")).order_by().values_list("department_id", "n")
    )
    shown_ids = [pk for pk, n in counts.items() if n >= k]
    for rating in Rating.objects.filter(
        department_id__in=shown_ids, rated_on__gte=month, rated_on__lt=next_month(month)
    ).order_by("-score", "id").only("department_id", "score", "comment"):
        by_department.setdefault(rating.department_id, []).append(rating)
    out: list[DepartmentMonth] = []
    for org in departments:
        rows = by_department.get(org.pk, [])
        shown = bool(rows)
        out.append(DepartmentMonth(
            department=org, month=month, min_count=k, shown=shown,
            count=len(rows) if shown else None,
            average=_average(sum(r.score for r in rows), len(rows)) if shown else None,
            lines=[RatingLine(score=r.score, comment=r.comment) for r in rows],
        ))
    return out


def monthly_figures(start: dt.date, end: dt.date, *, today: dt.date | None = None) -> dict[int, tuple[int, int]]:
    """(count, sum of scores) per department over the calendar months that lie wholly within
    [start, end] and have ended, adding only the department-months that hold at least
    `min_count` ratings — what a dashboard may show without dating or isolating a rating
    (a shorter period, or a month below the minimum, could be differenced)."""
    today = today or timezone.localdate()
    first = start if start.day == 1 else next_month(start)
    after_end = end + dt.timedelta(days=1)
    limit = min(after_end if after_end.day == 1 else month_start(end), month_start(today))
    if first >= limit:
        return {}
    k = min_count()
    out: dict[int, tuple[int, int]] = {}
    rows = (
        Rating.objects.filter(rated_on__gte=first, rated_on__lt=limit)
        .annotate(m=TruncMonth("rated_on")).values("department_id", "m")
        .annotate(n=Count("id"), total=Sum("score")).order_by()
    )
    for row in rows:
        n = int(row["n"])
        if n < k:
            continue
        count, total = out.get(row["department_id"], (0, 0))
        out[row["department_id"]] = (count + n, total + int(row["total"] or 0))
    return out


def pending_count() -> int:
    """How many ratings wait for the next batch (for operators; says nothing of whom)."""
    return PendingRating.objects.count()


__all__ = [
    "DepartmentMonth",
    "RatingLine",
    "department_rating_summary",
    "has_rated",
    "monthly_figures",
    "rateable_visits",
    "rated_visit_ids",
    "rating_ref",
    "rating_submit",
    "rating_submit_by_ref",
    "ratings_batch_move",
    "ratings_batch_task",
    "receipt_digest",
    "register_jobs",
    "supervisor_rating_months",
    "visit_for_rating_ref",
]
