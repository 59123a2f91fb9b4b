"""Writing the audit trail. Every service that changes data calls `audit_record` inside
its own transaction, so a change and its audit record commit or roll back together."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from . import context
from .chain import event_hash, fields_of, genesis_hash, normalise_json
from .models import AuditEvent

# Any constant: the advisory lock that serialises appends to the chain on PostgreSQL.
_CHAIN_LOCK_KEY = 7_245_011


class _Anonymous:
    """Marker: record the event with no actor at all (anonymous inspection ratings)."""


ANONYMOUS = _Anonymous()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite: transactions are BEGIN IMMEDIATE (settings), so the writer already holds
    # the database's single write lock.


def chain_head() -> tuple[int, str]:
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    if last is None:
        return 0, genesis_hash(settings.YANCHENG_AUDIT_DEPLOYMENT_ID)
    return int(last[0]), str(last[1])


def audit_record(
    action: str,
    obj: Model | None = None,
    *,
    actor: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    outcome: str = AuditEvent.Outcome.SUCCESS,
    ip: str | None = None,
) -> AuditEvent:
    """Append one record to the audit trail.

    ``actor`` defaults to the user of the current request; pass ``ANONYMOUS`` to record
    an event that must not name anyone (and then neither IP nor request id is kept).
    """
    ctx = context.current()
    anonymous = actor is ANONYMOUS
    if anonymous:
        actor = None
    elif actor is None:
        actor = ctx.user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    organisation = getattr(actor, "organisation", None) if actor is not None else None
    with transaction.atomic():
        _lock_chain()
        seq, prev = chain_head()
        event = AuditEvent(
            seq=seq + 1,
            ts=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_repr=(getattr(actor, "username", "") or "")[:150],
            organisation_id=getattr(organisation, "pk", None),
            organisation_repr=(str(organisation) if organisation is not None else "")[:128],
            action=action[:64],
            object_type=object_type[:64],
            object_id=object_id[:64],
            object_repr=object_repr[:255],
            before=normalise_json(before),
            after=normalise_json(after),
            ip="" if anonymous else (ctx.ip if ip is None else ip)[:45],
            request_id="" if anonymous else ctx.request_id,
            outcome=outcome,
            prev_hash=prev,
        )
        event.hash = event_hash(prev, fields_of(event))
        event.save(force_insert=True)
    return event
