"""Reads shared by the safety pages, the API, the exports and the dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db.models import Case as SqlCase
from django.db.models import CharField, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from yancheng.cases.models import Case, Light
from yancheng.core.models import Enterprise, Organisation, Region

from .models import (
    EnterpriseSystem,
    Hazard,
    HazardLevel,
    HazardSource,
    HazardStage,
    SafetySystem,
    SystemUnit,
)
from .models.hazards import OPEN_STAGES


def responsible_org_for(system: SafetySystem, *, enterprise: Enterprise | None = None,
                        region: Region | None = None) -> Organisation | None:
    """Who supervises ``enterprise`` (or a place in ``region``) under ``system``: the department
    named by hand on the enterprise's mapping, else the system's unit for the region, else
    None — a coverage gap."""
    if enterprise is not None:
        named = (
            EnterpriseSystem.objects.filter(enterprise_id=enterprise.pk, system_id=system.pk, responsible_org__isnull=False)
            .select_related("responsible_org").first()
        )
        if named is not None:
            return named.responsible_org
        region = enterprise.region
    if region is None:
        return None
    unit = SystemUnit.objects.filter(system_id=system.pk, region_id=region.pk).select_related("organisation").first()
    return unit.organisation if unit is not None else None


def supervising_org_for(system: SafetySystem, *, enterprise: Enterprise | None = None,
                        region: Region | None = None) -> Organisation:
    """Who receives a hazard: the responsible department, or — where nobody covers the
    enterprise or place (a gap the 安委办 sees) — the system's leading department."""
    return responsible_org_for(system, enterprise=enterprise, region=region) or system.leading_org


# --- a hazard's light: one rule for the list, the figures, the to-dos and the API ------------------

# A reported hazard turns yellow in the last hours of its one working day to be accepted.
ACCEPT_YELLOW = dt.timedelta(hours=8)


def annotate_hazard_lights(qs: QuerySet[Hazard], now: dt.datetime | None = None) -> QuerySet[Hazard]:
    """``light`` (a ``cases.models.Light`` value) in SQL: a reported hazard by its 受理 limit
    (``accept_due_at``), an accepted one by its rectification case's light — the engine's own
    rule (``Case.objects.with_lights``), read, never copied; a rejected one has none."""
    now = now or timezone.now()
    light_only = ["light"]  # an annotation the type checker's plugin cannot see
    case_light = Subquery(
        Case.objects.with_lights(now).filter(pk=OuterRef("case_id")).values(*light_only)[:1], output_field=CharField()
    )
    reported = Q(stage=HazardStage.REPORTED)
    light = SqlCase(
        When(reported & Q(accept_due_at__lte=now), then=Value(Light.RED.value)),
        When(reported & Q(accept_due_at__lte=now + ACCEPT_YELLOW), then=Value(Light.YELLOW.value)),
        When(reported, then=Value(Light.GREEN.value)),
        When(case__isnull=False, then=Coalesce(case_light, Value(Light.NONE.value))),
        default=Value(Light.NONE.value),
        output_field=CharField(),
    )
    return qs.annotate(light=light)


HAZARD_FILTERS = ("stage", "level", "system", "region", "enterprise", "org", "source", "repeat", "light",
                  "supervised", "month", "q", "open", "period")


def hazard_filters(qs: QuerySet[Hazard], params: Mapping[str, str]) -> QuerySet[Hazard]:
    """Narrow ``qs`` (already scoped to the user, lights annotated) by the list's query
    parameters — the same names the figures' drill-down links carry. Unknown values are ignored:
    a hand-edited link shows a wider list, never an error.

    stage, level, source: their values; system: a system's code; region: a region's code
    (its sub-regions included); enterprise, org (supervising department): ids; repeat=1;
    supervised=1 (挂牌督办); open=1 (not closed or rejected); light: a Light value;
    month=YYYY-MM (reported in that month); period=YYYY-MM, YYYY-Qn or YYYY (reported in that
    month, quarter or year: the statistics' links); q: number, title or enterprise name."""
    value = {name: (params.get(name) or "").strip() for name in HAZARD_FILTERS}
    if value["stage"] in HazardStage.values:
        qs = qs.filter(stage=value["stage"])
    if value["level"] in HazardLevel.values:
        qs = qs.filter(level=value["level"])
    if value["source"] in HazardSource.values:
        qs = qs.filter(source=value["source"])
    if value["system"]:
        qs = qs.filter(system__code=value["system"])
    if value["region"]:
        qs = qs.filter(region__code__startswith=_region_prefix(value["region"]))
    if value["enterprise"].isdigit():
        qs = qs.filter(enterprise_id=int(value["enterprise"]))
    if value["org"].isdigit():
        qs = qs.filter(supervising_org_id=int(value["org"]))
    if value["repeat"] == "1":
        qs = qs.filter(repeat_of__isnull=False)
    if value["supervised"] == "1":
        qs = qs.filter(supervised_at__isnull=False)
    if value["open"] == "1":
        qs = qs.filter(stage__in=OPEN_STAGES)
    if value["light"] in Light.values:
        qs = qs.filter(**{"light": value["light"]})  # the annotation of annotate_hazard_lights
    month = _month(value["month"])
    if month is not None:
        start, end = month
        qs = qs.filter(reported_at__gte=start, reported_at__lt=end)
    span = period_bounds(value["period"])
    if span is not None:
        qs = qs.filter(reported_at__gte=span[0], reported_at__lt=span[1])
    if value["q"]:
        q = value["q"][:64]
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(enterprise__name__icontains=q))
    return qs


def _region_prefix(code: str) -> str:
    """A region's code without its trailing zero pairs, so that a city or a county finds its
    sub-regions too (430400 → 4304, 430426 → 430426)."""
    code = code[:12]
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def _month(text: str) -> tuple[dt.datetime, dt.datetime] | None:
    """``YYYY-MM`` as the month's start and the next month's start, local time; else None."""
    try:
        year, month = (int(part) for part in text.split("-"))
        start = dt.date(year, month, 1)
    except ValueError:
        return None
    end = dt.date(year + (month == 12), month % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(start, dt.time(), tz), dt.datetime.combine(end, dt.time(), tz)


def annotate_responsible_org(qs: QuerySet[EnterpriseSystem]) -> QuerySet[EnterpriseSystem]:
    """``responsible_org_for`` in SQL over many mappings: ``resolved_org`` is the department
    named on the mapping, else the system's unit for the enterprise's region, else NULL."""
    unit = SystemUnit.objects.filter(system_id=OuterRef("system_id"), region_id=OuterRef("enterprise__region_id"))
    return qs.annotate(resolved_org=Coalesce(
        "responsible_org_id", Subquery(unit.values("organisation_id")[:1]), output_field=IntegerField()
    ))


def period_bounds(text: str) -> tuple[dt.datetime, dt.datetime] | None:
    """``YYYY-MM``, ``YYYY-Qn`` or ``YYYY`` as the period's start and the next period's start,
    local time; else None."""
    text = (text or "").strip().upper()
    try:
        if len(text) == 4:
            year, first, months = int(text), 1, 12
        elif len(text) == 7 and text[5] == "Q":
            year, quarter = int(text[:4]), int(text[6])
            if not 1 <= quarter <= 4:
                return None
            first, months = (quarter - 1) * 3 + 1, 3
        else:
            month = _month(text)
            return month
        start = dt.date(year, first, 1)
    except ValueError:
        return None
    end_month = first + months
    end = dt.date(year + (end_month > 12), (end_month - 1) % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(start, dt.time(), tz), dt.datetime.combine(end, dt.time(), tz)
