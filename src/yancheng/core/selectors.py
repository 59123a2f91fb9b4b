"""Reads of core data that views, the API and exports share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from yancheng.core.typing import Actor

from .crypto import digest_for, looks_like_phone
from .models import Enterprise, EnterpriseContact, Organisation

ENTERPRISE_SORTS = {
    "name": "name",
    "-name": "-name",
    "uscc": "uscc",
    "region": "region__code",
    "grade": "grade",
    "-grade": "-grade",
    "-updated": "-updated_at",
}


@dataclass(frozen=True)
class EnterpriseFilters:
    q: str = ""
    region: str = ""
    park: str = ""
    grade: str = ""
    chain: str = ""
    srdi: str = ""
    four_above: str = ""
    sort: str = "name"

    @classmethod
    def from_params(cls, params: Any) -> EnterpriseFilters:
        return cls(**{f: str(params.get(f, "") or "").strip()[:64] for f in cls.__dataclass_fields__})


def enterprise_list(user: Actor, filters: EnterpriseFilters) -> QuerySet[Enterprise]:
    qs = Enterprise.objects.visible_to(user).select_related("region", "park")
    if filters.q:
        match = Q(name__icontains=filters.q) | Q(uscc__icontains=filters.q.upper())
        if looks_like_phone(filters.q):  # a contact's phone, through the blind index
            digest = digest_for(EnterpriseContact, "phone", filters.q)
            match |= Q(pk__in=EnterpriseContact.objects.filter(phone_digest=digest).values("enterprise_id"))
        qs = qs.filter(match)
    if filters.region:
        qs = qs.filter(region__code=filters.region)
    if filters.park.isdigit():
        qs = qs.filter(park_id=int(filters.park))
    if filters.grade in Enterprise.Grade.values:
        qs = qs.filter(grade=filters.grade)
    if filters.chain:
        qs = qs.filter(chains__code=filters.chain)
    if filters.srdi == "any":
        qs = qs.exclude(srdi_tier="")
    elif filters.srdi in Enterprise.SrdiTier.values:
        qs = qs.filter(srdi_tier=filters.srdi)
    if filters.four_above == "1":
        qs = qs.filter(
            Q(is_above_scale_industry=True)
            | Q(is_above_quota_trade=True)
            | Q(is_qualified_construction=True)
            | Q(is_above_scale_service=True)
        )
    order = ENTERPRISE_SORTS.get(filters.sort, "name")
    return qs.order_by(order, "pk").distinct() if filters.chain else qs.order_by(order, "pk")


def get_contact_for(user: Actor, enterprise_pk: Any, contact_pk: Any) -> EnterpriseContact:
    """A contact of an enterprise the user may see (else 404)."""
    enterprise = get_enterprise_for(user, enterprise_pk)
    try:
        return EnterpriseContact.objects.select_related("enterprise").get(pk=int(contact_pk), enterprise=enterprise)
    except (EnterpriseContact.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_enterprise_for(user: Actor, pk: Any, *, write: bool = False) -> Enterprise:
    """The enterprise if `user` may see it (else 404, so existence is not leaked); with
    ``write`` also 403 unless the user may change it."""
    try:
        enterprise = (
            Enterprise.objects.visible_to(user).select_related("region", "park", "organisation").get(pk=int(pk))
        )
    except (Enterprise.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if write and not rules.has_perm("core.change_enterprise_contacts", user, enterprise):
        raise PermissionDenied
    return enterprise


def get_organisation_for(user: Actor, pk: Any) -> Organisation:
    try:
        return Organisation.objects.visible_to(user).select_related("region", "parent").get(pk=int(pk))
    except (Organisation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def organisation_tree(user: Actor, region_code: str = "") -> list[Organisation]:
    """Visible government organisations in tree order (by materialised path), enterprises left out."""
    qs = Organisation.objects.visible_to(user).exclude(kind=Organisation.Kind.ENTERPRISE).select_related("region")
    if region_code:
        qs = qs.filter(region__code=region_code)
    return list(qs.order_by("path"))
