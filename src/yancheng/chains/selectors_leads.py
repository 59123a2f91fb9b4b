"""The leads' reads: the stale light in SQL, the one set of filters the list, its export, the
API and the to-dos share, the stale leads for the 链长 meeting's agenda and the conversion
figures (漏斗) for the dashboard and the monthly ranking.

The light of an open lead (接触, 洽谈, 签约 — including a converted lead whose project has not
broken ground yet) says whether it is being followed:

- red: its next-step date passed more than ``RED_STEP_DAYS`` (14) days ago, or no follow-up for
  ``RED_IDLE_DAYS`` (60) days or more;
- yellow: its next-step date has passed (before today), or no follow-up for ``YELLOW_IDLE_DAYS``
  (30) days or more;
- green otherwise.

A closed lead — 落地, 终止, or converted into a project that has broken ground (落地开工 or later)
— has no light (``none``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.utils import timezone

from yancheng.core.models import IndustryChain
from yancheng.core.typing import MaybeActor
from yancheng.projects.shared import LANDED_STAGES

from . import leads_workflow as flow
from .models import FillKind, Lead, LeadStage
from .permissions import leads_visible_to
from .selectors import GREEN, NONE, RED, YELLOW

YELLOW_IDLE_DAYS = 30
RED_IDLE_DAYS = 60
RED_STEP_DAYS = 14
STALE = (RED, YELLOW)
LEAD_FILTERS = ("stage", "light", "owner_org", "node", "fill_kind", "q", "chain")


def open_q() -> Q:
    """Leads still to be followed: an open stage, not converted into a project that landed."""
    return Q(stage__in=flow.OPEN) & ~Q(project__stage__in=LANDED_STAGES)


def annotate_lead_lights(qs: QuerySet[Lead], today: dt.date | None = None) -> QuerySet[Lead]:
    """Annotate ``light`` (red/yellow/green/none) by the rule above, in SQL (filterable)."""
    today = today or timezone.localdate()
    red = Q(next_step_on__lt=today - dt.timedelta(days=RED_STEP_DAYS)) | Q(
        last_activity_on__lte=today - dt.timedelta(days=RED_IDLE_DAYS))
    yellow = Q(next_step_on__lt=today) | Q(last_activity_on__lte=today - dt.timedelta(days=YELLOW_IDLE_DAYS))
    return qs.annotate(light=Case(
        When(~open_q(), then=Value(NONE)),
        When(red, then=Value(RED)),
        When(yellow, then=Value(YELLOW)),
        default=Value(GREEN),
        output_field=CharField(),
    ))


def lead_list(user: MaybeActor | None, chain: IndustryChain | None = None, *,
              today: dt.date | None = None) -> QuerySet[Lead]:
    """The leads the user reads (of one chain, or all), lit, with what a list row shows."""
    qs = leads_visible_to(user)
    if chain is not None:
        qs = qs.filter(chain=chain)
    qs = qs.select_related("chain", "node", "owner_org", "owner", "region", "project")
    return annotate_lead_lights(qs, today).order_by("-created_at", "-pk")


def lead_filters(qs: QuerySet[Lead], params: Mapping[str, Any]) -> QuerySet[Lead]:
    """The list's filters (``LEAD_FILTERS``): stage, light, owner_org (id), node (code),
    fill_kind, q (number, investor or project name) and chain (code), on a lit queryset."""
    def get(name: str) -> str:
        return str(params.get(name) or "").strip()

    if get("stage") in LeadStage.values:
        qs = qs.filter(stage=get("stage"))
    elif get("stage") == "open":
        qs = qs.filter(open_q())
    if get("light") in (RED, YELLOW, GREEN, NONE):
        qs = qs.filter(**{"light": get("light")})  # an annotation of annotate_lead_lights
    elif get("light") == "stale":
        qs = qs.filter(**{"light__in": STALE})
    if get("owner_org").isdigit():
        qs = qs.filter(owner_org_id=int(get("owner_org")))
    if get("node"):
        qs = qs.filter(node__code=get("node")[:32])
    if get("fill_kind") in FillKind.values:
        qs = qs.filter(fill_kind=get("fill_kind"))
    if get("chain"):
        qs = qs.filter(chain__code=get("chain")[:32])
    q = get("q")[:64]
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(investor__icontains=q) | Q(project_name__icontains=q))
    return qs


def counts_by(qs: QuerySet[Lead], field: str) -> dict[str, int]:
    """Counts of a (lit, filtered) list per stage or per light: the chips' numbers."""
    return {row[field]: row["n"] for row in qs.order_by().values(field).annotate(n=Count("pk"))}


def stale_leads(chain: IndustryChain, light: str = RED, *, today: dt.date | None = None) -> QuerySet[Lead]:
    """The chain's open leads with this light (red by default): the 链长 meeting's agenda."""
    qs = annotate_lead_lights(Lead.objects.filter(chain=chain), today).filter(**{"light": light})
    return qs.select_related("owner_org", "node").order_by("next_step_on", "last_activity_on", "pk")


@dataclass(frozen=True)
class Funnel:
    """A chain's (or chains') leads of a year (registered that year): how far they went."""

    total: int
    by_stage: dict[str, int]
    signed: int  # reached 签约 (signed that year), whatever happened next
    converted: int  # converted into a project
    landed: int

    @property
    def conversion_rate(self) -> float | None:
        """Converted ÷ registered, None without leads."""
        return self.converted / self.total if self.total else None


def lead_funnel(chains: Iterable[IndustryChain] | QuerySet[IndustryChain], year: int) -> Funnel:
    """Leads registered in ``year`` on ``chains``: per stage now, signed, converted, landed."""
    qs = Lead.objects.filter(chain__in=list(chains), created_at__year=year)
    figures = qs.aggregate(
        total=Count("pk"),
        signed=Count("pk", filter=Q(signed_on__isnull=False)),
        converted=Count("pk", filter=Q(project__isnull=False)),
        landed=Count("pk", filter=Q(stage=LeadStage.LANDED) | Q(project__stage__in=LANDED_STAGES)),
    )
    by_stage = {value: 0 for value in LeadStage.values}
    by_stage.update(counts_by(qs, "stage"))
    return Funnel(total=figures["total"], by_stage=by_stage, signed=figures["signed"],
                  converted=figures["converted"], landed=figures["landed"])
