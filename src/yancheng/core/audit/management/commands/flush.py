"""Django's `flush`, aware of the append-only audit tables.

The audit tables refuse DELETE (and, on PostgreSQL, TRUNCATE of a non-empty table), so a
plain flush fails while the audit trail has rows: in a real deployment that is the point,
wiping the database must not silently wipe the evidence. Test databases, which Django flushes
after every transactional or browser test, are the exception: with YANCHENG_ENV=test the
audit rows are removed first, through the same transaction-local gate the archive uses
(gate.py; on PostgreSQL the test database's superuser may take the archiver role).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands.flush import Command as DjangoFlushCommand
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from yancheng.core.audit.gate import delete_gate


def _purge_audit_tables(alias: str) -> None:
    with transaction.atomic(using=alias), delete_gate(alias), connections[alias].cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
        cursor.execute("DELETE FROM audit_auditcheckpoint")


class Command(DjangoFlushCommand):
    def handle(self, **options: Any) -> None:
        if getattr(settings, "YANCHENG_ENV", "") == "test":
            alias = options.get("database") or DEFAULT_DB_ALIAS
            tables = connections[alias].introspection.table_names()
            if "audit_auditevent" in tables:
                _purge_audit_tables(alias)
        super().handle(**options)
