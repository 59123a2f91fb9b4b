"""Page-number pagination with bounds: ``?page=2&page_size=100`` (at most 200 a page).

Answers ``{"items": [...], "count": <total>}``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE_SIZE = 200


class Pagination(PageNumberPagination):
    class Input(Schema):
        # Bounded so a fuzzed page number cannot overflow the database's OFFSET.
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            page_size=int(getattr(settings, "NINJA_PAGINATION_PER_PAGE", 50)), max_page_size=MAX_PAGE_SIZE, **kwargs
        )
