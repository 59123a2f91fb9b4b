"""Who is calling: a personal token (``Authorization: Bearer yc_…``) or, for same-origin
browser use, the Django session (then with CSRF on unsafe methods)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from yancheng.core.audit.context import AuditContext, current, set_context
from yancheng.core.security.bearer import bearer_value
from yancheng.core.security.middleware import session_refusal
from yancheng.core.typing import Actor

from .errors import ApiError
from .models import ApiToken

TOKEN_PREFIX = "yc_"  # noqa: S105 - a marker, not a secret
# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_CACHE_ATTR = "_yancheng_api_user"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def user_for_token(raw: str) -> Any | None:
    """The active owner of a usable token, or None."""
    if not raw or len(raw) > 128 or not raw.startswith(TOKEN_PREFIX):
        return None
    try:
        # get(), not first(): the digest is unique, so no sort by the default ordering.
        token = ApiToken.objects.select_related("user", "user__organisation").get(key_hash=hash_token(raw))
    except ApiToken.DoesNotExist:
        return None
    if not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _bind_audit_context(request: HttpRequest, user: Actor | None) -> None:
    # The audit middleware ran before the token was read: name the token's owner as the
    # actor of whatever this request writes.
    ctx = current()
    if ctx.user is None:
        set_context(AuditContext(user=user, ip=ctx.ip, request_id=ctx.request_id))


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        cached = getattr(request, _CACHE_ATTR, None)
        if cached is not None:
            return cached
        user = user_for_token(token.strip())
        if user is not None:
            setattr(request, _CACHE_ATTR, user)
            request.user = user
            _bind_audit_context(request, user)
        return user


def _session_user(request: HttpRequest) -> Any | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        return user
    return None


class SessionAuth(APIKeyCookie):
    """The logged-in browser session; unsafe methods must carry the CSRF token. The session
    must have passed the same steps as for the pages — a verified second factor where the
    role needs one, no pending forced password change — whatever headers come with it
    (the middleware already refuses; this is the API's own check, not a second guess)."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = _session_user(request)
        if user is None:
            return None
        refusal = session_refusal(user)
        if refusal is not None:
            code, message = refusal
            raise ApiError(403, code, message)
        return user


token_auth = TokenAuth()
session_auth = SessionAuth(csrf=True)
API_AUTH = [token_auth, session_auth]


def peek_user(request: HttpRequest) -> Any | None:
    """The caller as the API will see them, without raising (used by the request guards
    that run before ninja's own authentication). CSRF is left to the real check."""
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    value = bearer_value(request)
    if value is not None:
        token_user = token_auth.authenticate(request, value)
        if token_user is not None:
            return token_user
    # As ninja does: a header that does not validate leaves the session to answer.
    user = _session_user(request)
    if user is None or session_refusal(user) is not None:
        return None
    if request.method not in {"GET", "HEAD", "OPTIONS", "TRACE"} and check_csrf(request) is not None:
        return None
    return user


def require_user(request: HttpRequest) -> Any:
    user = peek_user(request)
    if user is None:
        raise HttpError(401, "Unauthorized")
    return user
