"""Reads of petitions: the list's filters and lights, and the hotspot counts (溯源, 第十三条
信访信息分析研判). Every read starts from ``Petition.objects.visible_to(user)``, so a
检举控告 withheld from the user's organisation is neither listed nor counted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.http import urlencode

from yancheng.cases.models import Case, Light
from yancheng.core.typing import MaybeActor

from .models import Petition, Stage

# The last third of the 15日 转送交办 limit is its yellow light, as the case engine's default.
TRANSFER_YELLOW = dt.timedelta(days=5)
FLAGS = ("duplicate", "after_final", "urgent", "group")
UNCLASSIFIED = "unclassified"  # the list's type for a matter not yet classified ("none" too)
REGION_CODE_MIN = 6  # a region named by its GB/T 2260 code (6 or 12 digits), not its id
PERIODS = ("month", "quarter", "year")
DIMENSIONS = ("region", "topic", "respondent", "channel")


@dataclass(frozen=True)
class PetitionFilters:
    """The list's filters, as the query string carries them (ids and codes, never text but ``q``)."""

    stage: str = ""
    type: str = ""
    channel: str = ""
    topic: str = ""
    region: str = ""
    organ: str = ""  # the handling organ's id
    respondent: str = ""  # the respondent organ's id
    flag: str = ""
    light: str = ""
    since: str = ""  # registered on or after (YYYY-MM-DD)
    until: str = ""  # registered on or before
    q: str = ""
    todo: str = ""  # a workbench to-do's key: the list shows exactly what it counts

    @classmethod
    def from_params(cls, params: Any) -> PetitionFilters:
        return cls(**{name: str(params.get(name, "") or "").strip()[:64] for name in cls.__dataclass_fields__})

    def query(self, **changes: str) -> str:
        """The query string of these filters (with ``changes``), empty values left out."""
        values = {**asdict(self), **changes}
        return urlencode({k: v for k, v in values.items() if v})

    def without_q(self) -> dict[str, str]:
        """The filters fit for an audit record (``q`` is free text)."""
        return {k: v for k, v in asdict(self).items() if v and k != "q"}


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def annotate_lights(qs: QuerySet[Petition], now: dt.datetime | None = None) -> QuerySet[Petition]:
    """``light`` (a ``cases.models.Light`` value) in SQL, filterable and countable: a matter
    waiting to be transferred by its 15日 转送交办 clock, one in 复查/复核 by its review's case,
    any other with a case by that case's light — the engine's own rule (``Case.with_lights``),
    read, never copied. The list, the dashboard, the to-dos and the API share it."""
    now = now or timezone.now()
    lit = Case.objects.with_lights(now)
    # ``light`` is an annotation the type checker's plugin cannot see: named through a list.
    light_only = ["light"]
    case_light = Subquery(lit.filter(pk=OuterRef("case_id")).values(*light_only)[:1], output_field=CharField())
    review_light = Subquery(
        lit.filter(petition_review__petition_id=OuterRef("pk")).order_by("-pk").values(*light_only)[:1],
        output_field=CharField(),
    )
    registered = Q(stage=Stage.REGISTERED, transfer_due_at__isnull=False)
    light = SqlCase(
        When(registered & Q(transfer_due_at__lte=now), then=Value(Light.RED.value)),
        When(registered & Q(transfer_due_at__lte=now + TRANSFER_YELLOW), then=Value(Light.YELLOW.value)),
        When(registered, then=Value(Light.GREEN.value)),
        When(stage__in=(Stage.REVIEWING, Stage.RECHECKING),
             then=Coalesce(review_light, case_light, Value(Light.NONE.value))),
        When(case__isnull=False, then=Coalesce(case_light, Value(Light.NONE.value))),
        default=Value(Light.NONE.value),
        output_field=CharField(),
    )
    return qs.annotate(light=light)


def _q_filter(q: str) -> Q:
    return Q(number__icontains=q) | Q(title__icontains=q)


def apply_filters(qs: QuerySet[Petition], filters: PetitionFilters) -> QuerySet[Petition]:
    """Narrow ``qs`` (already scoped to the user) by the list's filters; unknown values are ignored."""
    simple = {"stage": "stage", "type": "petition_type", "channel": "channel", "light": "light"}
    for name, column in simple.items():
        value = getattr(filters, name)
        if value:
            unclassified = name == "type" and value in ("none", UNCLASSIFIED)
            qs = qs.filter(**{column: "" if unclassified else value})
    for name, column in {"topic": "topic_id", "region": "region_id", "organ": "handling_org_id",
                         "respondent": "respondent_org_id"}.items():
        value = getattr(filters, name)
        if name == "region" and len(value) >= REGION_CODE_MIN:
            qs = qs.filter(region__code=value)  # the dashboard's links name regions by their code
        elif value.isdigit():
            qs = qs.filter(**{column: int(value)})
    if filters.flag == "duplicate":
        qs = qs.filter(duplicate_of__isnull=False)
    elif filters.flag == "after_final":
        qs = qs.filter(after_final=True)
    elif filters.flag == "urgent":
        qs = qs.filter(is_urgent=True)
    elif filters.flag == "group":
        qs = qs.filter(is_group=True)
    since, until = _day(filters.since), _day(filters.until)
    if since:
        qs = qs.filter(registered_at__gte=day_start(since))
    if until:
        qs = qs.filter(registered_at__lt=day_start(until + dt.timedelta(days=1)))
    if filters.q:
        qs = qs.filter(_q_filter(filters.q))
    return qs


def petition_list(user: MaybeActor, filters: PetitionFilters, now: dt.datetime | None = None) -> QuerySet[Petition]:
    """The matters the user may see, filtered, with their light; newest first. Under
    ``todo=<key>`` the matters of that to-do (``selectors_todos.todo_queryset``, the query
    the workbench counts with), an unknown key none."""
    if filters.todo and user is not None and user.is_authenticated:
        from .selectors_todos import todo_queryset  # it reads the lights from here

        base = todo_queryset(user, filters.todo, now)
    else:
        base = Petition.objects.visible_to(user)
    qs = annotate_lights(base, now)
    return apply_filters(qs, filters).select_related("topic", "region", "handling_org", "respondent_org")


# --- hotspots ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str
    first: dt.date
    last: dt.date

    def months(self) -> Iterator[tuple[dt.date, dt.date]]:
        """(first day, last day) of each month in the period."""
        day = self.first
        while day <= self.last:
            following = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
            yield day, min(following - dt.timedelta(days=1), self.last)
            day = following


def period_of(kind: str, anchor: dt.date) -> Period:
    """The month, quarter or year that holds ``anchor``."""
    if kind == "year":
        return Period(kind, dt.date(anchor.year, 1, 1), dt.date(anchor.year, 12, 31))
    first_month = anchor.month if kind == "month" else (anchor.month - 1) // 3 * 3 + 1
    first = dt.date(anchor.year, first_month, 1)
    months = 1 if kind == "month" else 3
    end_month = first_month + months
    following = dt.date(anchor.year + (end_month > 12), (end_month - 1) % 12 + 1, 1)
    return Period(kind if kind in PERIODS else "month", first, following - dt.timedelta(days=1))


def in_period(qs: QuerySet[Petition], first: dt.date, last: dt.date) -> QuerySet[Petition]:
    return qs.filter(registered_at__gte=day_start(first), registered_at__lt=day_start(last + dt.timedelta(days=1)))


@dataclass(frozen=True)
class Tally:
    key: str  # the filter value (an id or a code)
    label: str
    count: int


DIMENSION_COLUMNS = {
    "region": ("region_id", "region__name"),
    "topic": ("topic_id", "topic__name"),
    "respondent": ("respondent_org_id", "respondent_org__name"),
    "channel": ("channel", "channel"),
}


def counts_by(qs: QuerySet[Petition], dimension: str) -> list[Tally]:
    """How many matters fall under each value of ``dimension``, most first (no content read:
    a 检举控告 counts as one, by its organ and area only)."""
    key, label = DIMENSION_COLUMNS[dimension]
    rows = qs.order_by().exclude(**{f"{key}__isnull": True}).values(key, label).annotate(n=Count("pk", distinct=True))
    labels = dict(Petition._meta.get_field("channel").choices or []) if dimension == "channel" else {}
    counted = [Tally(str(row[key]), str(labels.get(row[label], row[label])), row["n"]) for row in rows]
    return sorted(counted, key=lambda c: (-c.count, c.label))


def topic_labels() -> dict[str, str]:
    from .models import Topic

    return {str(t.pk): str(t) for t in Topic.objects.all()}


def case_home_url(case: Case) -> str | None:
    """The page of the matter a handling or review case belongs to (``subject_ref``
    "petition:<id>", or found through the links)."""
    from django.urls import reverse

    ref = case.subject_ref or ""
    pk: int | None = int(ref.split(":", 1)[1]) if ref.startswith("petition:") and ref[9:].isdigit() else None
    if pk is None:
        pk = (Petition.objects.filter(case_id=case.pk).values_list("pk", flat=True).first()
              or Petition.objects.filter(reviews__case_id=case.pk).values_list("pk", flat=True).first())
    return reverse("petitions:petition_detail", args=[pk]) if pk else None
