"""Reads of the registry family: the coverage page's four lists (and their counts, which are
the same querysets counted), and the letters that wait for a signature."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from yancheng.core.models import Organisation, Region
from yancheng.core.models.visibility import is_citywide
from yancheng.core.typing import MaybeActor, organisation_of

from .models import (
    EnterpriseSystem,
    PostKind,
    ResponsibilityLetter,
    ResponsiblePerson,
    SafetySystem,
    SystemUnit,
)
from .permissions import is_safety_office

COUNTY_KINDS = ("district", "county", "county_city", "stat_zone")


def _office_region(user: MaybeActor | None) -> Region | None:
    """None for the city's 安委办 (citywide); the county's region for a county's."""
    if user is None or is_citywide(user):  # type: ignore[arg-type]
        return None
    return organisation_of(user).region  # type: ignore[arg-type]


def gaps_visible_to(user: MaybeActor | None, *, system: str = "", region: str = "") -> QuerySet[EnterpriseSystem]:
    """(a) Enterprises in an active system's scope that no department covers: no department
    named on the mapping and no unit of the system in the enterprise's region
    (``selectors.responsible_org_for`` is None). ``system``/``region``: a code each."""
    if not is_safety_office(user):
        return EnterpriseSystem.objects.none()
    unit = SystemUnit.objects.filter(system_id=OuterRef("system_id"), region_id=OuterRef("enterprise__region_id"))
    qs = EnterpriseSystem.objects.filter(
        system__is_active=True, enterprise__is_active=True, responsible_org__isnull=True,
    ).filter(~Exists(unit))
    own = _office_region(user)
    if own is not None:
        qs = qs.filter(enterprise__region_id=own.pk)
    if system:
        qs = qs.filter(system__code=system)
    if region:
        qs = qs.filter(enterprise__region__code=region)
    return qs.select_related("enterprise", "enterprise__region", "system").order_by(
        "system__code", "enterprise__region__code", "enterprise__name")


def gap_counts(user: MaybeActor | None) -> list[dict[str, object]]:
    """The gaps by system and region: ``system``, ``system_name``, ``region``, ``region_name``,
    ``count`` — each count is ``gaps_visible_to(user, system=, region=).count()``."""
    from django.db.models import Count

    rows = (
        gaps_visible_to(user).order_by().values("system__code", "system__name", "enterprise__region__code",
                                               "enterprise__region__name")
        .annotate(count=Count("pk")).order_by("system__code", "enterprise__region__code")
    )
    return [
        {"system": r["system__code"], "system_name": r["system__name"], "region": r["enterprise__region__code"],
         "region_name": r["enterprise__region__name"], "count": r["count"]}
        for r in rows
    ]


@dataclass(frozen=True)
class MissingUnit:
    system: SafetySystem
    region: Region


def regions_for(user: MaybeActor | None) -> list[Region]:
    """The city and its counties and districts (a county's 安委办: its own only)."""
    own = _office_region(user)
    if own is not None:
        return [own]
    return list(Region.objects.filter(Q(kind="city") | Q(kind__in=COUNTY_KINDS, parent__kind="city"))
                .order_by("code"))


def missing_units(user: MaybeActor | None, *, system: str = "") -> list[MissingUnit]:
    """(b) Active systems × regions with no unit answering for the system there."""
    if not is_safety_office(user):
        return []
    regions = regions_for(user)
    systems = SafetySystem.objects.active().order_by("code")
    if system:
        systems = systems.filter(code=system)
    have = set(SystemUnit.objects.filter(system__is_active=True).values_list("system_id", "region_id"))
    return [MissingUnit(s, r) for s in systems for r in regions if (s.pk, r.pk) not in have]


@dataclass(frozen=True)
class MissingPost:
    unit: SystemUnit
    post: str

    @property
    def post_label(self) -> str:
        return str(PostKind(self.post).label)


def missing_posts(user: MaybeActor | None, *, post: str = "") -> list[MissingPost]:
    """(c) Units (a system's department in a region) with no active responsible person of a
    post for the system in that region."""
    if not is_safety_office(user):
        return []
    units = SystemUnit.objects.filter(system__is_active=True).select_related("system", "region", "organisation")
    own = _office_region(user)
    if own is not None:
        units = units.filter(region_id=own.pk)
    have = set(ResponsiblePerson.objects.filter(is_active=True).values_list("system_id", "region_id", "post"))
    posts = [post] if post in PostKind.values else list(PostKind.values)
    return [
        MissingPost(unit, p)
        for unit in units.order_by("system__code", "region__code")
        for p in posts
        if (unit.system_id, unit.region_id, p) not in have
    ]


def letters_missing(user: MaybeActor | None, *, year: int | None = None) -> QuerySet[ResponsibilityLetter]:
    """(d) The year's letters issued and not signed, that ``user`` sees."""
    year = year or timezone.localdate().year
    return (
        ResponsibilityLetter.objects.visible_to(user)
        .filter(year=year, status=ResponsibilityLetter.Status.ISSUED)
        .select_related("unit", "unit__region", "issuer").order_by("unit__region__code", "unit__code")
    )


def own_letters_missing(user: MaybeActor | None) -> QuerySet[ResponsibilityLetter]:
    """A unit's own letters waiting for its signature (any year)."""
    unit_id = getattr(user, "organisation_id", None)
    if user is None or not unit_id:
        return ResponsibilityLetter.objects.none()
    return ResponsibilityLetter.objects.visible_to(user).filter(unit_id=unit_id, status=ResponsibilityLetter.Status.ISSUED)


def letter_units(user: MaybeActor | None) -> QuerySet[Organisation]:
    """The units a letter may be issued to by ``user``'s office: the departments, 乡镇 and
    parks of its region (the city office: everyone's)."""
    qs = Organisation.objects.filter(is_active=True, kind__in=["department", "government", "park", "utility"])
    own = _office_region(user)
    return qs.filter(region_id=own.pk) if own is not None else qs
