"""What the manifest says about a database: each table's row count and row checksum, the
applied migrations, the audit chain's head and the attachments' recorded SHA-256s.

The checksums are computed through the ORM with values normalised to text and combined without
regard to row order (a sum of row digests), so they do not depend on the database's collation or
storage order."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

MIGRATIONS_TABLE = "django_migrations"


def normalise(value: Any, field_: models.Field[Any, Any]) -> Any:
    """One value as the same text on every database (None stays None: NULL is not '')."""
    if value is None:
        return None
    if isinstance(field_, models.JSONField):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value // timedelta(microseconds=1))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, UUID):
        return value.hex
    return str(value)


def _model_tables() -> Iterator[type[models.Model]]:
    seen: set[str] = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped or meta.db_table in seen:
            continue
        seen.add(meta.db_table)
        yield model


def table_checksums(using: str = DEFAULT_DB_ALIAS) -> dict[str, dict[str, Any]]:
    """Row count and checksum of every model's table (and of the applied migrations).

    Each row's local columns are normalised to text and hashed; a table's checksum is the
    sum of its rows' digests modulo 2**256, so the order the database returns them in, and
    its collation, do not matter. Streams the rows: memory stays flat on a large table."""
    result: dict[str, dict[str, Any]] = {}
    for model in _model_tables():
        fields = list(model._meta.local_concrete_fields)
        rows = model._base_manager.using(using).order_by().values_list(*(f.attname for f in fields))
        result[model._meta.db_table] = _checksum(rows.iterator(chunk_size=2000), fields)
    recorder = MigrationRecorder(connections[using])
    if recorder.has_table():
        migrations = sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())
        digest = 0
        for name in migrations:
            digest = (digest + int.from_bytes(hashlib.sha256(name.encode()).digest(), "big")) % (1 << 256)
        result[MIGRATIONS_TABLE] = {"rows": len(migrations), "sha256": f"{digest:064x}"}
    return result


def _checksum(rows: Iterator[tuple[Any, ...]], fields: list[Any]) -> dict[str, Any]:
    total = 0
    count = 0
    for row in rows:
        text = json.dumps([normalise(v, f) for v, f in zip(row, fields, strict=True)], ensure_ascii=False)
        total = (total + int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")) % (1 << 256)
        count += 1
    return {"rows": count, "sha256": f"{total:064x}"}


def _applied_migrations(using: str) -> list[str]:
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def code_migrations() -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(f"{app}.{name}" for app, name in loader.graph.nodes)


def audit_head(using: str) -> dict[str, Any]:
    from yancheng.core.audit.models import AuditEvent

    last = AuditEvent.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
    return {"seq": int(last[0]), "hash": str(last[1])} if last else {"seq": 0, "hash": ""}


def attachment_paths(using: str) -> dict[str, str]:
    """member name -> recorded SHA-256 of every attachment row in the database."""
    from yancheng.core.attachments.models import Attachment

    return {
        f"attachments/{pk.hex[:2]}/{pk.hex}": sha
        for pk, sha in Attachment.objects.using(using).order_by().values_list("pk", "sha256").iterator(chunk_size=2000)
    }


def describe(using: str) -> dict[str, Any]:
    return {
        "tables": table_checksums(using),
        "migrations": _applied_migrations(using),
        "audit_head": audit_head(using),
        "attachments": attachment_paths(using),
    }
