"""Attachment endpoints (registered on the API by ``yancheng.api.main``).

``{owner}`` is the owning model's label, e.g. ``core.enterprise``; objects the caller
may not see answer 404."""


import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Router, Schema, UploadedFile

from .http import download_response
from .models import Attachment
from .registry import visible_owner
from .services import attachment_add, attachment_delete, attachment_open, attachments_for, get_attachment_for

router = Router(tags=["attachments"])


class AttachmentOut(Schema):
    id: uuid.UUID
    owner: str
    object_id: str
    name: str
    mime_type: str
    size: int
    sha256: str
    uploaded_by: str | None
    uploaded_at: datetime
    download_url: str


def _out(a: Attachment, owner_key: str) -> dict[str, Any]:
    return {
        "id": a.pk,
        "owner": owner_key,
        "object_id": a.object_id,
        "name": a.original_name,
        "mime_type": a.mime_type,
        "size": a.size,
        "sha256": a.sha256,
        "uploaded_by": a.uploaded_by.display_name if a.uploaded_by else None,
        "uploaded_at": a.uploaded_at,
        "download_url": reverse("api:attachment_content", kwargs={"attachment_id": a.pk}),
    }


def _owner(request: HttpRequest, owner: str, object_id: str) -> Any:
    # Not registered, not existing or not visible: all the same 404.
    return visible_owner(request.auth, owner, object_id)  # type: ignore[attr-defined]


@router.get("/objects/{owner}/{object_id}/attachments", response=list[AttachmentOut], summary="对象的附件列表")
def attachment_list(request: HttpRequest, owner: str, object_id: str) -> list[dict[str, Any]]:
    entry, obj = _owner(request, owner, object_id)
    return [_out(a, entry.key) for a in attachments_for(obj)]


@router.post("/objects/{owner}/{object_id}/attachments", response={201: AttachmentOut}, summary="上传附件")
def attachment_upload(
    request: HttpRequest, owner: str, object_id: str, response: HttpResponse, file: File[UploadedFile]
) -> dict[str, Any]:
    """multipart/form-data with one ``file``. Checked by size and content; 413 when too
    large, 422 with a specific ``code`` when the type is not allowed."""
    entry, obj = _owner(request, owner, object_id)
    attachment = attachment_add(obj, file=file, actor=request.auth)  # type: ignore[attr-defined]
    attachment = Attachment.objects.select_related("uploaded_by").get(pk=attachment.pk)
    response["Location"] = reverse("api:attachment_detail", kwargs={"attachment_id": attachment.pk})
    return _out(attachment, entry.key)


@router.get("/attachments/{attachment_id}", response=AttachmentOut, url_name="attachment_detail", summary="附件信息")
def attachment_detail(request: HttpRequest, attachment_id: uuid.UUID) -> dict[str, Any]:
    attachment = get_attachment_for(request.auth, attachment_id)  # type: ignore[attr-defined]
    return _out(attachment, attachment.owner_key)


@router.get(
    "/attachments/{attachment_id}/content",
    url_name="attachment_content",
    summary="下载附件",
    openapi_extra={"responses": {200: {"description": "文件内容", "content": {"application/octet-stream": {}}}}},
)
def attachment_content(request: HttpRequest, attachment_id: uuid.UUID) -> Any:
    """The file, as an attachment (Content-Disposition with the UTF-8 name, nosniff).
    Its SHA-256 is checked first; a mismatch is not served (500 ``attachment_integrity_failed``)."""
    attachment = get_attachment_for(request.auth, attachment_id)  # type: ignore[attr-defined]
    fh = attachment_open(attachment, actor=request.auth)  # type: ignore[attr-defined]
    return download_response(attachment, fh)


@router.delete("/attachments/{attachment_id}", response={204: None}, summary="删除附件")
def attachment_remove(request: HttpRequest, attachment_id: uuid.UUID) -> HttpResponse:
    attachment = get_attachment_for(request.auth, attachment_id)  # type: ignore[attr-defined]
    attachment_delete(attachment, actor=request.auth)  # type: ignore[attr-defined]
    return HttpResponse(status=204)
