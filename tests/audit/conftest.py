"""Helpers for the audit-trail tests: tampering with the tables the way an attacker with
database access would (triggers switched off first), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from yancheng.core.audit.chain import event_hash, fields_of
from yancheng.core.audit.models import AuditEvent

_triggers = importlib.import_module("yancheng.core.audit.migrations.0005_archive_gate_by_role_and_function")
TABLES = ("audit_auditevent", "audit_auditcheckpoint")


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def triggers_off() -> Iterator[Any]:
    """The append-only triggers switched off for the block, as an attacker with DDL rights
    could; they come back afterwards (and the test transaction rolls back anyway)."""
    with connection.cursor() as cursor:
        if is_postgres():
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            for table in TABLES:
                for kind in ("no_update", "no_delete"):
                    cursor.execute(f"DROP TRIGGER {table}_{kind}")
        try:
            yield cursor
        finally:
            if is_postgres():
                for table in TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            else:
                for sql in _triggers.SQLITE_FORWARD:
                    cursor.execute(sql)


class Tamper:
    """What someone with write access to the database could do to the trail."""

    def edit_after(self, seq: int, after: Any) -> None:
        with triggers_off() as cursor:
            if is_postgres():
                sql = "UPDATE audit_auditevent SET after = CAST(%s AS jsonb) WHERE seq = %s"
            else:
                sql = "UPDATE audit_auditevent SET after = %s WHERE seq = %s"
            cursor.execute(sql, [json.dumps(after), seq])


    def delete_event(self, seq: int) -> None:
        with triggers_off() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [seq])


    def delete_after(self, seq: int) -> None:
        with triggers_off() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE seq > %s", [seq])


    def swap(self, seq_a: int, seq_b: int) -> None:
        """Reorder: the rows at seq_a and seq_b exchange places (every column but the seq)."""
        with triggers_off() as cursor:
            cursor.execute("UPDATE audit_auditevent SET seq = -1 WHERE seq = %s", [seq_a])
            cursor.execute("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [seq_a, seq_b])
            cursor.execute("UPDATE audit_auditevent SET seq = %s WHERE seq = -1", [seq_b])


    def rechain_from(self, seq: int) -> None:
        """Recompute prev_hash/hash of every record from ``seq`` on, as someone would to hide an edit."""
        events = list(AuditEvent.objects.filter(seq__gte=seq).order_by("seq"))
        prev = AuditEvent.objects.values_list("hash", flat=True).get(seq=seq - 1)
        with triggers_off() as cursor:
            for event in events:
                new_hash = event_hash(prev, fields_of(event))
                cursor.execute(
                    "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, new_hash, event.seq]
                )
                prev = new_hash

    def edit_signature(self, seq: int, signature: str) -> None:
        with triggers_off() as cursor:
            cursor.execute("UPDATE audit_auditcheckpoint SET signature = %s WHERE seq = %s", [signature, seq])

    def mark_archive_cut(self, seq: int) -> None:
        with triggers_off() as cursor:
            cursor.execute("UPDATE audit_auditcheckpoint SET is_archive_cut = %s WHERE seq = %s", [True, seq])

    def head_seq(self) -> int:
        return head_seq()


@pytest.fixture
def tamper() -> Tamper:
    return Tamper()


def head_seq() -> int:
    return int(AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[0])


@pytest.fixture
def postgres_only() -> None:
    if not is_postgres():
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")
