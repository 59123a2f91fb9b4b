"""The second factor (TOTP): enrolment on a staff user's first login and the code at every
login (security-checklist §2)."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yancheng.core.audit.middleware import client_ip
from yancheng.core.audit.models import AuditEvent
from yancheng.core.audit.services import audit_record
from yancheng.core.typing import AuthenticatedHttpRequest

from ..forms import OtpTokenForm
from ..services import otp_device_enrol
from .login import next_url


def totp_device_model() -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice


def _qr_data_uri(text: str) -> str:
    """The enrolment QR code, made on the server (no third-party QR service sees the secret)."""
    return str(segno.make(text, error="m").svg_data_uri(scale=5, border=2))


def _otp_login(request: AuthenticatedHttpRequest, device: Any) -> None:
    from django_otp import login as otp_login

    otp_login(request, device)
    # A new session id once the session is fully authenticated.
    request.session.cycle_key()


OTP_PENDING_KEY_SESSION_KEY = "yancheng_otp_pending_key"


def _check_new_totp(device: Any, token: str) -> int | None:
    """Check a code against a device not saved yet; returns the time step it matched."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    try:
        value = int(token)
    except ValueError:
        return None
    return int(totp.t()) if totp.verify(value, tolerance=device.tolerance) else None


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """First login of a staff user: bind an authenticator app. The secret is kept in the
    session (no row is written on GET) and shown, as a QR code and as text, until a valid
    code proves the app holds it; only then is the device stored."""
    from django_otp import user_has_device
    from django_otp.util import random_hex

    user = request.user
    if user_has_device(user, confirmed=True):
        return redirect(f"{resolve_url('accounts:otp_verify')}?{urlencode({'next': next_url(request)})}")
    key = request.session.get(OTP_PENDING_KEY_SESSION_KEY)
    if not isinstance(key, str) or len(key) != 40:
        key = random_hex(20)
        request.session[OTP_PENDING_KEY_SESSION_KEY] = key
    device = totp_device_model()(user=user, key=key, name=_("身份验证器"), confirmed=False)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        matched_step = _check_new_totp(device, form.cleaned_data["token"])
        if matched_step is not None:
            device = otp_device_enrol(user, key=key, last_t=matched_step, actor=user)
            del request.session[OTP_PENDING_KEY_SESSION_KEY]
            _otp_login(request, device)
            messages.success(request, _("动态口令已绑定。"))
            return redirect(next_url(request))
        audit_record(
            "auth.second_factor_failed",
            user,
            actor=user,
            after={"step": "enrol"},
            outcome=AuditEvent.Outcome.FAILURE,
            ip=client_ip(request),
        )
        form.add_error("token", _("动态口令不正确，请核对手机时间后重试。"))
    secret = base64.b32encode(device.bin_key).decode("ascii")
    return render(
        request,
        "security/otp_setup.html",
        {
            "form": form,
            "qr_data_uri": _qr_data_uri(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": next_url(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Second step of every login of a staff user."""
    from django_otp import devices_for_user, verify_token

    user = request.user
    devices = list(devices_for_user(user, confirmed=True))
    if not devices:
        return redirect(f"{resolve_url('accounts:otp_setup')}?{urlencode({'next': next_url(request)})}")
    if getattr(user, "is_verified", lambda: False)():
        return redirect(next_url(request))
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        for device in devices:
            verified = verify_token(user, device.persistent_id, token)
            if verified is not None:
                _otp_login(request, verified)
                audit_record("auth.second_factor", user, actor=user, ip=client_ip(request))
                return redirect(next_url(request))
        audit_record(
            "auth.second_factor_failed",
            user,
            actor=user,
            after={"step": "verify"},
            outcome=AuditEvent.Outcome.FAILURE,
            ip=client_ip(request),
        )
        form.add_error("token", _("动态口令不正确或尝试过于频繁，请稍后重试。"))
    return render(request, "security/otp_verify.html", {"form": form, "next": next_url(request)})
