"""Domain errors shown where the user acts: on a form's field (or above the form), in the
admin's form, or as the HTTP answer of a view."""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from yancheng.core.errors import DomainError, NotFoundError, PermissionDeniedError

V = TypeVar("V", bound=Callable[..., Any])


def _field_of(exc: DomainError, fields: Container[str], field_map: Mapping[str, str | None] | None) -> str | None:
    name = exc.field
    if name is not None and field_map is not None and name in field_map:
        name = field_map[name]
    return name if name is not None and name in fields else None


def add_domain_error(form: Any, exc: DomainError, *, field_map: Mapping[str, str | None] | None = None) -> None:
    """Put the error's message on the form field it names (through `field_map` when the
    service and the form name it differently; a name mapped to None goes above the form), or above the form when the form has no
    such field."""
    form.add_error(_field_of(exc, form.fields, field_map), str(exc.message))


def as_validation_error(exc: DomainError, fields: Container[str]) -> ValidationError:
    """The error as Django's `ValidationError`, on the named field when `fields` has it —
    what an admin form's ``clean()`` raises."""
    field = _field_of(exc, fields, None)
    return ValidationError({field: str(exc.message)} if field else str(exc.message))


def domain_errors_to_http(view: V) -> V:
    """A view decorator: `NotFoundError` that escapes the view answers 404 and
    `PermissionDeniedError` 403, as Django's own exceptions would."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except NotFoundError:
            raise Http404 from None
        except PermissionDeniedError:
            raise PermissionDenied from None

    return wrapper  # type: ignore[return-value]
