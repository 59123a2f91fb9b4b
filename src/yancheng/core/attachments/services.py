"""Writes and reads of attachments. Every write is audited; downloads are audited too,
since documents may carry personal data (SPEC §2.4)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from yancheng.core.audit.models import AuditEvent
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import DomainError, NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.typing import Actor

from .models import Attachment
from .registry import Attachable, attachable_for, attachable_for_model
from .validation import UploadTooLarge, check_upload, max_bytes

_COPY_CHUNK = 1024 * 1024


class AttachmentIntegrityError(DomainError):
    """The stored bytes no longer match the SHA-256 taken at upload: not served."""

    code = "attachment_integrity_failed"
    http_status = 500


def max_per_object() -> int:
    return int(getattr(settings, "YANCHENG_ATTACHMENT_MAX_PER_OBJECT", 50))


def attachment_root() -> Path:
    return Path(settings.YANCHENG_ATTACHMENT_ROOT)


def attachments_for(obj: Model) -> QuerySet[Attachment]:
    ct = ContentType.objects.get_for_model(type(obj))
    return Attachment.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("uploaded_by")


def _entry_for(obj: Model) -> Attachable:
    entry = attachable_for_model(type(obj))
    if entry is None:
        raise ValidationFailed(_("此类对象不能添加附件。"), code="not_attachable")
    return entry


def _check_may_attach(entry: Attachable, obj: Model, actor: Actor | None) -> None:
    if actor is None:
        return
    if not entry.visible(actor).filter(pk=obj.pk).exists():
        raise NotFoundError(_("对象不存在或您无权查看。"))
    if not entry.can_attach(actor, obj):
        audit_record("permission_denied", obj, actor=actor, after={"perm": "attachment.add"},
                     outcome=AuditEvent.Outcome.DENIED)
        raise PermissionDeniedError(_("您没有为此对象上传或删除附件的权限。"))


def _spool(file: Any, directory: Path) -> tuple[BinaryIO, int, str]:
    """Copy the upload to a private temporary file in ``directory`` while counting and
    hashing; stop as soon as it passes the size cap (the declared size is not trusted)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    spool = tempfile.NamedTemporaryFile(dir=directory, prefix=".upload-", delete=False)  # noqa: SIM115
    digest = hashlib.sha256()
    size = 0
    limit = max_bytes()
    try:
        chunks = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(_COPY_CHUNK), b"")
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise UploadTooLarge(
                    _("文件过大：最大 %(mb).0f MB。") % {"mb": limit / 1024 / 1024}, field="file"
                )
            digest.update(chunk)
            spool.write(chunk)
        spool.flush()
        os.fsync(spool.fileno())
    except BaseException:
        spool.close()
        Path(spool.name).unlink(missing_ok=True)
        raise
    spool.seek(0)
    return cast(BinaryIO, spool), size, digest.hexdigest()


def attachment_add(obj: Model, *, file: Any, actor: Actor, name: str | None = None) -> Attachment:
    """Attach an uploaded file to ``obj``. The caller must be allowed to see ``obj`` (else
    404) and to attach to it (else 403); the file is checked by size and content
    (validation.check_upload) and stored under its uuid, never under the user's name."""
    entry = _entry_for(obj)
    _check_may_attach(entry, obj, actor)
    if attachments_for(obj).count() >= max_per_object():
        raise ValidationFailed(
            _("每个对象最多 %(n)d 个附件。") % {"n": max_per_object()}, field="file", code="too_many_attachments"
        )
    declared = getattr(file, "size", None)
    if declared is not None and declared > max_bytes():
        raise UploadTooLarge(_("文件过大：最大 %(mb).0f MB。") % {"mb": max_bytes() / 1024 / 1024}, field="file")
    root = attachment_root()
    spool, size, sha256 = _spool(file, root / "tmp")
    spool_path = Path(spool.name)
    try:
        with spool:
            safe_name, kind = check_upload(spool, name if name is not None else (getattr(file, "name", "") or ""), size)
        attachment = Attachment(
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=str(obj.pk),
            original_name=safe_name,
            mime_type=kind.mime_type,
            size=size,
            sha256=sha256,
            uploaded_by=actor,
        )
        target = attachment.storage_path
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(spool_path, 0o600)
        os.replace(spool_path, target)
    except BaseException:
        spool_path.unlink(missing_ok=True)
        raise
    try:
        with transaction.atomic():
            attachment.save(force_insert=True)
            audit_record(
                "attachment.add", obj, actor=actor,
                after={"attachment": str(attachment.pk), "name": safe_name, "mime": kind.mime_type, "size": size,
                       "sha256": sha256},
            )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return attachment


def _owner_of(attachment: Attachment) -> tuple[Attachable, Model | None]:
    entry = attachable_for(attachment.owner_key)
    if entry is None:
        raise NotFoundError(_("附件不存在或您无权查看。"))
    return entry, entry.model._default_manager.filter(pk=attachment.object_id).first()


def get_attachment_for(user: Actor, attachment_id: Any) -> Attachment:
    """The attachment if ``user`` may see its owner; otherwise NotFoundError (404)."""
    try:
        attachment = Attachment.objects.select_related("content_type", "uploaded_by").get(pk=attachment_id)
    except (Attachment.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError(_("附件不存在或您无权查看。")) from exc
    except Exception as exc:
        from django.core.exceptions import ValidationError

        if isinstance(exc, ValidationError):
            raise NotFoundError(_("附件不存在或您无权查看。")) from exc
        raise
    entry = attachable_for(attachment.owner_key)
    if entry is None or not entry.visible(user).filter(pk=attachment.object_id).exists():
        raise NotFoundError(_("附件不存在或您无权查看。"))
    return attachment


def attachment_delete(attachment: Attachment, *, actor: Actor | None) -> None:
    """Remove an attachment and its file: its uploader only (who must still be allowed to
    attach to the object) — one party never deletes another's evidence."""
    entry, owner = _owner_of(attachment)
    if owner is None:
        if actor is not None:
            raise NotFoundError(_("附件不存在或您无权查看。"))
    else:
        _check_may_attach(entry, owner, actor)
        if actor is not None and attachment.uploaded_by_id != actor.pk:
            raise PermissionDeniedError(_("只能删除自己上传的附件。"))
    path = attachment.storage_path
    with transaction.atomic():
        deleted, _detail = Attachment.objects.filter(pk=attachment.pk).delete()
        if not deleted:
            raise NotFoundError(_("附件不存在或您无权查看。"))
        audit_record(
            "attachment.delete", owner, actor=actor,
            object_type=attachment.owner_key, object_id=attachment.object_id,
            after={"attachment": str(attachment.pk), "name": attachment.original_name, "sha256": attachment.sha256},
        )
        transaction.on_commit(lambda: path.unlink(missing_ok=True))


def attachment_open(attachment: Attachment, *, actor: Actor) -> BinaryIO:
    """Open the stored file for sending after checking its SHA-256 against the one taken
    at upload; a mismatch (or a missing file) is recorded and nothing is served."""
    path = attachment.storage_path
    try:
        fh: BinaryIO = path.open("rb")
    except OSError:
        _integrity_failure(attachment, actor, "missing")
        raise AttachmentIntegrityError(_("附件文件缺失，已停止下载，请联系管理员。")) from None
    digest = hashlib.sha256()
    for chunk in iter(lambda: fh.read(_COPY_CHUNK), b""):
        digest.update(chunk)
    if digest.hexdigest() != attachment.sha256:
        fh.close()
        _integrity_failure(attachment, actor, "sha256_mismatch")
        raise AttachmentIntegrityError(_("附件文件校验失败（可能被篡改或损坏），已停止下载，请联系管理员。"))
    fh.seek(0)
    audit_record(
        "attachment.download", actor=actor, object_type=attachment.owner_key, object_id=attachment.object_id,
        object_repr=attachment.original_name, after={"attachment": str(attachment.pk)},
    )
    return fh


def _integrity_failure(attachment: Attachment, actor: Actor, reason: str) -> None:
    with contextlib.suppress(Exception):
        audit_record(
            "attachment.integrity_failed", actor=actor, object_type=attachment.owner_key,
            object_id=attachment.object_id, object_repr=attachment.original_name,
            after={"attachment": str(attachment.pk), "reason": reason}, outcome=AuditEvent.Outcome.FAILURE,
        )
