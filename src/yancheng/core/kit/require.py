"""The audited permission check every service makes before it writes.

A refusal is a fact worth keeping: who asked for what, on which object. It is written to
the audit trail (outcome ``denied``) and the service stops with `PermissionDeniedError`.
Services call `require` before they open their transaction, so the record survives the
rollback of the refused work.
"""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from yancheng.core.audit.models import AuditEvent
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import PermissionDeniedError
from yancheng.core.typing import Actor, actor_of


def require(actor: Actor | None, perm: str, obj: Any = None) -> None:
    """Refuse unless `actor` holds the `rules` permission `perm` (on `obj` when given).

    ``actor=None`` is the system itself (imports, the demo loader, scheduled jobs and
    commands), which is always allowed and is recorded as such by the audit trail."""
    if actor is None:
        return
    if not rules.has_perm(perm, actor, obj):
        audit_record("permission_denied", obj, actor=actor, after={"perm": perm}, outcome=AuditEvent.Outcome.DENIED)
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))


def require_page(request: HttpRequest, perm: str, obj: Any = None, *, audited: bool = False) -> None:
    """A page's check before it shows or handles anything: Django's `PermissionDenied`
    (403) unless the signed-in user holds `perm`. What the page then writes goes through a
    service, whose own `require` is the audited check. ``audited=True`` also records the
    refusal with the page's path, for pages whose mere reading is sensitive (account
    administration, ASVS 5.0-16.3.2)."""
    if rules.has_perm(perm, request.user, obj):
        return
    if audited:
        audit_record(
            "permission_denied", obj, actor=actor_of(request),
            after={"perm": perm, "path": request.path[:200]}, outcome=AuditEvent.Outcome.DENIED,
        )
    raise PermissionDenied
