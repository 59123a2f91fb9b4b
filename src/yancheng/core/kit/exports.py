"""Office files sent to the browser: the content types and the download response.

The file name goes into ``Content-Disposition`` twice (RFC 6266): an ASCII fallback in
``filename=`` for old clients, and the name itself, Chinese and all, in
``filename*=UTF-8''…`` (RFC 8187), which every current browser uses."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

from yancheng.lib.xlsx import write_workbook

# The most rows a list's export holds (a list longer than this is narrowed with its filters).
EXPORT_MAX_ROWS = 20_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def stamped(name: str, ext: str = "xlsx", at: dt.datetime | None = None) -> str:
    """``name-YYYYmmdd-HHMM.ext`` in local time (now unless `at` is given): an export's
    file name that sorts by when it was made."""
    return f"{name}-{timezone.localtime(at):%Y%m%d-%H%M}.{ext}"


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """``attachment; filename="<ASCII>"; filename*=UTF-8''<percent-encoded name>``.

    The fallback keeps the ASCII letters, digits and ``._-`` of the name (accents dropped,
    any other run of characters one ``_``); a name with no ASCII left falls back to ``download`` plus its
    extension. A plain ASCII name is sent as it is, without ``filename*``."""
    name = filename.replace("\r", " ").replace("\n", " ")
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")

    def ascii_only(text: str) -> str:
        kept = (c if c.isascii() and (c.isalnum() or c in "._-") else "_"
                for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        return re.sub("_+", "_", "".join(kept))

    fallback_stem = ascii_only(stem).strip("_-") or "download"
    fallback = fallback_stem + (dot + ascii_only(ext) if ext else "")
    if fallback == name:
        return f'{disposition}; filename="{name}"'
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def download(data: bytes, filename: str, content_type: str = XLSX) -> HttpResponse:
    """`data` as an attachment named `filename` (which may be Chinese)."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def wants_xlsx(request: Any) -> bool:
    """The list view was asked for its .xlsx export (``?format=xlsx``) instead of the page."""
    return request.method in ("GET", "HEAD") and request.GET.get("format") == "xlsx"


def xlsx_response(
    title: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    name: str | None = None,
    filter_rows: int | None = None,
    at: dt.datetime | None = None,
) -> HttpResponse:
    """A list's .xlsx export as a download: one sheet named `title` made by
    ``lib.xlsx.write_workbook`` (numbers and dates typed, widths, the header frozen, an
    autofilter), sent as ``<name>-YYYYmmdd-HHMM.xlsx``, `name` defaulting to the title — in
    the user's language, so a Chinese name in Chinese (``filename*``, RFC 6266).

    The caller checks the permission, builds the rows from the same queryset as the page
    (same filters, same scope) and writes its audit record."""
    data = write_workbook(str(title), [str(h) for h in headers], rows, filter_rows=filter_rows)
    return download(data, stamped(str(name or title), "xlsx", at=at))
