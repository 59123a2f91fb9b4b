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


class KeyUnavailableError(DomainError, FieldCryptoError):
    """An encrypted value cannot be read or written: the field key file is missing, lacks
    the key the value was made with, or the value does not authenticate. Never shown as an
    empty value; the technical cause is the exception's ``__cause__``."""

    code = "field_key_unavailable"
    http_status = 503
