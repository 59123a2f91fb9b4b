"""Who sees which petition and who may do what (deny by default).

- 信访工作人员 (``Role.PETITION``): a city-level 信访局 sees every matter; a county's sees its
  region's and what it registered.
- 承办人 (``Role.HANDLER``): the matters its organisation handles or reviews.
- 领导 (``Role.LEADER``): the matters it took personally (包案), and the urgent ones of its
  area (citywide for a city leader), and those its organisation handles or reviews; a leader
  of the handling (or review) organ approves extensions.
- 督查员 (``Role.SUPERVISOR``): its region's, or every matter when citywide.

Above every role: a 检举控告 matter is never shown to the organisation complained about or
its sub-units (第三十条), unless that organisation registered it itself.
"""

from __future__ import annotations

from typing import TypeGuard

import rules
from django.db.models import Q, QuerySet

from yancheng.core.models import Role
from yancheng.core.models.visibility import is_citywide
from yancheng.core.typing import Actor, MaybeActor, organisation_of

from .models import Petition, PetitionReview, PetitionType

STAFF_ROLES = frozenset({Role.PETITION, Role.HANDLER, Role.LEADER, Role.SUPERVISOR})


def _active(user: MaybeActor | None) -> TypeGuard[Actor]:
    return bool(user is not None and user.is_authenticated and user.is_active and user.organisation_id)


def withheld_filter(user: Actor) -> Q:
    """The 检举控告 matters about the user's organisation or one above it."""
    org = organisation_of(user)
    return Q(petition_type=PetitionType.ACCUSATION, respondent_org_id__in=org.ancestors_ids() or [org.pk]) & ~Q(
        registering_org_id=org.pk
    )


def petitions_visible_to(user: MaybeActor | None, qs: QuerySet[Petition]) -> QuerySet[Petition]:
    if not _active(user) or user.role not in STAFF_ROLES:
        return qs.none()
    org = organisation_of(user)
    role = user.role
    if role == Role.PETITION:
        scoped = qs if is_citywide(user) else qs.filter(Q(region_id=org.region_id) | Q(registering_org_id=org.pk))
    elif role == Role.HANDLER:
        scoped = qs.filter(Q(handling_org_id=org.pk) | Q(reviews__organ_id=org.pk)).distinct()
    elif role == Role.LEADER:
        urgent = Q(is_urgent=True) if is_citywide(user) else Q(is_urgent=True, region_id=org.region_id)
        reviewed = PetitionReview.objects.filter(organ_id=org.pk).values("petition_id")
        scoped = qs.filter(Q(leader_id=user.pk) | urgent | Q(handling_org_id=org.pk) | Q(pk__in=reviewed))
    else:  # SUPERVISOR
        scoped = qs if is_citywide(user) else qs.filter(region_id=org.region_id)
    return scoped.exclude(withheld_filter(user))


def _role(*roles: str) -> rules.Predicate:
    predicate: rules.Predicate = rules.predicate(lambda user: _active(user) and user.role in roles)
    return predicate


def _sees(user: Actor, petition: Petition) -> bool:
    return Petition.objects.visible_to(user).filter(pk=petition.pk).exists()


@rules.predicate
def is_petition_office(user: MaybeActor | None, petition: Petition | None = None) -> bool:
    """信访部门 staff who see the matter (or, without one, any 信访 staff)."""
    if not _active(user) or user.role != Role.PETITION:
        return False
    return petition is None or _sees(user, petition)


@rules.predicate
def is_handling_organ(user: MaybeActor | None, petition: Petition | None = None) -> bool:
    if not _active(user) or user.role != Role.HANDLER or petition is None:
        return False
    return petition.handling_org_id == user.organisation_id and _sees(user, petition)


@rules.predicate
def is_handling_head(user: MaybeActor | None, petition: Petition | None = None) -> bool:
    """A leader of the handling organ (本机关负责人, 第三十四条: approves an extension)."""
    if not _active(user) or user.role != Role.LEADER or petition is None:
        return False
    return petition.handling_org_id == user.organisation_id and _sees(user, petition)


@rules.predicate
def sees_petition(user: MaybeActor | None, petition: Petition | None = None) -> bool:
    return _active(user) and petition is not None and _sees(user, petition)


rules.add_perm("petitions.view_list", _role(*STAFF_ROLES))
rules.add_perm("petitions.view", sees_petition)
rules.add_perm("petitions.register", _role(Role.PETITION))
rules.add_perm("petitions.classify", is_petition_office)
rules.add_perm("petitions.transfer", is_petition_office)
rules.add_perm("petitions.decide_objection", is_petition_office)
rules.add_perm("petitions.handle", is_handling_organ)
rules.add_perm("petitions.approve_extension", is_handling_head)
rules.add_perm("petitions.reveal_personal", is_petition_office | is_handling_organ)
rules.add_perm("petitions.follow_up", is_petition_office | is_handling_organ)
rules.add_perm("petitions.serve", is_petition_office | is_handling_organ)
rules.add_perm("petitions.take_personally", _role(Role.LEADER) & sees_petition)
rules.add_perm("petitions.manage_receptions", _role(Role.PETITION))
rules.add_perm("petitions.view_statistics", _role(Role.PETITION, Role.LEADER, Role.SUPERVISOR))


@rules.predicate
def is_review_organ(user: MaybeActor | None, petition: Petition | None = None) -> bool:
    """A handler of the organ a pending 复查 or 复核 of the matter went to."""
    if not _active(user) or user.role != Role.HANDLER or petition is None:
        return False
    return petition.reviews.filter(organ_id=user.organisation_id, decided_at__isnull=True).exists() and _sees(
        user, petition
    )


# 明责 and 化解 (handling.py, reviews.py)
rules.add_perm("petitions.file_report", is_petition_office | is_handling_organ)
rules.add_perm("petitions.request_review", is_petition_office)
rules.add_perm("petitions.decide_review", is_review_organ)


@rules.predicate
def is_review_head(user: MaybeActor | None, petition: Petition | None = None) -> bool:
    """A leader of the organ a pending 复查 or 复核 went to (本机关负责人: approves its extension,
    第三十五条、第三十六条)."""
    if not _active(user) or user.role != Role.LEADER or petition is None:
        return False
    return petition.reviews.filter(organ_id=user.organisation_id, decided_at__isnull=True).exists() and _sees(
        user, petition
    )


# 复查、复核: extended and paused like the first handling (reviews.py)
rules.add_perm("petitions.handle_review", is_review_organ)
rules.add_perm("petitions.approve_review_extension", is_review_head)


# --- documents ------------------------------------------------------------------------------


def _document_organ_staff(user: MaybeActor | None, document: object) -> bool:
    """A handler or leader of the organ that handles the matter or issued the notice, who sees
    the matter (a 检举控告's organ complained about never does)."""
    from .models import PetitionDocument

    if not isinstance(document, PetitionDocument) or not _active(user):
        return False
    if user.role not in (Role.HANDLER, Role.LEADER):
        return False
    organs = {document.petition.handling_org_id, document.issuer_id}
    return user.organisation_id in organs and _sees(user, document.petition)


@rules.predicate
def may_download_document(user: MaybeActor | None, document: object = None) -> bool:
    """The .docx carries the 信访人's name: 信访部门 staff who see the matter, or the handling
    or issuing organ's people."""
    from .models import PetitionDocument

    if not isinstance(document, PetitionDocument):
        return False
    return bool(is_petition_office(user, document.petition)) or _document_organ_staff(user, document)


@rules.predicate
def may_serve_document(user: MaybeActor | None, document: object = None) -> bool:
    """送达: 信访部门 staff who see the matter, or a handler of the organ that issued the notice
    (the organ serves its own 受理告知书 and 意见书, the 复查/复核 organ its review's); a
    转送函 or 交办单 the 信访部门 made is served by the 信访部门."""
    from .models import PetitionDocument

    if not isinstance(document, PetitionDocument):
        return False
    if is_petition_office(user, document.petition):
        return True
    return (
        _active(user) and user.role == Role.HANDLER and user.organisation_id == document.issuer_id
        and _sees(user, document.petition)
    )


rules.add_perm("petitions.download_document", may_download_document)
rules.add_perm("petitions.serve_document", may_serve_document)
# 稳控、重大紧急、包案 (issue 13 "Stabilisation"): marking a matter urgent is for the 信访部门
# and the handling organ; releasing or passing a 包案 to another leader is the 信访部门's.
rules.add_perm("petitions.mark_urgent", is_petition_office | is_handling_organ)
rules.add_perm("petitions.release_leader", is_petition_office)


@rules.predicate
def is_follow_up_unit(user: MaybeActor | None, follow_up: object = None) -> bool:
    """Staff of the unit a 稳控 task was given to, who see its matter; or whoever may plan it."""
    petition = getattr(follow_up, "petition", None)
    if not _active(user) or petition is None:
        return False
    if is_petition_office(user, petition) or is_handling_organ(user, petition):
        return True
    return (user.role in (Role.PETITION, Role.HANDLER) and getattr(follow_up, "org_id", None) == user.organisation_id
            and _sees(user, petition))


@rules.predicate
def is_reception_leader_or_office(user: MaybeActor | None, reception: object = None) -> bool:
    """领导接访日: the 信访部门 records it, and so does the leader who received."""
    if not _active(user):
        return False
    return user.role == Role.PETITION or (reception is not None and getattr(reception, "leader_id", None) == user.pk)


rules.add_perm("petitions.complete_follow_up", is_follow_up_unit)
rules.add_perm("petitions.record_reception", is_reception_leader_or_office)
rules.add_perm("petitions.view_receptions", _role(Role.PETITION, Role.LEADER, Role.SUPERVISOR))
