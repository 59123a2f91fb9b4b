"""The API plumbing every router uses (``<app>/api.py`` and ``yancheng.api`` alike): it sits
in core so that the apps, which may not import ``yancheng.api``, share one definition.

* ``etag`` / ``parse_if_match`` / ``if_match``: the version a client last read travels as
  ``ETag: "<version>"`` and comes back in ``If-Match``; ``if_match`` answers 428
  ``precondition_required`` without it and 400 ``if_match_invalid`` when it cannot be read
  (``yancheng.api.guards`` applies the same reading to every PATCH and PUT).
* ``Pagination``: ``?page=&page_size=`` (at most ``MAX_PAGE_SIZE``), answering
  ``{"items": [...], "count": N}``.
* ``MappedQuerySet``: a queryset the paginator counts and slices, each page turned into
  dicts, so a schema never touches a lazy relation.
* ``json_body``: a JSON body read into a pydantic model chosen at run time (one endpoint
  serving several bodies), refused like any other body (422 ``validation_failed``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from yancheng.core.errors import DomainError

# --- If-Match and ETag ---------------------------------------------------------------------------

IF_MATCH = "If-Match"
IF_MATCH_MISSING = _("修改须带 If-Match 头（值为读取时返回的 ETag），以免覆盖他人的修改。")
IF_MATCH_INVALID = _("If-Match 头格式不正确，应为读取时返回的 ETag，例如 \"3\"。")

# "3", W/"3" or a bare 3; at most ten digits so the number fits the version column.
_ETAG_RE = re.compile(r'^\s*(?:W/)?"?(\d{1,10})"?\s*$')


class PreconditionRequired(DomainError):
    """A change came without ``If-Match``: it could overwrite someone else's (RFC 6585)."""

    code = "precondition_required"
    http_status = 428


class IfMatchInvalid(DomainError):
    """``If-Match`` does not hold an ETag this API gave out."""

    code = "if_match_invalid"
    http_status = 400


def etag(version: int) -> str:
    """The ``ETag`` header of an object at ``version``."""
    return f'"{version}"'


def parse_if_match(value: str | None) -> int | None:
    """The version in an If-Match header, or None when there is none or it cannot be read."""
    if not value:
        return None
    match = _ETAG_RE.match(value)
    return int(match.group(1)) if match else None


def if_match(request: HttpRequest, *, missing: Any = None) -> int:
    """The version the client last read, from ``If-Match``, to hand to the service as
    ``expected_version``. ``missing`` is the message when the header is absent (each
    endpoint says what it protects); the message for an unreadable header is the same
    everywhere."""
    header = request.headers.get(IF_MATCH)
    if not header:
        raise PreconditionRequired(IF_MATCH_MISSING if missing is None else missing, field=IF_MATCH)
    version = parse_if_match(header)
    if version is None:
        raise IfMatchInvalid(IF_MATCH_INVALID, field=IF_MATCH)
    return version


# --- lists ---------------------------------------------------------------------------------------

MAX_PAGE_SIZE = 200


class Pagination(PageNumberPagination):
    """``?page=2&page_size=100``: ``NINJA_PAGINATION_PER_PAGE`` a page unless asked, at most
    ``MAX_PAGE_SIZE``."""

    class Input(Schema):
        # Bounded so a fuzzed page number cannot overflow the database's OFFSET.
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            page_size=int(getattr(settings, "NINJA_PAGINATION_PER_PAGE", 50)), max_page_size=MAX_PAGE_SIZE, **kwargs
        )


M = TypeVar("M", bound=Model)


class MappedQuerySet(Generic[M]):
    """A queryset the paginator can count and slice, turned into dicts a page at a time:
    ``fn`` maps one object, or ``page`` maps a whole page (when the page's answer needs one
    more query for all its rows rather than one a row)."""

    def __init__(
        self, qs: QuerySet[M], fn: Callable[[M], dict[str, Any]] | None = None, *,
        page: Callable[[list[M]], list[dict[str, Any]]] | None = None,
    ) -> None:
        if (fn is None) == (page is None):
            raise TypeError("MappedQuerySet takes either fn or page")
        self.qs = qs
        self.fn = fn
        self.page = page

    def count(self) -> int:
        return int(self.qs.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        objs = list(self.qs[item])
        if self.page is not None:
            return self.page(objs)
        assert self.fn is not None
        return [self.fn(obj) for obj in objs]


# --- bodies --------------------------------------------------------------------------------------

B = TypeVar("B", bound=BaseModel)


def json_body(request: HttpRequest, model: type[B]) -> B:
    """The request's JSON body as ``model``; errors located like ninja's own (``body``)."""
    raw = request.body or b"{}"
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NinjaValidationError([{"loc": ("body",), "type": "json_invalid", "msg": "invalid JSON"}]) from exc
    if not isinstance(data, dict):
        raise NinjaValidationError([{"loc": ("body",), "type": "dict_type", "msg": "object expected"}])
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        errors = [
            {"loc": ("body", "payload", *err["loc"]), "type": err["type"], "msg": err["msg"]}
            for err in exc.errors(include_url=False)
        ]
        raise NinjaValidationError(errors) from exc
