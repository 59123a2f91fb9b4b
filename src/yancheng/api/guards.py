"""Request guards every API operation passes through (installed once in ``main``):

* PATCH and PUT must carry ``If-Match: "<version>"`` (the ETag a GET returned):
  missing → 428 ``precondition_required``, malformed → 400; the parsed version is
  available to the endpoint as ``expected_version(request)`` (or the attribute
  ``request.if_match_version``) and is handed to the service, whose stale-version
  refusal becomes 412 ``stale_version``.
* POST with ``Idempotency-Key`` is made idempotent (see ``idempotency``).

Endpoints set ``ETag`` on responses that carry one object: ``etag(obj.version)``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from .auth import peek_user
from .errors import error_response
from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .idempotency import idempotent_call

_VERSION_ATTR = "if_match_version"
_ETAG_RE = re.compile(r'^\s*(?:W/)?"?(\d{1,10})"?\s*$')
CONDITIONAL_METHODS = frozenset({"PATCH", "PUT"})


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str | None) -> int | None:
    """The version in an If-Match header, or None when it cannot be read."""
    if not value:
        return None
    match = _ETAG_RE.match(value)
    return int(match.group(1)) if match else None


def expected_version(request: HttpRequest) -> int:
    """The version the client last saw (set by the guard for PATCH/PUT)."""
    return int(getattr(request, _VERSION_ATTR))


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
            header = request.headers.get("If-Match")
            if not header:
                return error_response(
                    428, "precondition_required",
                    _("修改须带 If-Match 头（值为读取时返回的 ETag），以免覆盖他人的修改。"),
                    {"If-Match": [_("必填项。")]},
                )
            version = parse_if_match(header)
            if version is None:
                return error_response(
                    400, "if_match_invalid", _("If-Match 头格式不正确，应为读取时返回的 ETag，例如 \"3\"。"),
                    {"If-Match": [_("格式不正确。")]},
                )
            setattr(request, _VERSION_ATTR, version)
        if method == "POST" and IDEMPOTENCY_HEADER in request.headers:
            user = peek_user(request)
            if user is not None:
                return idempotent_call(run, request, kw, user)
        return run(request, **kw)

    return wrapper
