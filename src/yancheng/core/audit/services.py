"""Writing the audit trail. Every service that changes data calls `audit_record` inside
its own transaction, so a change and its audit record commit or roll back together."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from yancheng.core.typing import Actor

from . import context
from .anchors import anchor_on_commit
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


def _lock_chain_and_read_head() -> tuple[int, str]:
    """``lock_chain()`` then ``chain_head()``, in one round trip on PostgreSQL.

    Two statements in one simple-protocol message, not one statement: PostgreSQL takes a
    snapshot per statement (READ COMMITTED), so the head is read after the lock is
    granted and sees the record its last holder committed — a single statement would have
    taken its snapshot before waiting for the lock and could read a stale head. Only with
    client-side binding (Django's default), which sends a parameterless query as one
    simple-protocol message; otherwise two round trips, as ``lock_chain`` and
    ``chain_head`` do."""
    if connection.vendor == "postgresql":
        import psycopg

        with connection.cursor() as cursor:
            if isinstance(cursor.cursor, psycopg.ClientCursor):
                table = connection.ops.quote_name(AuditEvent._meta.db_table)
                cursor.execute(
                    f"SELECT pg_advisory_xact_lock({int(_CHAIN_LOCK_KEY)}); "  # noqa: S608 - our constant and table
                    f'SELECT "seq", "hash" FROM {table} ORDER BY "seq" DESC LIMIT 1'
                )
                if not cursor.nextset():  # pragma: no cover - the driver returns both results
                    raise RuntimeError("the audit chain's head was not read")
                row = cursor.fetchone()
                if row is None:
                    return 0, genesis_hash(settings.YANCHENG_AUDIT_DEPLOYMENT_ID)
                return int(row[0]), str(row[1])
    lock_chain()
    return chain_head()


@dataclass
class _Batch:
    """Records written inside ``audit_batch()``, waiting for the end of the block."""

    savepoints: list[str]
    pending: list[AuditEvent] = field(default_factory=list)

    def takes(self) -> bool:
        # Only while no savepoint was opened since the batch began: a record inside one
        # could be rolled back on its own, and must then not be appended at the end.
        return connection.in_atomic_block and _savepoints() == self.savepoints


_batch: contextvars.ContextVar[_Batch | None] = contextvars.ContextVar("audit_batch", default=None)


def _savepoints() -> list[str]:
    return [sid for sid in connection.savepoint_ids if sid]


@contextmanager
def audit_batch() -> Iterator[None]:
    """Inside a service's transaction: the records written in the block are appended when
    it ends, together — one chain lock, one read of the chain's head and one INSERT,
    instead of each record on its own. Same records, same order, same transaction; if the
    block raises, nothing is appended (the transaction rolls back anyway).

    A record written inside a savepoint opened within the block (which could be rolled
    back alone) is appended at once, as without a batch. Outside a transaction the block
    changes nothing.
    """
    if not connection.in_atomic_block or _batch.get() is not None:
        yield
        return
    batch = _Batch(savepoints=_savepoints())
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
    if batch.pending:
        _append(batch.pending)


def audit_record(
    action: str,
    obj: Model | None = None,
    *,
    actor: Actor | _Anonymous | None = None,
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
    Inside ``audit_batch()`` the record is appended when the batch ends (its ``seq``,
    ``ts`` and ``hash`` are set then).
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
    event = AuditEvent(
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
    )
    batch = _batch.get()
    if batch is not None and batch.takes():
        batch.pending.append(event)
    else:
        _append([event])
    return event


def _append(events: list[AuditEvent]) -> None:
    """Chain and insert ``events`` after the current head, under the chain lock. No
    savepoint of its own: inside a service's transaction the records stand or fall with
    the change (outside one, this is its own transaction)."""
    with transaction.atomic(savepoint=False):
        seq, prev = _lock_chain_and_read_head()
        for event in events:
            seq += 1
            event.seq = seq
            event.ts = timezone.now()
            event.prev_hash = prev
            event.hash = prev = event_hash(prev, fields_of(event))
        if len(events) == 1:
            events[0].save(force_insert=True)
        else:
            AuditEvent.objects.bulk_create(events)
        every = int(getattr(settings, "YANCHENG_AUDIT_CHECKPOINT_EVERY", 0) or 0)
        if every > 0:
            for event in events:
                if event.seq % every == 0:
                    _auto_checkpoint(event.seq, event.hash)


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
    # Outside the database too, once committed: the anchor file, the log, the witness.
    anchor_on_commit(checkpoint)
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


# --- appending many records at once -----------------------------------------------------------

@dataclass(frozen=True)
class AuditEntry:
    """One record for `audit_record_many`: what `audit_record` takes besides the actor and IP,
    which a batch shares."""

    action: str
    obj: Model | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    object_type: str = ""
    object_id: str = ""
    object_repr: str = ""
    outcome: str = AuditEvent.Outcome.SUCCESS


def audit_record_many(entries: Iterable[AuditEntry], *, actor: Actor | _Anonymous | None = None, ip: str | None = None) -> list[AuditEvent]:
    """Append many records to the audit trail at once, in the order given: one chain lock,
    one read of the chain's head and one bulk INSERT (COPY on PostgreSQL), for the jobs
    and imports that change many objects in one transaction.

    Each record is exactly what `audit_record` would have written for the same arguments —
    the same fields, canonical form and hash chain, so `yancheng audit verify` cannot tell
    the difference — and the checkpoints falling inside the batch are signed as usual. The
    records of one batch share one timestamp (they are written by one statement of work).
    """
    ctx = context.current()
    anonymous = actor is ANONYMOUS
    if anonymous:
        actor = None
    elif actor is None:
        actor = ctx.user
    organisation = getattr(actor, "organisation", None) if actor is not None else None
    shared = {
        "actor_id": getattr(actor, "pk", None),
        "actor_repr": (getattr(actor, "username", "") or "")[:150],
        "organisation_id": getattr(organisation, "pk", None),
        "organisation_repr": (str(organisation) if organisation is not None else "")[:128],
        "ip": "" if anonymous else (ctx.ip if ip is None else ip)[:45],
        "request_id": "" if anonymous else ctx.request_id,
    }
    entries = list(entries)
    if not entries:
        return []
    now = timezone.now()
    events: list[AuditEvent] = []
    # No savepoint of its own: the records stand or fall with the changes they describe.
    with transaction.atomic(savepoint=False):
        lock_chain()
        seq, prev = chain_head()
        for entry in entries:
            obj, object_type, object_id, object_repr = entry.obj, entry.object_type, entry.object_id, entry.object_repr
            if obj is not None:
                object_type = object_type or obj._meta.label_lower
                object_id = object_id or str(obj.pk)
                object_repr = object_repr or str(obj)[:255]
            seq += 1
            event = AuditEvent(
                seq=seq,
                ts=now,
                action=entry.action[:64],
                object_type=object_type[:64],
                object_id=object_id[:64],
                object_repr=object_repr[:255],
                before=normalise_json(entry.before),
                after=normalise_json(entry.after),
                outcome=entry.outcome,
                prev_hash=prev,
                **shared,
            )
            event.hash = prev = event_hash(prev, fields_of(event))
            events.append(event)
        _insert_events(events)
        every = int(getattr(settings, "YANCHENG_AUDIT_CHECKPOINT_EVERY", 0) or 0)
        if every > 0:
            for event in events:
                if event.seq % every == 0:
                    _auto_checkpoint(event.seq, event.hash)
    return events


def _insert_events(events: list[AuditEvent]) -> None:
    # Ids drawn first, then one COPY on PostgreSQL: a third of the time of a multi-row
    # INSERT of the same rows, most of which goes into adapting the values.
    from yancheng.core import bulk

    bulk.insert_with_ids(AuditEvent, events)
