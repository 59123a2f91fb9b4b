"""One audited write for back-office settings rows (a time-limit policy, light thresholds):
rows that have no domain service of their own still never change without their record."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models, transaction

from yancheng.core.typing import Actor

from .services import audit_record

M = TypeVar("M", bound=models.Model)


def _values(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The named fields, a link as its id (the audit trail keeps no objects)."""
    meta = obj._meta
    return {name: getattr(obj, getattr(meta.get_field(name), "attname", name)) for name in names}


def audited_save(obj: M, *, action: str, fields: Iterable[str], actor: Actor, keys: Iterable[str] = ()) -> M:
    """Save ``obj`` and record ``<action>.create`` or ``<action>.update`` in one transaction,
    with ``fields`` before (read under a row lock) and after; ``keys`` name the row in the
    record's after-values (they do not change once created)."""
    fields, keys = tuple(fields), tuple(keys)
    adding = obj._state.adding
    with transaction.atomic():
        before = None
        if not adding:
            before = _values(type(obj)._default_manager.select_for_update().get(pk=obj.pk), fields)
        obj.save()
        audit_record(
            f"{action}.create" if adding else f"{action}.update",
            obj,
            actor=actor,
            before=before,
            after={**_values(obj, keys), **_values(obj, fields)},
        )
    return obj
