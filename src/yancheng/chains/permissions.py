"""Who sees which chain and who may do what (deny by default).

- 链办 (``Role.CHAIN_OFFICE``): maintains everything of the chains its organisation runs
  (``ChainProfile.office``) or it is named staff of. A city-level chain office (the
  产业链推进办公室 that co-ordinates them all) reads every chain but edits only its own.
- 链长 (``ChainProfile.leader`` and the deputies, city leaders): read their chains, decide,
  hold meetings. Other leaders read every chain (city leaders) or none (a county's).
- Departments (staff of a backing unit, 后盾单位, or the owner unit of a lead): read the chains
  they back or own leads of; update the leads they own.
- Supervisors (督查室) citywide: read every chain.
- Enterprise staff: never the chain pages; their own placements and research matches only
  (``placements_visible_to``, ``matches_visible_to``).
"""

from __future__ import annotations

from typing import Any, TypeGuard

import rules
from django.db.models import Q, QuerySet

from yancheng.core.models import IndustryChain, Role
from yancheng.core.models.visibility import is_citywide
from yancheng.core.typing import Actor, MaybeActor, organisation_of

from .models import ChainProfile, Lead, Placement, ResearchMatch

STAFF_ROLES = frozenset({Role.HANDLER, Role.DISPATCHER, Role.INSPECTOR, Role.SAFETY, Role.PETITION})


def _active(user: MaybeActor | None) -> TypeGuard[Actor]:
    return bool(user is not None and user.is_authenticated and user.is_active and user.organisation_id)


def _profile(chain: IndustryChain | ChainProfile | Any) -> ChainProfile | None:
    if isinstance(chain, ChainProfile):
        return chain
    if isinstance(chain, IndustryChain):
        return ChainProfile.objects.filter(chain=chain).first()
    return None


def is_chain_office(user: MaybeActor | None) -> bool:
    return _active(user) and user.role == Role.CHAIN_OFFICE


def runs_chain(user: MaybeActor | None, chain: IndustryChain | ChainProfile) -> bool:
    """The user's 链办 runs this chain: their organisation is its office, or they are named staff."""
    if not is_chain_office(user):
        return False
    profile = _profile(chain)
    if profile is None:
        return False
    return profile.office_id == user.organisation_id or profile.staff.filter(pk=user.pk).exists()  # type: ignore[union-attr,misc]


def leads_chain(user: MaybeActor | None, chain: IndustryChain | ChainProfile) -> bool:
    """The user is the chain's 链长 or a deputy 链长."""
    if not _active(user) or user.role != Role.LEADER:
        return False
    profile = _profile(chain)
    if profile is None:
        return False
    return profile.leader_id == user.pk or profile.deputy_leaders.filter(pk=user.pk).exists()


def chains_visible_to(user: MaybeActor | None, qs: QuerySet[IndustryChain] | None = None) -> QuerySet[IndustryChain]:
    """The chains whose pages (the five lists and the map) the user may read."""
    qs = IndustryChain.objects.all() if qs is None else qs
    if not _active(user):
        return qs.none()
    org = organisation_of(user)
    if user.role == Role.CHAIN_OFFICE:
        if is_citywide(user):
            return qs
        return qs.filter(Q(profile__office_id=org.pk) | Q(profile__staff=user)).distinct()
    if user.role == Role.LEADER:
        if is_citywide(user):
            return qs
        return qs.filter(Q(profile__leader=user) | Q(profile__deputy_leaders=user)).distinct()
    if user.role == Role.SUPERVISOR:
        return qs if is_citywide(user) else qs.none()
    if user.role in STAFF_ROLES:
        return qs.filter(Q(profile__backing_orgs=org) | Q(leads__owner_org=org)).distinct()
    return qs.none()


def can_view_chain(user: MaybeActor | None, chain: IndustryChain | ChainProfile) -> bool:
    target = chain.chain if isinstance(chain, ChainProfile) else chain
    return chains_visible_to(user).filter(pk=target.pk).exists()


def leads_visible_to(user: MaybeActor | None, qs: QuerySet[Lead] | None = None) -> QuerySet[Lead]:
    """Leads of the chains the user reads, and the leads the user's unit owns."""
    qs = Lead.objects.all() if qs is None else qs
    if not _active(user):
        return qs.none()
    if user.role in STAFF_ROLES:
        org = organisation_of(user)
        return qs.filter(Q(chain__in=chains_visible_to(user)) | Q(owner_org=org))
    return qs.filter(chain__in=chains_visible_to(user))


def placements_visible_to(user: MaybeActor | None, qs: QuerySet[Placement] | None = None) -> QuerySet[Placement]:
    qs = Placement.objects.all() if qs is None else qs
    if not _active(user):
        return qs.none()
    if user.role == Role.ENTERPRISE:
        return qs.filter(enterprise__organisation_id=organisation_of(user).pk)
    return qs.filter(node__chain__in=chains_visible_to(user))


def matches_visible_to(user: MaybeActor | None, qs: QuerySet[ResearchMatch] | None = None) -> QuerySet[ResearchMatch]:
    qs = ResearchMatch.objects.all() if qs is None else qs
    if not _active(user):
        return qs.none()
    if user.role == Role.ENTERPRISE:
        return qs.filter(enterprise__organisation_id=organisation_of(user).pk).exclude(status="dismissed")
    return qs.filter(result__chain__in=chains_visible_to(user))


# --- rules -----------------------------------------------------------------------------------------


@rules.predicate
def _may_view_module(user: Any) -> bool:
    if not _active(user):
        return False
    # Enterprise staff have their own page instead (their placements and matched research:
    # ``chains.view_mine``), never the chains' lists.
    return chains_visible_to(user).exists()


@rules.predicate
def _may_view_chain(user: Any, chain: Any) -> bool:
    return chain is not None and can_view_chain(user, chain)


@rules.predicate
def _may_manage_chain(user: Any, chain: Any) -> bool:
    return chain is not None and runs_chain(user, chain)


@rules.predicate
def _may_decide(user: Any, chain: Any) -> bool:
    """Hold a 链长 meeting: the 链长 or deputies, or the chain's office preparing it for them."""
    return chain is not None and (leads_chain(user, chain) or runs_chain(user, chain))


@rules.predicate
def _may_update_lead(user: Any, lead: Any) -> bool:
    if lead is None or not _active(user):
        return False
    if runs_chain(user, lead.chain):
        return True
    return user.role in STAFF_ROLES and lead.owner_org_id == user.organisation_id


rules.add_perm("chains.view_module", _may_view_module)
rules.add_perm("chains.view_chain", _may_view_chain)
rules.add_perm("chains.manage_chain", _may_manage_chain)
rules.add_perm("chains.hold_meeting", _may_decide)
rules.add_perm("chains.update_lead", _may_update_lead)
