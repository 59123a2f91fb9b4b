"""Attachments: photos and documents on cases, projects, inspections, enterprises (SPEC §2.6)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Attachment(models.Model):
    """A file attached to one object (its owner). The bytes live under
    ``settings.YANCHENG_ATTACHMENT_ROOT`` by the attachment's uuid, outside any web root,
    and are served only by the permission-checked download view; the name the user gave
    is kept (sanitised) for display and the download's Content-Disposition only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(_("对象编号"), max_length=64)
    owner = GenericForeignKey("content_type", "object_id")
    original_name = models.CharField(_("文件名"), max_length=200)
    mime_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空表示由系统导入。"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "uploaded_at"], name="attachment_owner_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="attachment_sha256_hex"),
            models.CheckConstraint(condition=Q(size__gt=0), name="attachment_not_empty"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def storage_path(self) -> Path:
        """Where the bytes are: <root>/<first two hex digits>/<uuid>, never the user's name."""
        hexid = self.id.hex
        return Path(settings.YANCHENG_ATTACHMENT_ROOT) / hexid[:2] / hexid

    @property
    def owner_key(self) -> str:
        return f"{self.content_type.app_label}.{self.content_type.model}"
