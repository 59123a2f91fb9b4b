"""Changing one's own password (security-checklist §3)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yancheng.core.errors import DomainError
from yancheng.core.services import user_set_password
from yancheng.core.typing import AuthenticatedHttpRequest

from ..forms import OwnPasswordChangeForm
from ..middleware import password_expired
from ..sessions import end_all_sessions
from .login import next_url


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
            return redirect(next_url(request))
    reason = ""
    if user.must_change_password:
        reason = _("管理员重置了您的密码，请设置新密码后继续。")
    elif password_expired(user):
        reason = _("您的密码已超过 %(days)d 天未修改，请设置新密码后继续。") % {
            "days": settings.YANCHENG_PASSWORD_MAX_AGE_DAYS
        }
    return render(
        request, "security/password_change.html", {"form": form, "reason": reason, "next": next_url(request)}
    )
