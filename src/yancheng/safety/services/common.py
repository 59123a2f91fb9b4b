"""What every safety service shares: the clock, the year-numbered reference of a new row, the
row lock that hides what the actor cannot see, and the version check."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from yancheng.core.kit.rows import check_version, lock_visible


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


# The row lock and the version check are the kit's (every module's services use them).
__all__ = ["check_version", "lock_visible", "now", "numbered", "placeholder_number"]
