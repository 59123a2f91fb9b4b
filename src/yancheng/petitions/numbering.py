"""Numbers people quote: the matter's 信访件编号 and each organ's 文号 per kind of notice."""

from __future__ import annotations

import datetime as dt

from yancheng.core.kit.numbering import document_number, next_in_series
from yancheng.core.models import Organisation

from .models import DocumentKind

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


def next_petition_number(today: dt.date) -> str:
    """``XF2026-000123``."""
    return f"XF{today.year}-{next_in_series('petition', today.year):06d}"


def next_document_number(issuer: Organisation, kind: str, today: dt.date) -> str:
    """``衡阳市信访局信受告〔2026〕12号`` (the organ's short name when it has one)."""
    return document_number(issuer, DOCUMENT_CODES[kind], today.year, f"doc:{issuer.pk}:{kind}")
