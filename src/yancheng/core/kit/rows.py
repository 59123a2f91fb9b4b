"""The row a write works on: locked only when the actor may see it, and refused when the page
or the ``If-Match`` it came from is stale. Every module's services use these two."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from yancheng.core.errors import ConflictError, NotFoundError

M = TypeVar("M", bound=Model)


def lock_visible(visible: QuerySet[M], pk: int, *, missing: str) -> M:
    """The row locked for the write, or ``NotFoundError`` when the actor may not see it
    (``visible`` is the actor's ``visible_to`` queryset, or all rows for the system)."""
    if not visible.filter(pk=pk).exists():
        raise NotFoundError(missing)
    return visible.model._default_manager.select_for_update().get(pk=pk)


def check_version(obj: Model, expected_version: int | None) -> None:
    """Refuse a step taken on a stale page or ``If-Match`` (412 in the API)."""
    if expected_version is not None and expected_version != obj.version:  # type: ignore[attr-defined]
        raise ConflictError(_("该记录已被他人修改，请刷新后重试。"), code="stale_version")


def bump(obj: Model, *fields: str) -> list[str]:
    """Increase the row's ``version`` and return the fields to save with it."""
    obj.version += 1  # type: ignore[attr-defined]
    return [*fields, "version"]
