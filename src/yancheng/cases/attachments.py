"""Cases carry photos and documents (SPEC §2.6): the reporter's photo of the problem, the
unit's evidence of the solution. Call ``register()`` from ``CasesConfig.ready``."""

from __future__ import annotations

from django.db.models import QuerySet

from yancheng.core.typing import Actor

from .models import OPEN_STATUSES, Case, Status
from .permissions import standing_of

ATTACHABLE_STATUSES = (*OPEN_STATUSES, Status.RESOLVED)


def cases_visible(user: Actor) -> QuerySet[Case]:
    return Case.objects.visible_to(user)


def may_attach_to_case(user: Actor, case: Case) -> bool:
    """Anyone who is something to the case (reporter side, dispatcher, lead or co-unit,
    overseer) may add files while it is open or resolved; closed cases are frozen."""
    if case.status not in ATTACHABLE_STATUSES:
        return False
    standing = standing_of(user, case)
    return any(getattr(standing, name) for name in standing.__dataclass_fields__)


def register() -> None:
    from yancheng.core.attachments.registry import register_attachable

    register_attachable(Case, cases_visible, may_attach_to_case)
