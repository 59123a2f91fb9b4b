"""The enterprise's supervision code (监督码)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Enterprise

if TYPE_CHECKING:
    pass




class SupervisionCode(models.Model):
    """企业监督码: a QR code pointing at the enterprise's registration page, carrying an
    unguessable token. Re-issuing revokes the old one at once; at most one is active."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="supervision_codes"
    )
    token = models.CharField(_("令牌"), max_length=64, unique=True)
    issued_at = models.DateTimeField(_("签发时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签发人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("作废人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("企业监督码")
        verbose_name_plural = _("企业监督码")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(revoked_at__isnull=True), name="one_active_code_per_enterprise"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.issued_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
