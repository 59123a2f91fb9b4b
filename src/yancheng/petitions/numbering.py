"""Numbers people quote: the matter's 信访件编号 and each organ's 文号 per kind of notice."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from yancheng.core.models import Organisation

from .models import DocumentKind, NumberCounter

# The 文号's 代字 per kind of notice: 〔year〕 and the number follow it.
DOCUMENT_CODES: dict[str, str] = {
    DocumentKind.ACCEPTANCE: "信受告",
    DocumentKind.NON_ACCEPTANCE: "信不受告",
    DocumentKind.NO_LONGER_ACCEPTED: "信不再受告",
    DocumentKind.EXTENSION: "信延告",
    DocumentKind.FORWARD: "信转",
    DocumentKind.ASSIGNMENT: "信交",
    DocumentKind.OPINION: "信意",
    DocumentKind.REVIEW_OPINION: "信复查",
    DocumentKind.RECHECK_OPINION: "信复核",
    DocumentKind.AGREEMENT: "信协",
    DocumentKind.COMPLETION_REPORT: "信结报",
}


def _next(series: str, year: int) -> int:
    """The next number of `series` in `year`. The counter row stays locked until the caller's
    transaction commits, so two clerks never get the same number (a rollback gives it back)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers are taken inside the write's transaction")
    counter, _ = NumberCounter.objects.get_or_create(series=series, year=year)
    counter = NumberCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def next_petition_number(today: dt.date) -> str:
    """``XF2026-000123``."""
    return f"XF{today.year}-{_next('petition', today.year):06d}"


def next_document_number(issuer: Organisation, kind: str, today: dt.date) -> str:
    """``衡阳市信访局信受告〔2026〕12号`` (the organ's short name when it has one)."""
    name = issuer.short_name or issuer.name
    seq = _next(f"doc:{issuer.pk}:{kind}", today.year)
    return f"{name}{DOCUMENT_CODES[kind]}〔{today.year}〕{seq}号"
