"""Exemption reasons (why an inspection does not count against the caps), saved and switched off by audited services."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.typing import Actor

from ..models import (
    ExemptionReason,
)

_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


def _reason_audit(reason: ExemptionReason) -> dict[str, Any]:
    return {"code": reason.code, "name": reason.name, "evidence_required": reason.evidence_required,
            "requires_attachment": reason.requires_attachment, "is_active": reason.is_active}


def exemption_reason_save(
    *,
    actor: Actor,
    name: str,
    evidence_required: str,
    code: str = "",
    requires_attachment: bool = False,
    reason: ExemptionReason | None = None,
) -> ExemptionReason:
    """Add an exemption reason (a complaint, a referral, follow-up of rectification, the
    enterprise's own request …) with the evidence it needs, or change one (its code stays:
    registrations refer to it)."""
    require(actor, "inspections.manage_rules")
    require(actor, "inspections.manage_city_rules")
    name = clean_text(name, field="name", max_length=100, required=_("请填写豁免事由名称。"))
    evidence_required = clean_text(evidence_required, field="evidence_required", max_length=200, required=_("请写明所需证明材料：豁免检查须有据可查。"))
    with transaction.atomic():
        if reason is None:
            code = str(code or "").strip().lower()
            if not _CODE_RE.match(code):
                raise ValidationFailed(_("编码须为 1 至 32 位小写字母、数字、下划线或连字符。"), field="code")
            if ExemptionReason.objects.filter(code=code).exists():
                raise ConflictError(_("编码 %(code)s 已被使用。") % {"code": code}, code="duplicate")
            try:
                with transaction.atomic():
                    saved = ExemptionReason.objects.create(code=code, name=name, evidence_required=evidence_required,
                                                           requires_attachment=bool(requires_attachment))
            except IntegrityError as exc:
                raise ConflictError(_("编码 %(code)s 已被使用。") % {"code": code}, code="duplicate") from exc
            audit_record("exemption_reason.create", saved, actor=actor, after=_reason_audit(saved))
            return saved
        saved = ExemptionReason.objects.select_for_update().get(pk=reason.pk)
        before = _reason_audit(saved)
        saved.name, saved.evidence_required = name, evidence_required
        saved.requires_attachment = bool(requires_attachment)
        changed = [k for k in ("name", "evidence_required", "requires_attachment") if before[k] != getattr(saved, k)]
        if changed:
            saved.save(update_fields=changed)
            audit_record("exemption_reason.update", saved, actor=actor, before={k: before[k] for k in changed},
                         after={k: getattr(saved, k) for k in changed})
    return saved


def exemption_reason_set_active(reason: ExemptionReason, *, actor: Actor, active: bool) -> ExemptionReason:
    """Stop offering a reason for new registrations (or offer it again); past registrations
    keep it."""
    require(actor, "inspections.manage_rules")
    require(actor, "inspections.manage_city_rules")
    with transaction.atomic():
        locked = ExemptionReason.objects.select_for_update().get(pk=reason.pk)
        if locked.is_active != bool(active):
            locked.is_active = bool(active)
            locked.save(update_fields=["is_active"])
            audit_record("exemption_reason.activate" if active else "exemption_reason.deactivate", locked,
                         actor=actor, after={"is_active": locked.is_active})
    return locked


def exemption_reason_deactivate(reason: ExemptionReason, *, actor: Actor) -> ExemptionReason:
    return exemption_reason_set_active(reason, actor=actor, active=False)
