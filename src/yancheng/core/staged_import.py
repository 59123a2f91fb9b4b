"""The .xlsx import flow every importer shares: upload → dry run with a row-by-row report →
confirm the very same file (all or nothing). The checked file waits in
``DATA_DIR/imports`` under a random name; the confirm form carries a signed token naming
it and its uploader, valid for an hour."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from yancheng.core.kit.exports import download
from yancheng.lib.xlsx import write_workbook

TOKEN_MAX_AGE = 3600


class StagedFileGone(Exception):
    """The token expired or its file was already imported: upload again (message for the user)."""


def _import_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def template_response(*, title: str, columns: Iterable[tuple[str, Any, bool]], filename: str) -> HttpResponse:
    """The import template: the column names (required ones starred) and a row of hints."""
    columns = list(columns)
    headers = [name + ("*" if required else "") for name, _help, required in columns]
    help_row = [str(help_text) for _name, help_text, _required in columns]
    return download(write_workbook(title, headers, [help_row]), filename)


def stage(request: HttpRequest, data: bytes, *, salt: str) -> str:
    """Keep a file whose dry run passed; returns the token the confirm form posts back."""
    name = secrets.token_hex(16)
    (_import_dir() / f"{name}.xlsx").write_bytes(data)
    return signing.dumps({"f": name, "u": request.user.pk}, salt=salt)


def staged_file(request: HttpRequest, *, salt: str) -> Path:
    """The file the posted token names. Another user's token is refused (403); an expired
    or already used one raises StagedFileGone."""
    try:
        payload = signing.loads(request.POST.get("token", ""), salt=salt, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature as exc:
        raise StagedFileGone(_("导入已过期或无效，请重新上传文件。")) from exc
    if payload.get("u") != request.user.pk:
        raise PermissionDenied
    name = str(payload.get("f", ""))
    if not name.isalnum():
        raise PermissionDenied
    path = _import_dir() / f"{name}.xlsx"
    if not path.exists():
        raise StagedFileGone(_("导入已完成或已过期，请重新上传文件。"))
    return path
