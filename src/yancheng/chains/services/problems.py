"""提出链级问题: the chain's office raises a chain-level problem as a case (产业链问题,
``subject_ref`` "chain:<code>", the chain's name as its subject). The office receives it
itself and assigns it to a unit with a deadline in working days, as a dispatcher would
(``cases.permissions.chain_office_dispatches``); the unit then works it on the case page."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from yancheng.cases.models import Case, CaseKind, Urgency
from yancheng.cases.services import case_assign, case_submit
from yancheng.core.errors import PermissionDeniedError
from yancheng.core.kit.require import require
from yancheng.core.models import IndustryChain, Organisation
from yancheng.core.typing import Actor

from ..permissions import runs_chain
from ..selectors_problems import chain_ref


def problem_raise(
    chain: IndustryChain,
    *,
    actor: Actor,
    title: str,
    description: str,
    lead_org: Organisation,
    solve_days: int,
    urgency: str = Urgency.NORMAL,
) -> Case:
    """Raise and assign a chain-level problem in one transaction (all or nothing)."""
    require(actor, "chains.manage_chain", chain)
    if not runs_chain(actor, chain):  # the system has no office to receive it
        raise PermissionDeniedError(_("只有本链的链办可以提出链级问题。"))
    with transaction.atomic():
        case = case_submit(
            actor=actor, title=title, description=description, kind=CaseKind.CHAIN_PROBLEM, urgency=urgency,
            subject=chain.name, subject_ref=chain_ref(chain),
        )
        return case_assign(case, actor=actor, lead_org=lead_org, solve_days=solve_days, note=_("链办交办产业链问题"))
