"""Reads every chain page family shares: the chain a user may open, the chain's enterprises,
and the plan light rule (yellow 10–30 points behind the linear plan, red beyond — the
projects' 序时进度 rule) that targets use and the dashboard, the 链长's home and the meetings
read. Family reads live in ``selectors_<family>.py``."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Enterprise, IndustryChain
from yancheng.core.typing import MaybeActor
from yancheng.projects.shared import Thresholds, plan_light_for_gap

from .models import ChainProfile
from .permissions import chains_visible_to, runs_chain

GREEN, YELLOW, RED, NONE = "green", "yellow", "red", "none"
LIGHT_LABELS = {GREEN: _("绿灯"), YELLOW: _("黄灯"), RED: _("红灯"), NONE: _("未亮灯")}
SEVERITY = {RED: 3, YELLOW: 2, GREEN: 1, NONE: 0}


def get_chain_for(user: MaybeActor | None, code: str, *, write: bool = False) -> IndustryChain:
    """The chain `code` if the user may read it (404 otherwise: no existence leak); with
    ``write=True`` also refuses (403 through the page's ``PermissionDenied``) a reader who
    does not run it."""
    chain = chains_visible_to(user).filter(code=code).select_related("profile").first()
    if chain is None:
        raise Http404
    if write and not runs_chain(user, chain):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return chain


def profile_of(chain: IndustryChain) -> ChainProfile:
    """The chain's profile, created empty on first use (a chain added to the reference data
    later has one as soon as someone opens it)."""
    try:
        return chain.profile
    except ChainProfile.DoesNotExist:
        profile, _created = ChainProfile.objects.get_or_create(chain=chain)
        return profile


def chain_enterprises(chain: IndustryChain) -> QuerySet[Enterprise]:
    """The chain's enterprises: tagged with the chain, placed on its map, or its 链主."""
    return Enterprise.objects.filter(
        Q(chains=chain) | Q(chain_placements__node__chain=chain) | Q(chains_mastered__chain=chain)
    ).distinct()


def plan_light(
    expected_share: Decimal | float | None, actual_share: Decimal | float | None, *, limits: Thresholds | None = None
) -> str:
    """The light of a figure against its linear plan (序时进度): points behind = (expected −
    actual) × 100, judged by the projects' rule and the city's thresholds for it (yellow from
    10 up to 30 points, red beyond, by default). Nothing reported yet is no light. A list
    lighting many figures passes the thresholds it read once (``shared.plan_thresholds()``)."""
    if expected_share is None or actual_share is None:
        return NONE
    behind = (Decimal(str(expected_share)) - Decimal(str(actual_share))) * 100
    return plan_light_for_gap(Fraction(behind), limits)
