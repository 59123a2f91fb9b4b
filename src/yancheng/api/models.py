"""API credentials and the idempotency store."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A personal access token a user made for themselves (for scripts and other systems).

    Only the SHA-256 of the token is stored: the token itself is shown once, when it is
    made. A token acts with its owner's role and organisation, and stops working when it
    expires, is revoked or its owner is disabled."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=64)
    # The first characters of the token, so its owner can tell tokens apart.
    prefix = models.CharField(_("前缀"), max_length=16)
    key_hash = models.CharField(_("摘要"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="api_token_expires_after_created"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class IdempotencyRecord(models.Model):
    """The first answer to a creating request (POST) sent with an ``Idempotency-Key``.

    A retry with the same key by the same user gets this answer back byte for byte
    instead of creating a second object (draft-ietf-httpapi-idempotency-key-header,
    Stripe's model). While ``status`` is null the first request is still running."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("幂等键"), max_length=255)
    fingerprint = models.CharField(_("请求摘要"), max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=512)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)
    status = models.PositiveSmallIntegerField(_("响应状态"), null=True, blank=True)
    content_type = models.CharField(max_length=128, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    body = models.BinaryField(default=b"", blank=True)

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = _("幂等记录")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"

    @property
    def in_flight(self) -> bool:
        return self.status is None
