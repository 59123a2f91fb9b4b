"""Account administration (三权分立): the security administrator's list, detail and actions on
accounts, and the failed logins (SPEC §12)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.audit.services import audit_record
from yancheng.core.crypto import FieldCryptoError, digest_for, looks_like_phone
from yancheng.core.errors import DomainError
from yancheng.core.kit.exports import EXPORT_MAX_ROWS, wants_xlsx, xlsx_response
from yancheng.core.kit.require import require_page
from yancheng.core.models import Role, User
from yancheng.core.typing import AuthenticatedHttpRequest

from ..forms import (
    AccountCreateForm,
    AccountPasswordResetForm,
    AccountRoleForm,
)
from ..lockouts import lockouts_in_force
from ..permissions import has_perm
from ..services import (
    account_create,
    account_end_sessions,
    account_phone_reveal,
    account_reset_password,
    account_reset_second_factor,
    account_set_active,
    account_set_role,
    account_unlock,
)
from .second_factor import totp_device_model

PAGE_SIZE = 50


def _locked_usernames(usernames: list[str]) -> set[str]:
    """Usernames with a lockout in force (on any address)."""
    return set(lockouts_in_force().filter(username__in=usernames).values_list("username", flat=True))


def _users_with_device(user_ids: list[int]) -> set[int]:
    TOTPDevice = totp_device_model()
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
    if request.GET.get("locked") == "1":
        qs = qs.filter(username__in=lockouts_in_force().values("username"))
    return qs


def _account_list_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The accounts the page lists under its search and filters, with what the page shows:
    the phone masked as on the page; never a password hash, a second-factor secret or a token."""
    users = list(_account_queryset(request))
    locked = _locked_usernames([u.username for u in users])
    with_device = _users_with_device([u.pk for u in users])
    audit_record("account.export", actor=request.user, object_type="core.user",
                 after={"filters": {k: request.GET.get(k, "") for k in ("q", "role", "locked") if request.GET.get(k)},
                        "rows": len(users)})

    def state(u: User) -> str:
        if not u.is_active:
            return _("已停用")
        return _("已锁定") if u.username in locked else _("正常")

    headers = [_("用户名"), _("姓名"), _("手机号"), _("角色"), _("所属单位"), _("状态"), _("须改密"), _("动态口令")]
    rows = (
        [u.username, u.full_name, _masked_or_unreadable(u.phone), u.get_role_display(),
         u.organisation.name if u.organisation else "", state(u), u.must_change_password,
         _("已绑定") if u.pk in with_device else _("未绑定")]
        for u in users
    )
    return xlsx_response(_("账号"), headers, rows)


@login_required
@require_GET
def account_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "security.view_accounts", audited=True)
    if wants_xlsx(request):
        return _account_list_xlsx(request)
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
        {k: v for k, v in {"q": request.GET.get("q", ""), "role": request.GET.get("role", ""),
                           "locked": "1" if request.GET.get("locked") == "1" else ""}.items() if v}
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
            "locked": request.GET.get("locked") == "1",
            "query": query,
            "can_create": has_perm("security.create_account", request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "security.create_account", audited=True)
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
            return redirect("accounts:account_detail", pk=user.pk)
    return render(request, "security/account_form.html", {"form": form, "title": _("新建业务账号")})


def _get_account(pk: int) -> User:
    return get_object_or_404(User.objects.select_related("organisation"), pk=pk)


@login_required
@require_GET
def account_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_page(request, "security.view_accounts", audited=True)
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
    require_page(request, "security.view_accounts", audited=True)
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
    return redirect("accounts:account_detail", pk=pk)


@login_required
@require_POST
def account_set_active_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    require_page(request, "security.set_account_active", audited=True)
    account = _get_account(pk)
    active = request.POST.get("active") == "1"
    msg = _("账号已启用。") if active else _("账号已停用，其所有登录已退出。")
    return _run(request, pk, msg, lambda: account_set_active(account, active=active, actor=request.user))


@login_required
@require_POST
def account_end_sessions_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    require_page(request, "security.end_account_sessions", audited=True)
    account = _get_account(pk)
    return _run(
        request, pk, _("该用户的所有登录已退出。"), lambda: account_end_sessions(account, actor=request.user)
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_password_reset_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    require_page(request, "security.reset_account_password", audited=True)
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
            return redirect("accounts:account_detail", pk=pk)
    return render(
        request,
        "security/account_form.html",
        {"form": form, "account": account, "title": _("重置 %(u)s 的密码") % {"u": account.username}},
    )


@login_required
@require_POST
def account_set_role_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    require_page(request, "security.set_account_role", audited=True)
    account = _get_account(pk)
    form = AccountRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择有效的角色。"))
        return redirect("accounts:account_detail", pk=pk)
    role = form.cleaned_data["role"]
    return _run(
        request, pk, _("角色已修改。"), lambda: account_set_role(account, role=role, actor=request.user)
    )


@login_required
@require_POST
def account_unlock_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    require_page(request, "security.unlock_account", audited=True)
    account = _get_account(pk)
    return _run(request, pk, _("登录锁定已解除。"), lambda: account_unlock(account, actor=request.user))


@login_required
@require_POST
def account_reset_second_factor_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    require_page(request, "security.reset_second_factor", audited=True)
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
    require_page(request, "security.view_failed_logins", audited=True)
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.order_by("-attempt_time").only(
        "username", "ip_address", "failures_since_start", "attempt_time"
    )
    since = timezone.now() - timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    if wants_xlsx(request):
        listed = list(attempts[:EXPORT_MAX_ROWS])
        audit_record("account.failed_login_export", actor=request.user, object_type="axes.accessattempt",
                     after={"rows": len(listed)})
        headers = [_("尝试的用户名"), _("IP 地址"), _("失败次数"), _("最近一次"), _("状态")]
        return xlsx_response(_("登录失败记录"), headers, (
            [a.username or "", a.ip_address or "", a.failures_since_start, a.attempt_time,
             _("锁定中") if a.failures_since_start >= settings.AXES_FAILURE_LIMIT and a.attempt_time >= since else ""]
            for a in listed
        ))
    page = Paginator(attempts, PAGE_SIZE).get_page(request.GET.get("page"))
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
