"""Attachment pages: download (permission-checked), upload and delete from the
``attachments/_attachments.html`` panel on an object's page."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yancheng.core.errors import DomainError, NotFoundError
from yancheng.core.typing import AuthenticatedHttpRequest

from .http import download_response
from .registry import visible_owner
from .services import attachment_add, attachment_delete, attachment_open, get_attachment_for


def _back(request: AuthenticatedHttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/"
    return redirect(target)


@login_required
@require_GET
def download(request: AuthenticatedHttpRequest, attachment_id: uuid.UUID) -> HttpResponseBase:
    try:
        attachment = get_attachment_for(request.user, attachment_id)
    except NotFoundError as exc:
        raise Http404 from exc
    try:
        fh = attachment_open(attachment, actor=request.user)
    except DomainError as exc:
        return HttpResponse(str(exc.message), status=exc.http_status, content_type="text/plain; charset=utf-8")
    return download_response(attachment, fh)


@login_required
@require_POST
def upload(request: AuthenticatedHttpRequest, key: str, object_id: str) -> HttpResponse:
    _entry, obj = visible_owner(request.user, key, object_id)
    files = request.FILES.getlist("file")
    if not files:
        messages.error(request, _("请选择要上传的文件。"))
        return _back(request)
    added: list[str] = []
    for file in files:
        try:
            attachment = attachment_add(obj, file=file, actor=request.user)
        except NotFoundError as exc:
            raise Http404 from exc
        except DomainError as exc:
            messages.error(request, _("“%(name)s”未上传：%(reason)s") % {"name": file.name, "reason": exc.message})
        else:
            added.append(attachment.original_name)
    if added:
        messages.success(request, _("已上传：%(names)s") % {"names": "、".join(added)})
    return _back(request)


@login_required
@require_POST
def delete(request: AuthenticatedHttpRequest, attachment_id: uuid.UUID) -> HttpResponse:
    try:
        attachment = get_attachment_for(request.user, attachment_id)
        attachment_delete(attachment, actor=request.user)
    except NotFoundError as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已删除附件：%(name)s") % {"name": attachment.original_name})
    return _back(request)


