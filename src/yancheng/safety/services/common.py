"""What every safety service shares: the clock, the year-numbered reference of a new row, the
row lock that hides what the actor cannot see, and the version check."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.errors import ConflictError, NotFoundError

M = TypeVar("M", bound=Model)


def now() -> dt.datetime:
    return timezone.now()


def numbered(prefix: str, pk: int, when: dt.datetime) -> str:
    """``YH2026-000123``: the year it was made and its row number (unique, increasing; the
    audit trail, not the numbering, proves that nothing was deleted)."""
    return f"{prefix}{timezone.localtime(when).year}-{pk:06d}"


def placeholder_number() -> str:
    """A unique stand-in for a new row's number until its pk gives the real one (in the same
    transaction); short enough for the 24-character number columns."""
    return f"~{uuid.uuid4().hex[:20]}"


def lock_visible(visible: QuerySet[M], pk: int, *, missing: str) -> M:
    """The row locked for the write, or ``NotFoundError`` when the actor may not see it
    (``visible`` is the actor's ``visible_to`` queryset, or all rows for the system)."""
    if not visible.filter(pk=pk).exists():
        raise NotFoundError(missing)
    return visible.model._default_manager.select_for_update().get(pk=pk)


def check_version(obj: Model, expected_version: int | None) -> None:
    """Refuse a step taken on a stale page or ``If-Match`` (412 in the API)."""
    if expected_version is not None and expected_version != obj.version:  # type: ignore[attr-defined]
        raise ConflictError(_("该记录已被他人修改，请刷新后重试。"), code="stale_version")
