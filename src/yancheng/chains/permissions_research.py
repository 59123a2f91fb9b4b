"""Who may record the outcome of a 对接 task (科研成果对接): the chain's office, and the staff of
the unit that owns the task — they held the talks. Everything else of the research family
is the office's (``chains.manage_chain``)."""

from __future__ import annotations

from typing import Any

import rules

from yancheng.core.models import Role

from .permissions import STAFF_ROLES, runs_chain


@rules.predicate
def _may_close_match(user: Any, match: Any) -> bool:
    if match is None or user is None or not user.is_authenticated or not user.is_active:
        return False
    if runs_chain(user, match.result.chain):
        return True
    return bool(user.role in STAFF_ROLES and match.owner_org_id is not None
                and match.owner_org_id == user.organisation_id)


rules.add_perm("chains.close_match", _may_close_match)


@rules.predicate
def _may_view_mine(user: Any) -> bool:
    """The enterprise's own page (我的产业链): enterprise users only."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.organisation_id
                and user.role == Role.ENTERPRISE)


rules.add_perm("chains.view_mine", _may_view_mine)
