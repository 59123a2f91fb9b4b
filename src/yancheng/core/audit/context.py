"""The request context (actor, IP, request id) that audit records pick up by default."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

from yancheng.core.typing import Actor


@dataclass(frozen=True)
class AuditContext:
    user: Actor | None = None
    ip: str = ""
    request_id: str = ""


_EMPTY = AuditContext()
_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("audit_context", default=None)


def current() -> AuditContext:
    return _current.get() or _EMPTY


def set_context(ctx: AuditContext) -> contextvars.Token[AuditContext | None]:
    return _current.set(ctx)


def reset_context(token: contextvars.Token[AuditContext | None]) -> None:
    _current.reset(token)
