"""Office files sent to the browser: the content types and the download response.

The file name goes into ``Content-Disposition`` as given (Django encodes a non-ASCII
header value itself), so every download keeps the name it has always had."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def stamped(name: str, ext: str = "xlsx", at: dt.datetime | None = None) -> str:
    """``name-YYYYmmdd-HHMM.ext`` in local time (now unless `at` is given): an export's
    file name that sorts by when it was made."""
    return f"{name}-{timezone.localtime(at):%Y%m%d-%H%M}.{ext}"


def download(data: bytes, filename: str, content_type: str = XLSX) -> HttpResponse:
    """`data` as an attachment named `filename`."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
