"""Writes of the API app: personal tokens (each one audited)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import PermissionDeniedError, ValidationFailed
from yancheng.core.typing import Actor

from .auth import hash_token, new_token
from .models import ApiToken

TOKEN_VALIDITY_CHOICES = (30, 90, 180, 365)
MAX_ACTIVE_TOKENS = 10


def api_token_create(*, user: Actor, name: str, valid_days: int, actor: Actor | None) -> tuple[ApiToken, str]:
    """Make a personal API token for ``user`` (only for oneself). Returns the row and the
    token itself, which is not stored and cannot be shown again."""
    if actor is not None and actor.pk != user.pk:
        raise PermissionDeniedError(_("只能为自己创建接口令牌。"))
    if not user.is_active:
        raise PermissionDeniedError(_("账号已停用。"))
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise ValidationFailed(_("请填写令牌名称（不超过 64 个字）。"), field="name")
    if valid_days not in TOKEN_VALIDITY_CHOICES:
        raise ValidationFailed(_("有效期只能是 30、90、180 或 365 天。"), field="valid_days")
    now = timezone.now()
    with transaction.atomic():
        active = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
        if len(active) >= MAX_ACTIVE_TOKENS:
            raise ValidationFailed(
                _("有效令牌最多 %(n)d 个，请先吊销不用的令牌。") % {"n": MAX_ACTIVE_TOKENS}, field="name"
            )
        raw = new_token()
        token = ApiToken.objects.create(
            user=user, name=name, prefix=raw[:10], key_hash=hash_token(raw), created_at=now,
            expires_at=now + timedelta(days=valid_days),
        )
        audit_record(
            "api_token.create", token, actor=actor,
            after={"user": user.pk, "name": name, "prefix": token.prefix, "expires_at": token.expires_at.isoformat()},
        )
    return token, raw


def api_token_revoke(token: ApiToken, *, actor: Actor | None) -> ApiToken:
    """Revoke a token: it stops working at once. Its owner revokes it (the system, with
    ``actor=None``, may too)."""
    if actor is not None and actor.pk != token.user_id:
        raise PermissionDeniedError(_("只能吊销自己的接口令牌。"))
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit_record("api_token.revoke", locked, actor=actor, after={"user": locked.user_id, "prefix": locked.prefix})
    return locked
