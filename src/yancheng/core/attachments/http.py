"""The download answer, shared by the page view and the API."""

from __future__ import annotations

from typing import BinaryIO

from django.http import FileResponse

from yancheng.core.kit.exports import content_disposition

from .models import Attachment


def download_response(attachment: Attachment, fh: BinaryIO) -> FileResponse:
    response = FileResponse(fh, content_type=attachment.mime_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were talked into rendering it, it could run nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
