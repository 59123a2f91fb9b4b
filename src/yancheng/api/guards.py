"""Request guards every API operation passes through (installed once in ``main``):

* PATCH and PUT must carry ``If-Match: "<version>"`` (the ETag a GET returned):
  missing → 428 ``precondition_required``, malformed → 400, before the endpoint runs.
  The endpoint reads the version with ``core.kit.api.if_match(request)`` and hands it to
  the service, whose stale-version refusal becomes 412 ``stale_version``.
* POST with ``Idempotency-Key`` is made idempotent (see ``idempotency``).

Endpoints set ``ETag`` on responses that carry one object: ``etag(obj.version)``. The
reading of the header, its messages and ``etag`` are the kit's (``core.kit.api``), which the
apps' routers also use for the POST actions they guard themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from yancheng.core.kit.api import IF_MATCH, IF_MATCH_INVALID, IF_MATCH_MISSING, parse_if_match

from .auth import peek_user
from .errors import error_response
from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .idempotency import idempotent_call

CONDITIONAL_METHODS = frozenset({"PATCH", "PUT"})


def _holds_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or any("\x00" in v for _k, vs in request.GET.lists() for v in vs):
        return True
    return request.content_type == "application/json" and b"\\u0000" in request.body


def request_guards(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @functools.wraps(run)
    def wrapper(request: HttpRequest, **kw: Any) -> HttpResponseBase:
        method = request.method or ""
        try:
            if _holds_nul(request):
                # PostgreSQL cannot even compare a string holding NUL: refuse it at the door.
                return error_response(400, "invalid_characters", _("请求中含有不允许的控制字符（NUL）。"))
        except RequestDataTooBig:
            return error_response(413, "too_large", _("请求内容过大。"))
        if method in CONDITIONAL_METHODS and peek_user(request) is not None:
            header = request.headers.get(IF_MATCH)
            if not header:
                return error_response(428, "precondition_required", IF_MATCH_MISSING, {IF_MATCH: [_("必填项。")]})
            if parse_if_match(header) is None:
                return error_response(400, "if_match_invalid", IF_MATCH_INVALID, {IF_MATCH: [_("格式不正确。")]})
        if method == "POST" and IDEMPOTENCY_HEADER in request.headers:
            user = peek_user(request)
            if user is not None:
                return idempotent_call(run, request, kw, user)
        return run(request, **kw)

    return wrapper
