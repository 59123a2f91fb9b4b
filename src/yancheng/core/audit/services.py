"""Writing the audit trail. Every service that changes data calls `audit_record` inside
its own transaction, so a change and its audit record commit or roll back together."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from . import context
from .chain import event_hash, fields_of, format_ts, genesis_hash, normalise_json
from .keys import AuditKeyError, checkpoint_message, load_keys, sign
from .models import AuditCheckpoint, AuditEvent

logger = logging.getLogger(__name__)

# Any constant: the advisory lock that serialises appends to the chain on PostgreSQL.
_CHAIN_LOCK_KEY = 7_245_011


class _Anonymous:
    """Marker: record the event with no actor at all (anonymous inspection ratings)."""


ANONYMOUS = _Anonymous()


def lock_chain() -> None:
    """Serialise writers of the chain (appends, checkpoints, the archive) until commit."""
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
        lock_chain()
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
        every = int(getattr(settings, "YANCHENG_AUDIT_CHECKPOINT_EVERY", 0) or 0)
        if every > 0 and event.seq % every == 0:
            _auto_checkpoint(event.seq, event.hash)
    return event


def _auto_checkpoint(seq: int, chain_hash: str) -> None:
    # A missing key must not stop the business write it rides on (the record itself is
    # kept); the daily `audit_checkpoint` command and the system check report it loudly.
    try:
        keys = load_keys()
    except AuditKeyError as exc:
        logger.error("audit checkpoint at seq %s skipped: %s", seq, exc)
        return
    _checkpoint_insert(seq=seq, chain_hash=chain_hash, signing_key=keys.signing_key, key_id=keys.signing_key_id)


def _checkpoint_insert(
    *, seq: int, chain_hash: str, signing_key: bytes, key_id: str, is_archive_cut: bool = False
) -> AuditCheckpoint:
    created_at = timezone.now()
    message = checkpoint_message(
        deployment_id=settings.YANCHENG_AUDIT_DEPLOYMENT_ID,
        seq=seq,
        chain_hash=chain_hash,
        is_archive_cut=is_archive_cut,
        created_at=format_ts(created_at),
    )
    checkpoint = AuditCheckpoint(
        seq=seq,
        hash=chain_hash,
        created_at=created_at,
        key_id=key_id,
        signature=sign(signing_key, message),
        is_archive_cut=is_archive_cut,
    )
    checkpoint.save(force_insert=True)
    return checkpoint


def audit_checkpoint_create(*, is_archive_cut: bool = False, at_seq: int | None = None) -> AuditCheckpoint | None:
    """Sign the chain's current head ``(seq, hash)`` with the key held outside the database,
    so a later rewrite or cut of the chain up to here is detected (SPEC §2.4).

    Runs daily (``manage.py audit_checkpoint``) and every YANCHENG_AUDIT_CHECKPOINT_EVERY
    records. Returns None when the chain is empty or the head is already signed.
    Raises AuditKeyError when there is no key. ``at_seq`` and ``is_archive_cut`` are for the
    archive operation, which signs an older record as the new start of the chain.
    """
    keys = load_keys()
    with transaction.atomic():
        lock_chain()
        if at_seq is None:
            seq, chain_hash = chain_head()
            if seq == 0:
                return None
        else:
            seq = at_seq
            chain_hash = AuditEvent.objects.values_list("hash", flat=True).get(seq=at_seq)
        if not is_archive_cut and AuditCheckpoint.objects.filter(seq=seq).exists():
            return None
        return _checkpoint_insert(
            seq=seq,
            chain_hash=chain_hash,
            signing_key=keys.signing_key,
            key_id=keys.signing_key_id,
            is_archive_cut=is_archive_cut,
        )
