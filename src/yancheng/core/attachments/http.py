"""The download answer, shared by the page view and the API."""

from __future__ import annotations

import unicodedata
from typing import BinaryIO
from urllib.parse import quote

from django.http import FileResponse

from .models import Attachment


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 8187)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = "".join(c if c.isalnum() or c in "._- " else "_" for c in ascii_name).strip() or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_response(attachment: Attachment, fh: BinaryIO) -> FileResponse:
    response = FileResponse(fh, content_type=attachment.mime_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were talked into rendering it, it could run nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
