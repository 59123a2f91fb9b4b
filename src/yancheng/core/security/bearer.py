"""Which API requests may skip the browser-session steps (second factor, forced password
change): only those whose bearer token actually validates.

The token itself belongs to the API layer, which sits above ``core``; it registers its
checker here when the app is ready (``register_bearer_authenticator``), so the session
middleware can ask without importing upward. Until one is registered, no header lets a
request skip anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

BearerAuthenticator = Callable[[HttpRequest, str], Any]

_authenticator: BearerAuthenticator | None = None


def register_bearer_authenticator(authenticate: BearerAuthenticator) -> None:
    """Install the function that answers the token's active owner, or None."""
    global _authenticator
    _authenticator = authenticate


def bearer_value(request: HttpRequest) -> str | None:
    """The credential of an ``Authorization: Bearer <value>`` header, or None for any other
    header, scheme or an empty value."""
    scheme, _sep, value = request.headers.get("Authorization", "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        return None
    return value


def bearer_user(request: HttpRequest) -> Any | None:
    """The owner of a bearer token that validates now, or None. Any other header —
    empty, ``Bearer x``, ``Token …``, ``Basic …``, a revoked or expired token — is None."""
    value = bearer_value(request)
    if value is None or _authenticator is None:
        return None
    return _authenticator(request, value)
