"""Which models can carry attachments, and who may see and add them.

Each app registers its models in its ``AppConfig.ready()``::

    register_attachable(Case, lambda user: Case.objects.visible_to(user),
                        lambda user, case: user.has_perm("cases.attach_case", case))

Downloads and lists check ``visible_queryset_fn(user)`` (not visible → 404); uploads
and deletions also ``can_attach_fn(user, obj)`` (visible but not allowed → 403).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404

from yancheng.core.typing import Actor


@dataclass(frozen=True)
class Attachable:
    model: type[Model]
    visible: Callable[[Any], QuerySet[Any]]
    can_attach: Callable[[Any, Any], bool]

    @property
    def key(self) -> str:
        return self.model._meta.label_lower


_REGISTRY: dict[str, Attachable] = {}


def register_attachable(
    model: type[Model],
    visible_queryset_fn: Callable[[Any], QuerySet[Any]],
    can_attach_fn: Callable[[Any, Any], bool],
) -> None:
    entry = Attachable(model, visible_queryset_fn, can_attach_fn)
    _REGISTRY[entry.key] = entry


def attachable_for(key: str) -> Attachable | None:
    return _REGISTRY.get(key.lower())


def attachable_for_model(model: type[Model]) -> Attachable | None:
    return _REGISTRY.get(model._meta.label_lower)


def registered_keys() -> list[str]:
    return sorted(_REGISTRY)


def visible_owner(user: Actor, key: str, object_id: Any) -> tuple[Attachable, Any]:
    """The owning object if ``user`` may see it; else Http404 (no existence leak)."""
    entry = attachable_for(key)
    if entry is None:
        raise Http404
    try:
        obj = entry.visible(user).get(pk=object_id)
    except (entry.model.DoesNotExist, ValueError, TypeError) as exc:  # type: ignore[attr-defined]
        raise Http404 from exc
    except Exception as exc:  # e.g. a malformed uuid or an out-of-range integer
        from django.core.exceptions import ValidationError

        if isinstance(exc, ValidationError | OverflowError):
            raise Http404 from exc
        raise
    return entry, obj


def can_see(user: Actor, key: str, object_id: Any) -> bool:
    try:
        visible_owner(user, key, object_id)
    except Http404:
        return False
    return True
