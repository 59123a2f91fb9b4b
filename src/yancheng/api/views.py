"""Pages of the API app: a user's personal API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from yancheng.core.errors import DomainError
from yancheng.core.kit.forms import SiteForm
from yancheng.core.typing import AuthenticatedHttpRequest

from .models import ApiToken
from .services import TOKEN_VALIDITY_CHOICES, api_token_create, api_token_revoke


class TokenForm(SiteForm):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=64, help_text=gettext_lazy("例如：数据对接脚本"))
    valid_days = forms.TypedChoiceField(
        label=gettext_lazy("有效期"),
        coerce=int,
        initial=90,
        choices=[(d, format_lazy(gettext_lazy("{days} 天"), days=d)) for d in TOKEN_VALIDITY_CHOICES],
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The caller's tokens; a new token is shown once, in the answer to the POST that
    made it (never stored, never put in the session). Only the roles that may hold
    tokens reach it (``api.manage_tokens``, the rule of the header's link)."""
    user = request.user
    if not user.has_perm("api.manage_tokens"):
        raise PermissionDenied
    form = TokenForm(request.POST or None)
    new_token = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = api_token_create(
                user=user, name=form.cleaned_data["name"], valid_days=form.cleaned_data["valid_days"], actor=user
            )
        except DomainError as exc:
            form.add_error("name" if exc.field not in form.fields else exc.field, str(exc.message))
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at")
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens, "new_token": new_token})


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    token = ApiToken.objects.filter(pk=pk, user=user).first()
    if token is None:
        raise Http404
    api_token_revoke(token, actor=request.user)
    messages.success(request, _("已吊销令牌“%(name)s”。") % {"name": token.name})
    return redirect("api:api_token_list")
