"""Session lifetime, second factor and password expiry (SPEC §12, security-checklist §1–§2).

Order in settings.MIDDLEWARE (after AuthenticationMiddleware and django_otp's
OTPMiddleware): SessionLifetimeMiddleware → SecondFactorMiddleware →
PasswordExpiryMiddleware. A staff user therefore passes the TOTP step before being sent
to change an expired password.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.middleware import client_ip
from yancheng.core.audit.services import audit_record

from .bearer import bearer_user
from .sessions import LOGIN_AT_SESSION_KEY

API_PREFIX = "/api/"


class _Middleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response


def _always_allowed_prefixes() -> tuple[str, ...]:
    static = "/" + settings.STATIC_URL.lstrip("/")
    return (static, "/i18n/", "/favicon.ico")


def _path_in(path: str, names: tuple[str, ...], prefixes: tuple[str, ...] = ()) -> bool:
    if path.startswith(_always_allowed_prefixes() + prefixes):
        return True
    return any(path == reverse(name) for name in names)


def _redirect_with_next(request: HttpRequest, url_name: str) -> HttpResponse:
    url = reverse(url_name)
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(url)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _api_uses_token(request: HttpRequest) -> bool:
    """An API request whose bearer token validates is the token owner's, not the browser
    session's: the session steps below do not apply to it. Any other Authorization header
    (empty, ``Bearer x``, another scheme, a revoked token) changes nothing — the request
    is judged by its session, exactly as without the header."""
    return _is_api(request) and bearer_user(request) is not None


def second_factor_pending(user: object) -> bool:
    """Whether this signed-in session still owes its TOTP step (the pages and the API's
    session auth ask the same question)."""
    return bool(
        settings.YANCHENG_TOTP_REQUIRED
        and getattr(user, "is_authenticated", False)
        and getattr(user, "needs_second_factor", True)
        and not getattr(user, "is_verified", lambda: False)()
    )


def session_refusal(user: object) -> tuple[str, str] | None:
    """Why a signed-in browser session may not use the API yet, as (code, message), or
    None. Same conditions, same order as the page middlewares below."""
    if second_factor_pending(user):
        return "second_factor_required", _("请先完成动态口令验证。")
    if getattr(user, "is_authenticated", False) and password_expired(user):
        return "password_change_required", _("密码已过期，请先修改密码。")
    return None


def _api_refusal(code: str, message: str) -> HttpResponse:
    """The API's stable error format (``{"error": {...}}``, as yancheng.api.errors writes it)."""
    return JsonResponse(
        {"error": {"code": code, "message": message, "fields": {}}},
        status=403,
        json_dumps_params={"ensure_ascii": False},
    )


class SessionLifetimeMiddleware(_Middleware):
    """The absolute lifetime of a session (ASVS 5.0-7.3.2; 4.0.3-3.3.2 L2: 12 hours): the
    login time is kept in the session, and once YANCHENG_SESSION_ABSOLUTE_SECONDS have
    passed the user is logged out even if they were active all along. The 30-minute idle
    timeout is Django's own (SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST)."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = time.time()
            started = session.get(LOGIN_AT_SESSION_KEY)
            if not isinstance(started, int | float):
                # Logged in by another path (admin login, tests' force_login): start now.
                session[LOGIN_AT_SESSION_KEY] = now
            elif now - float(started) > settings.YANCHENG_SESSION_ABSOLUTE_SECONDS:
                audit_record(
                    "auth.session_expired",
                    user,
                    actor=user,
                    after={"username": user.get_username(), "reason": "absolute_lifetime"},
                    ip=client_ip(request),
                )
                logout(request)
        return self.get_response(request)


class SecondFactorMiddleware(_Middleware):
    """TOTP for every role but enterprise staff (等保 8.1.4.1d; ASVS 5.0-6.3.3): until
    ``request.user.is_verified()``, every page but login, logout, the OTP pages, static
    files and the language switch sends the user to the OTP step — the enrolment page the
    first time, the code page afterwards. Switched off only by YANCHENG_TOTP_REQUIRED."""

    ALLOWED_NAMES = ("accounts:login", "accounts:logout", "accounts:otp_setup", "accounts:otp_verify")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            second_factor_pending(user)
            and not _path_in(request.path_info, self.ALLOWED_NAMES)
            and not _api_uses_token(request)
        ):
            if _is_api(request):
                return _api_refusal("second_factor_required", _("请先完成动态口令验证。"))
            from django_otp import user_has_device

            target = "accounts:otp_verify" if user_has_device(user, confirmed=True) else "accounts:otp_setup"
            return _redirect_with_next(request, target)
        return self.get_response(request)


def password_expired(user: object) -> bool:
    """Whether the user must change their password now: an administrator reset it (or the
    account is new), or it is older than YANCHENG_PASSWORD_MAX_AGE_DAYS (等保 定期更换)."""
    if getattr(user, "must_change_password", False):
        return True
    max_age = int(getattr(settings, "YANCHENG_PASSWORD_MAX_AGE_DAYS", 0) or 0)
    changed_at = getattr(user, "password_changed_at", None)
    if max_age <= 0 or changed_at is None:
        return False
    return bool(changed_at < timezone.now() - timedelta(days=max_age))


class PasswordExpiryMiddleware(_Middleware):
    """An expired or administrator-reset password sends the user to the change-password
    page before anything else (logout, the OTP pages, static files stay reachable)."""

    ALLOWED_NAMES = ("accounts:login", "accounts:logout", "accounts:otp_setup", "accounts:otp_verify", "accounts:password_change")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and password_expired(user)
            and not _path_in(request.path_info, self.ALLOWED_NAMES)
            and not _api_uses_token(request)
        ):
            if _is_api(request):
                return _api_refusal("password_change_required", _("密码已过期，请先修改密码。"))
            return _redirect_with_next(request, "accounts:password_change")
        return self.get_response(request)
