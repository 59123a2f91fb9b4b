"""Query parameters in and out: reading the lists' filters and building links to the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode


def yes_no(value: str) -> bool | None:
    return True if value == "1" else False if value == "0" else None


def param_pk(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


def param_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def link(name: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")
