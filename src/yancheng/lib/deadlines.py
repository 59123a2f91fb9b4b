"""A deadline is a day.

A limit that ends "at 24:00 of day D" (``workdays.deadline_after``) is stored as an
instant: 00:00 Asia/Shanghai of D + 1. People, documents and spreadsheets must see D —
never ``localtime(due).date()``, which gives D + 1 (a Saturday, for a Friday deadline).
Every output takes the day, or the label, from here.
"""

from __future__ import annotations

import datetime as dt

from .workdays import SHANGHAI


def _local(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None:
        raise ValueError("a deadline is an aware instant")
    return instant.astimezone(SHANGHAI)


def ends_at_midnight(instant: dt.datetime) -> bool:
    """Whether the deadline is the end of a whole day (24:00 Asia/Shanghai)."""
    return _local(instant).time() == dt.time(0)


def due_day(instant: dt.datetime | None) -> dt.date | None:
    """The day a deadline falls on: D for 24:00 of D (stored as 00:00 of D + 1); the local
    day for a deadline with a time of its own (e.g. 17:30)."""
    if instant is None:
        return None
    local = _local(instant)
    if local.time() == dt.time(0):
        return local.date() - dt.timedelta(days=1)
    return local.date()


def due_day_label(instant: dt.datetime | None) -> str:
    """``2026-12-14`` for a deadline at the end of 2026-12-14; "" for none."""
    day = due_day(instant)
    return day.isoformat() if day is not None else ""


def due_label(instant: dt.datetime | None) -> str:
    """The deadline where a time is shown: ``2026-12-14 24:00``, or ``2026-12-14 17:30``
    for one with a time of its own; "" for none."""
    if instant is None:
        return ""
    local = _local(instant)
    if local.time() == dt.time(0):
        return f"{local.date() - dt.timedelta(days=1):%Y-%m-%d} 24:00"
    return f"{local:%Y-%m-%d %H:%M}"
