"""Login, logout, second factor, own password change and the account administration pages
(SPEC §12, security-checklist §1–§3)."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.audit.middleware import client_ip
from yancheng.core.audit.models import AuditEvent
from yancheng.core.audit.services import audit_record
from yancheng.core.crypto import FieldCryptoError, digest_for, looks_like_phone
from yancheng.core.errors import DomainError
from yancheng.core.models import Role, User
from yancheng.core.services import user_set_password
from yancheng.core.typing import AuthenticatedHttpRequest

from .forms import (
    AccountCreateForm,
    AccountPasswordResetForm,
    AccountRoleForm,
    LoginForm,
    OtpTokenForm,
    OwnPasswordChangeForm,
)
from .middleware import password_expired
from .permissions import has_perm
from .services import (
    account_create,
    account_end_sessions,
    account_phone_reveal,
    account_reset_password,
    account_reset_second_factor,
    account_set_active,
    account_set_role,
    account_unlock,
    otp_device_enrol,
)
from .sessions import end_all_sessions, mark_login_time

PAGE_SIZE = 50


def _next_url(request: AuthenticatedHttpRequest, default: str = "home") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default)


# --- login and logout ----------------------------------------------------------------------


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
        from . import throttle

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


# --- second factor (TOTP) ---------------------------------------------------------------------


def _totp_device_model() -> Any:
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
        return redirect(f"{resolve_url('otp_verify')}?{urlencode({'next': _next_url(request)})}")
    key = request.session.get(OTP_PENDING_KEY_SESSION_KEY)
    if not isinstance(key, str) or len(key) != 40:
        key = random_hex(20)
        request.session[OTP_PENDING_KEY_SESSION_KEY] = key
    device = _totp_device_model()(user=user, key=key, name=_("身份验证器"), confirmed=False)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        matched_step = _check_new_totp(device, form.cleaned_data["token"])
        if matched_step is not None:
            device = otp_device_enrol(user, key=key, last_t=matched_step, actor=user)
            del request.session[OTP_PENDING_KEY_SESSION_KEY]
            _otp_login(request, device)
            messages.success(request, _("动态口令已绑定。"))
            return redirect(_next_url(request))
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
            "next": _next_url(request),
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
        return redirect(f"{resolve_url('otp_setup')}?{urlencode({'next': _next_url(request)})}")
    if getattr(user, "is_verified", lambda: False)():
        return redirect(_next_url(request))
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        for device in devices:
            verified = verify_token(user, device.persistent_id, token)
            if verified is not None:
                _otp_login(request, verified)
                audit_record("auth.second_factor", user, actor=user, ip=client_ip(request))
                return redirect(_next_url(request))
        audit_record(
            "auth.second_factor_failed",
            user,
            actor=user,
            after={"step": "verify"},
            outcome=AuditEvent.Outcome.FAILURE,
            ip=client_ip(request),
        )
        form.add_error("token", _("动态口令不正确或尝试过于频繁，请稍后重试。"))
    return render(request, "security/otp_verify.html", {"form": form, "next": _next_url(request)})


# --- own password change -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Change one's own password: the current one is required. This session stays logged
    in (with a new id); every other session of the user ends (ASVS 5.0-7.4.3)."""
    user = request.user
    form = OwnPasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            updated = user_set_password(user, new_password=form.cleaned_data["new_password1"], actor=user)
        except DomainError as exc:
            form.add_error("new_password1", str(exc.message))
        else:
            update_session_auth_hash(request, updated)
            end_all_sessions(updated, keep=request.session.session_key)
            messages.success(request, _("密码已修改，其他设备上的登录已退出。"))
            return redirect(_next_url(request))
    reason = ""
    if user.must_change_password:
        reason = _("管理员重置了您的密码，请设置新密码后继续。")
    elif password_expired(user):
        reason = _("您的密码已超过 %(days)d 天未修改，请设置新密码后继续。") % {
            "days": settings.YANCHENG_PASSWORD_MAX_AGE_DAYS
        }
    return render(
        request, "security/password_change.html", {"form": form, "reason": reason, "next": _next_url(request)}
    )


# --- account administration (三权分立) ------------------------------------------------------------


def _require(request: AuthenticatedHttpRequest, perm: str, obj: Any = None) -> None:
    """Deny by default; a refusal is audited (ASVS 5.0-16.3.2) and answers 403."""
    if not has_perm(perm, request.user, obj):
        audit_record(
            "permission_denied",
            obj,
            actor=request.user,
            after={"perm": perm, "path": request.path[:200]},
            outcome=AuditEvent.Outcome.DENIED,
        )
        raise PermissionDenied


def _locked_usernames(usernames: list[str]) -> set[str]:
    """Usernames with a lockout in force (on any address)."""
    from axes.models import AccessAttempt

    since = timezone.now() - timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    return set(
        AccessAttempt.objects.filter(
            username__in=usernames,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )


def _users_with_device(user_ids: list[int]) -> set[int]:
    TOTPDevice = _totp_device_model()
    return set(
        TOTPDevice.objects.filter(user_id__in=user_ids, confirmed=True).values_list("user_id", flat=True)
    )


def _account_queryset(request: AuthenticatedHttpRequest) -> QuerySet[User]:
    qs = User.objects.select_related("organisation").order_by("username")
    q = request.GET.get("q", "").strip()[:64]
    if q:
        match = Q(username__icontains=q) | Q(full_name__icontains=q) | Q(organisation__name__icontains=q)
        if looks_like_phone(q):  # by phone: through the blind index, the number is never in the database
            match |= Q(phone_digest=digest_for(User, "phone", q))
        qs = qs.filter(match)
    role = request.GET.get("role", "")
    if role in Role.values:
        qs = qs.filter(role=role)
    return qs


@login_required
@require_GET
def account_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "security.view_accounts")
    page = Paginator(_account_queryset(request), PAGE_SIZE).get_page(request.GET.get("page"))
    users = list(page.object_list)
    locked = _locked_usernames([u.username for u in users])
    with_device = _users_with_device([u.pk for u in users])
    rows = [
        {"user": u, "locked": u.username in locked, "has_device": u.pk in with_device,
         "phone": _masked_or_unreadable(u.phone)}
        for u in users
    ]
    query = urlencode(
        {k: v for k, v in {"q": request.GET.get("q", ""), "role": request.GET.get("role", "")}.items() if v}
    )
    return render(
        request,
        "security/account_list.html",
        {
            "page": page,
            "rows": rows,
            "roles": Role.choices,
            "q": request.GET.get("q", ""),
            "role": request.GET.get("role", ""),
            "query": query,
            "can_create": has_perm("security.create_account", request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "security.create_account")
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = account_create(
                username=data["username"],
                password=data["new_password1"],
                role=data["role"],
                organisation=data["organisation"],
                full_name=data["full_name"],
                phone=data["phone"],
                email=data["email"],
                enforcement_certificate_no=data["enforcement_certificate_no"],
                actor=request.user,
            )
        except DomainError as exc:
            field = {"password": "new_password1"}.get(exc.field or "", exc.field)
            form.add_error(field if field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("账号 %(u)s 已创建，首次登录须修改密码。") % {"u": user.username})
            return redirect("account_detail", pk=user.pk)
    return render(request, "security/account_form.html", {"form": form, "title": _("新建业务账号")})


def _get_account(pk: int) -> User:
    return get_object_or_404(User.objects.select_related("organisation"), pk=pk)


@login_required
@require_GET
def account_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(request, "security.view_accounts")
    return _account_detail_page(request, _get_account(pk))


def _account_detail_page(request: AuthenticatedHttpRequest, account: User, *, revealed_phone: str = "") -> HttpResponse:
    user = request.user
    return render(
        request,
        "security/account_detail.html",
        {
            "account": account,
            "phone_masked": _masked_or_unreadable(account.phone),
            "revealed_phone": revealed_phone,
            "can_reveal_phone": has_perm("security.reveal_account_phone", user, account),
            "locked": bool(_locked_usernames([account.username])),
            "has_device": bool(_users_with_device([account.pk])),
            "role_form": AccountRoleForm(initial={"role": account.role}),
            "can": {
                name: has_perm(f"security.{name}", user, account)
                for name in (
                    "set_account_active",
                    "reset_account_password",
                    "end_account_sessions",
                    "set_account_role",
                    "unlock_account",
                    "reset_second_factor",
                )
            },
            "is_self": account.pk == user.pk,
        },
    )


def _masked_or_unreadable(value: Any) -> str:
    """The masked phone for a page, or a visible marker when the key cannot read it (the
    page still works; the reveal action answers with the clear error)."""
    try:
        return str(value.masked)
    except FieldCryptoError:
        return str(_("（无法解密）"))


@login_required
@require_POST
def account_phone_reveal_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """POST only (an explicit, audited action): the detail page with the full number, not
    cached by the browser."""
    _require(request, "security.view_accounts")
    account = _get_account(pk)
    try:
        phone = account_phone_reveal(account, actor=request.user)
    except DomainError as exc:
        if exc.http_status == 403:
            raise PermissionDenied(str(exc.message)) from exc
        messages.error(request, str(exc.message))
        response = _account_detail_page(request, account)
        response.status_code = exc.http_status
        return response
    response = _account_detail_page(request, account, revealed_phone=phone)
    response["Cache-Control"] = "no-store"
    return response


def _run(request: AuthenticatedHttpRequest, pk: int, success: str, action: Any) -> HttpResponseBase:
    try:
        action()
    except DomainError as exc:
        if exc.http_status == 403:
            raise PermissionDenied(str(exc.message)) from exc
        messages.error(request, str(exc.message))
    else:
        messages.success(request, success)
    return redirect("account_detail", pk=pk)


@login_required
@require_POST
def account_set_active_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    _require(request, "security.set_account_active")
    account = _get_account(pk)
    active = request.POST.get("active") == "1"
    msg = _("账号已启用。") if active else _("账号已停用，其所有登录已退出。")
    return _run(request, pk, msg, lambda: account_set_active(account, active=active, actor=request.user))


@login_required
@require_POST
def account_end_sessions_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    _require(request, "security.end_account_sessions")
    account = _get_account(pk)
    return _run(
        request, pk, _("该用户的所有登录已退出。"), lambda: account_end_sessions(account, actor=request.user)
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_password_reset_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    _require(request, "security.reset_account_password")
    account = _get_account(pk)
    form = AccountPasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_reset_password(
                account, new_password=form.cleaned_data["new_password1"], actor=request.user
            )
        except DomainError as exc:
            if exc.http_status == 403:
                raise PermissionDenied(str(exc.message)) from exc
            form.add_error("new_password1", str(exc.message))
        else:
            messages.success(request, _("临时密码已设置，该用户下次登录须修改密码。"))
            return redirect("account_detail", pk=pk)
    return render(
        request,
        "security/account_form.html",
        {"form": form, "account": account, "title": _("重置 %(u)s 的密码") % {"u": account.username}},
    )


@login_required
@require_POST
def account_set_role_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    _require(request, "security.set_account_role")
    account = _get_account(pk)
    form = AccountRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择有效的角色。"))
        return redirect("account_detail", pk=pk)
    role = form.cleaned_data["role"]
    return _run(
        request, pk, _("角色已修改。"), lambda: account_set_role(account, role=role, actor=request.user)
    )


@login_required
@require_POST
def account_unlock_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    _require(request, "security.unlock_account")
    account = _get_account(pk)
    return _run(request, pk, _("登录锁定已解除。"), lambda: account_unlock(account, actor=request.user))


@login_required
@require_POST
def account_reset_second_factor_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    _require(request, "security.reset_second_factor")
    account = _get_account(pk)
    return _run(
        request,
        pk,
        _("动态口令设备已重置，该用户下次登录须重新绑定。"),
        lambda: account_reset_second_factor(account, actor=request.user),
    )


@login_required
@require_GET
def failed_login_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Failed logins by username and address, newest first (from django-axes)."""
    _require(request, "security.view_failed_logins")
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.order_by("-attempt_time").only(
        "username", "ip_address", "failures_since_start", "attempt_time"
    )
    page = Paginator(attempts, PAGE_SIZE).get_page(request.GET.get("page"))
    since = timezone.now() - timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    rows = [
        {
            "attempt": a,
            "locked": a.failures_since_start >= settings.AXES_FAILURE_LIMIT and a.attempt_time >= since,
        }
        for a in page.object_list
    ]
    usernames = {a.username for a in page.object_list if a.username}
    user_ids = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
    for row in rows:
        row["user_id"] = user_ids.get(row["attempt"].username)
    return render(request, "security/failed_logins.html", {"page": page, "rows": rows, "query": ""})
