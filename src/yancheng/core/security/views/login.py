"""Login and logout: the password step with its lockout and throttling, every outcome
audited (SPEC §12, security-checklist §1)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from yancheng.core.audit.middleware import client_ip
from yancheng.core.audit.models import AuditEvent
from yancheng.core.audit.services import audit_record
from yancheng.core.models import User

from ..forms import LoginForm
from ..sessions import end_all_sessions, mark_login_time


def next_url(request: HttpRequest, default: str = "core:home") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default)


class LoginView(auth_views.LoginView):
    """Password step. django-axes (the first authentication backend) counts failures per
    username + IP: after 5 the pair is locked for 15 minutes, even for the right password,
    while another user from the same address still gets in. Every outcome is audited with
    the attempted username and the IP — never the password. ``login()`` gives the session
    a new id (ASVS 5.0-7.2.4)."""

    form_class = LoginForm
    template_name = "registration/login.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Before the password is checked: an address past its failure budget is refused
        (429), and an account under distributed guessing answers more slowly
        (core/security/throttle.py)."""
        from .. import throttle

        ip = client_ip(request)
        username = str(request.POST.get("username", ""))[:150]
        over = throttle.ip_over_budget(ip)
        if over is not None:
            throttle.ip_refusal_record(ip=ip, username=username, failures=over)
            return ip_throttled_response(request)
        self.login_delay = throttle.login_delay(username)
        throttle.wait(self.login_delay)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        response = super().form_valid(form)
        mark_login_time(self.request.session)
        audit_record(
            "auth.login",
            user,
            actor=user,
            after={"username": user.get_username()},
            ip=client_ip(self.request),
        )
        return response

    def form_invalid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        request = self.request
        username = str(form.data.get("username", ""))[:150]
        locked = bool(getattr(request, "axes_locked_out", False))
        known = User.objects.filter(username=username).only("pk").first() if username else None
        audit_record(
            "auth.lockout" if locked else "auth.login_failed",
            None,
            actor=None,
            object_type="core.user" if known else "",
            object_id=str(known.pk) if known else "",
            object_repr=username,
            after={"username": username, "locked_out": locked, "delay_seconds": getattr(self, "login_delay", 0.0)},
            outcome=AuditEvent.Outcome.DENIED if locked else AuditEvent.Outcome.FAILURE,
            ip=client_ip(request),
        )
        if locked:
            return locked_out_response(request, username)
        return super().form_invalid(form)


def axes_lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """settings.AXES_LOCKOUT_CALLABLE: the page every locked-out login attempt gets
    (our login page and any other login form django-axes watches)."""
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))[:150]
    return locked_out_response(request, username)


def locked_out_response(request: HttpRequest, username: str = "") -> HttpResponse:
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    return render(
        request,
        "registration/locked_out.html",
        {"username": username, "failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes},
        status=429,
    )


def ip_throttled_response(request: HttpRequest) -> HttpResponse:
    """The page for a login from an address past its failure budget (HTTP 429)."""
    minutes = int(settings.YANCHENG_LOGIN_IP_WINDOW_MINUTES)
    response = render(
        request,
        "registration/ip_throttled.html",
        {"failure_limit": settings.YANCHENG_LOGIN_IP_FAILURE_LIMIT, "window_minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5). The session is deleted from the store, so replaying its
    cookie finds nobody; "everywhere" also ends the user's other sessions."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            everywhere = request.POST.get("everywhere") == "1"
            ended = end_all_sessions(user, keep=request.session.session_key) if everywhere else 0
            audit_record(
                "auth.logout",
                user,
                actor=user,
                after={"username": user.get_username(), "other_sessions_ended": ended},
                ip=client_ip(request),
            )
        return super().post(request, *args, **kwargs)
