"""The frame every case transition runs in (CONVENTIONS: transaction → lock →
visibility → version → transition check → permission → save changed fields → history +
audit): the services in :mod:`.services` are written inside it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_batch, audit_record
from yancheng.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from yancheng.core.typing import Actor

from .models import Case, CaseEvent
from .permissions import standing_of
from .workflow import Standing, allowed, can_transition


@dataclass
class Step:
    """A transition in progress: the locked case, who acts, what changed."""

    case: Case
    actor: Actor | None
    action: str
    standing: Standing
    from_status: str
    changed: set[str] = field(default_factory=set)

    def set(self, **values: Any) -> None:
        for name, value in values.items():
            if getattr(self.case, name) != value:
                setattr(self.case, name, value)
                self.changed.add(name)


class InvalidTransition(ConflictError):
    code = "invalid_transition"


class _Denied(Exception):
    def __init__(self, case: Case, action: str) -> None:
        self.case = case
        self.action = action


@contextmanager
def transition(
    case: Case | int, action: str, *, actor: Actor | None, expected_version: int | None = None, system: bool = False
) -> Iterator[Step]:
    pk = case.pk if isinstance(case, Case) else case
    try:
        # audit_batch: the step's record and its notification's in one chain append.
        with transaction.atomic(), audit_batch():
            # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins.
            locked = (
                Case.objects.select_for_update(of=("self",)).select_related("dispatch_org", "lead_org").get(pk=pk)
            )
            if not system and not Case.objects.visible_to(actor).filter(pk=locked.pk).exists():
                # Checked again here, not only in the views: a service never acts on a case the
                # actor cannot see (and does not reveal that it exists).
                raise NotFoundError(_("事项不存在。"))
            if expected_version is not None and locked.version != expected_version:
                raise ConflictError(
                    _("该事项已被他人更新（当前状态：%(s)s），请刷新后再操作。") % {"s": locked.get_status_display()},
                    code="stale_version",
                )
            if not can_transition(locked.status, action):
                raise InvalidTransition(
                    _("该事项当前状态为“%(s)s”，不能执行此操作（可能已被他人处理），请刷新查看。")
                    % {"s": locked.get_status_display()}
                )
            standing = Standing() if system or actor is None else standing_of(actor, locked)
            if not system and not allowed(locked, action, standing):
                raise _Denied(locked, action)
            step = Step(locked, actor, action, standing, locked.status)
            yield step
            case_obj = step.case
            if step.changed:
                case_obj.version += 1
                step.changed.update({"version", "updated_at"})
                case_obj.save(update_fields=sorted(step.changed))
            if isinstance(case, Case):  # keep the caller's instance in step with the row
                for name in step.changed | {"status"}:
                    setattr(case, name, getattr(case_obj, name))
    except _Denied as denied:
        # Recorded after the rollback, so the refusal itself stays in the audit trail.
        audit_record("case.denied", denied.case, actor=actor, after={"action": denied.action}, outcome="denied")
        raise PermissionDeniedError(_("您不能对该事项执行此操作。")) from None


def record_event(step: Step, *, note: str = "", internal: bool = False, data: dict[str, Any] | None = None,
           action: str | None = None) -> CaseEvent:
    actor = step.actor
    event = CaseEvent.objects.create(
        case=step.case,
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_org=getattr(actor, "organisation", None),
        action=action or step.action,
        from_status=step.from_status,
        to_status=step.case.status,
        note=note,
        internal=internal,
        data=data or {},
    )
    audit_record(
        f"case.{action or step.action}",
        step.case,
        actor=actor,
        before={"status": step.from_status},
        after={"status": step.case.status, **(data or {}), **({"note": note[:500]} if note else {})},
    )
    return event


