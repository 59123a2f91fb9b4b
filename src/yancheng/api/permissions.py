"""Who may hold personal API tokens (the 接口令牌 page and its link in the header).

Tokens are for the scripts that connect a unit's own systems to the platform (数据对接):
government staff and the administrators. Enterprise users work in the web pages, on a
phone as often as not, and the site's own browser code calls the API with their session;
they are offered no tokens (issue 12 §6).
"""

from __future__ import annotations

import rules

from yancheng.core.models import Role
from yancheng.core.models.visibility import is_active_user
from yancheng.core.typing import MaybeActor


@rules.predicate
def may_manage_tokens(user: MaybeActor | None) -> bool:
    return is_active_user(user) and user.role != Role.ENTERPRISE


rules.add_perm("api.manage_tokens", may_manage_tokens)
