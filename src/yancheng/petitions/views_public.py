"""The public query page (查询码): no login. A 信访人 types the code printed on the
registration slip (or sent by SMS) and follows the matter; once an answer is served, rates it.

- The code travels only in a POST body, never in a URL; a wrong, malformed, empty or unknown
  code answers the same page, message and status. Every attempt counts against the address
  and against everybody (``public.query_attempt_allowed``); past the limit, 429.
- A right code puts the matter's id (and the time) in the session — never the code or its
  digest — for ``SESSION_SECONDS``; the session key is renewed first. "退出查询" forgets it.
- Downloads of served notices go through a reference bound to the session
  (``public.document_ref``): the URL names neither the matter nor the notice.
- The views are ``sensitive_post_parameters``: an error report prints no code or comment.
"""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.audit.middleware import client_ip
from yancheng.core.audit.services import ANONYMOUS, audit_record
from yancheng.core.errors import DomainError
from yancheng.core.kit.exports import DOCX, download
from yancheng.core.kit.forms import SiteForm, add_domain_error

from . import documents, public
from .models import Petition, Rating

SESSION_KEY = "petitions_query"
SESSION_SECONDS = 30 * 60
CODE_MAX = 64  # what is read of the box (a code is 12 characters, 14 with its dashes)


class QueryForm(SiteForm):
    code = forms.CharField(
        label=gettext_lazy("查询码"), required=False,
        help_text=gettext_lazy("登记时告知的 12 位查询码（也以短信发送），例如 ABCD-EFGH-JKMN；大小写和短横线均可。"),
        widget=forms.TextInput(attrs={
            "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "maxlength": "20",
            "inputmode": "text", "class": "query-code",
        }),
    )


class RateForm(SiteForm):
    handling = forms.ChoiceField(label=gettext_lazy("您对办理过程是否满意"), choices=Rating.choices,
                                 widget=forms.RadioSelect)
    result = forms.ChoiceField(label=gettext_lazy("您对办理结果是否满意"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=gettext_lazy("意见和建议（选填）"), required=False, max_length=public.COMMENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))


def _forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def session_petition(request: HttpRequest) -> Petition | None:
    """The matter this browser opened with its code in the last ``SESSION_SECONDS``."""
    held = request.session.get(SESSION_KEY)
    if not isinstance(held, dict):
        return None
    pk, at = held.get("id"), held.get("at")
    if not isinstance(pk, int) or not isinstance(at, int | float) or time.time() - float(at) > SESSION_SECONDS:
        _forget(request)
        return None
    return Petition.objects.select_related("handling_org", "case").filter(pk=pk).first()


def _session_key(request: HttpRequest) -> str:
    if not request.session.session_key:
        request.session.save()
    return str(request.session.session_key)


def _form_page(request: HttpRequest, *, not_found: bool = False) -> HttpResponse:
    return render(request, "petitions/query_form.html", {"form": QueryForm(), "not_found": not_found})


def _matter_page(request: HttpRequest, petition: Petition, *, rate_form: RateForm | None = None,
                 status: int = 200) -> HttpResponse:
    view = public.public_view(petition, session_key=_session_key(request))
    context: dict[str, Any] = {
        "view": view,
        "rate_form": rate_form or (RateForm() if view.can_rate else None),
        "minutes": SESSION_SECONDS // 60,
    }
    return render(request, "petitions/query.html", context, status=status)


def _throttled(request: HttpRequest) -> HttpResponse:
    response = render(request, "petitions/query_throttled.html",
                      {"minutes": max(1, public._window() // 60)}, status=429)
    response["Retry-After"] = str(public.retry_after_seconds())
    return response


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def petition_query(request: HttpRequest) -> HttpResponseBase:
    if request.method == "POST":
        if not public.query_attempt_allowed(client_ip(request)):
            return _throttled(request)
        code = str(request.POST.get("code", ""))[:CODE_MAX]
        petition = public.petition_for_code(code)
        del code
        if petition is None:
            _forget(request)
            return _form_page(request, not_found=True)
        request.session.cycle_key()
        request.session[SESSION_KEY] = {"id": petition.pk, "at": int(time.time())}
        return redirect("petitions:query")
    petition = session_petition(request)
    if petition is None:
        return _form_page(request)
    return _matter_page(request, petition)


@never_cache
@require_POST
def petition_query_leave(request: HttpRequest) -> HttpResponseBase:
    """退出查询: the session forgets the matter."""
    _forget(request)
    messages.success(request, _("已退出查询。"))
    return redirect("petitions:query")


@never_cache
@sensitive_post_parameters("comment")
@require_POST
def petition_query_rate(request: HttpRequest) -> HttpResponseBase:
    petition = session_petition(request)
    if petition is None:
        raise Http404
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            public.petition_rate(petition, handling=form.cleaned_data["handling"], result=form.cleaned_data["result"],
                                 comment=form.cleaned_data["comment"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("感谢您的评价。"))
            return redirect("petitions:query")
    return _matter_page(request, petition, rate_form=form, status=400)


@never_cache
@require_GET
def petition_query_document(request: HttpRequest, ref: str) -> HttpResponse:
    """A served notice of the session's matter, as its .docx (it names the petitioners: the
    download is audited, without naming anybody or keeping the address)."""
    petition = session_petition(request)
    if petition is None or not request.session.session_key:
        raise Http404
    document = public.document_by_ref(petition, request.session.session_key, ref)
    if document is None:
        raise Http404
    data = documents.render(document)
    audit_record("petition.public_document_download", document, actor=ANONYMOUS,
                 after={"petition": petition.pk, "kind": document.kind})
    return download(data, f"{document.get_kind_display()}{document.number}.docx", DOCX)
