"""Domain errors. Views turn them into form errors or messages; the API into a JSON
error with the stable ``code``."""

from __future__ import annotations

from typing import Any

from yancheng.lib.fieldcrypt import FieldCryptoError


class DomainError(Exception):
    code = "domain_error"
    http_status = 400

    def __init__(self, message: Any, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code:
            self.code = code


class ValidationFailed(DomainError):
    code = "validation_failed"
    http_status = 422


class PermissionDeniedError(DomainError):
    code = "permission_denied"
    http_status = 403


class NotFoundError(DomainError):
    code = "not_found"
    http_status = 404


class ConflictError(DomainError):
    """Someone else changed the object first (optimistic concurrency) or a duplicate."""

    code = "conflict"
    http_status = 409


class RowsRefused(ValidationFailed):
    """Rows of a bulk create that did not pass: ``errors`` maps the index of each refused
    row to its error (the first one found), so an import reports them by row."""

    def __init__(self, errors: dict[int, DomainError]) -> None:
        from django.utils.translation import gettext as _

        super().__init__(_("%(n)d 行未通过校验，全部未写入。") % {"n": len(errors)})
        self.errors = errors


class KeyUnavailableError(DomainError, FieldCryptoError):
    """An encrypted value cannot be read or written: the field key file is missing, lacks
    the key the value was made with, or the value does not authenticate. Never shown as an
    empty value; the technical cause is the exception's ``__cause__``."""

    code = "field_key_unavailable"
    http_status = 503


# The signed 64-bit range of the databases' integer columns (BigAutoField ids included).
DB_INT_MIN, DB_INT_MAX = -(2**63), 2**63 - 1


def error_payload(code: str, message: Any, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The API's JSON error body (docs/api.md); defined here so that the input guard below
    the API (core.middleware) answers in the same format."""
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


# SQLSTATE class 22 is "data exception": a value out of range for its column type
# (22003), a string too long (22001), a bad date/time field (22008) …; all caused by the
# input, none by the server.
_DATA_EXCEPTION_CLASS = "22"


def bad_input_message(exc: BaseException) -> str | None:
    """The message for an exception that bad input raises below our code, or None.

    One guard for every path, query and form field (issue 10 §5): an integer too large
    for SQLite (``OverflowError``), a PostgreSQL data exception (``DataError``, SQLSTATE
    22xxx) and a malformed multipart body answer 400 with this message instead of 500,
    on the pages and in the API alike."""
    from django.db import DataError
    from django.http.multipartparser import MultiPartParserError
    from django.utils.translation import gettext as _

    if isinstance(exc, OverflowError):
        return _("提交的数值超出允许范围，请检查后重试。")
    if isinstance(exc, MultiPartParserError):
        return _("上传请求的格式不正确（缺少或损坏的 multipart 分隔符），请重新选择文件后提交。")
    if isinstance(exc, DataError):
        cause = exc.__cause__
        sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if sqlstate is None or str(sqlstate).startswith(_DATA_EXCEPTION_CLASS):
            return _("提交的数值超出允许范围或格式不正确，请检查后重试。")
    return None
