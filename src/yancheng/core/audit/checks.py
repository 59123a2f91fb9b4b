"""System checks for the audit trail: production must have its checkpoint key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from .keys import AuditKeyError, load_keys


@register(Tags.security)
def audit_key_available(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "IS_PRODUCTION", False):
        return []
    try:
        load_keys()
    except AuditKeyError as exc:
        return [
            Error(
                f"The audit checkpoint key is not available: {exc}",
                hint="Set YANCHENG_AUDIT_KEY or provision YANCHENG_AUDIT_KEY_FILE (mode 0600, outside the database "
                "and its backups); see docs/audit.md.",
                id="yancheng.audit.E001",
            )
        ]
    return []


@register(Tags.security)
def audit_anchor_file_set(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Without anchors a cut of the chain's tail together with its checkpoints goes unseen."""
    if not getattr(settings, "IS_PRODUCTION", False):
        return []
    if (getattr(settings, "YANCHENG_AUDIT_ANCHOR_FILE", "") or "").strip():
        return []
    return [
        Warning(
            "YANCHENG_AUDIT_ANCHOR_FILE is empty: checkpoints are not written outside the database.",
            hint="Point it at a file on another volume than the database (docs/audit.md, 'Anchors').",
            id="yancheng.audit.W001",
        )
    ]
