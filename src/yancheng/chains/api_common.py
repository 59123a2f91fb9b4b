"""What the chains' API routers share: the caller, and the chain of a path as the registry's
and the map's endpoints read it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from yancheng.core.errors import PermissionDeniedError
from yancheng.core.models import IndustryChain, Role

from .selectors import get_chain_for


def api_user(request: HttpRequest) -> Any:
    """The user the API authenticated (the token's or the session's)."""
    return request.auth  # type: ignore[attr-defined]


def api_chain(request: HttpRequest, code: str, *, write: bool = False) -> IndustryChain:
    """The chain ``code`` for the caller: enterprise staff never read a chain here (403; their
    own placements are under ``/mine``); anyone else gets 404 for a chain they may not read and,
    with ``write``, 403 unless they run it."""
    user = api_user(request)
    if user.role == Role.ENTERPRISE:
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))
    return get_chain_for(user, code, write=write)
