"""Writing many rows at once, for the bulk services (imports, the escalation job, the audit
trail's bulk append): ids known before the INSERT, one statement per table and batch.

Vendor-specific on purpose and kept this small: PostgreSQL takes the ids from the table's
sequence and the rows by COPY; SQLite, where the writer holds the database's write lock for
the whole (IMMEDIATE) transaction, numbers the rows after the table's highest id and
inserts them with ``bulk_create``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.db.models import Model

BATCH = 2000
# Field classes whose Python value psycopg adapts exactly as Django would: COPY takes the
# value as it is (Django's own adaptation costs more than the COPY itself). Fields of any
# other class, subclasses included, go through get_db_prep_save (JSON, for one).
_PLAIN = (
    models.AutoField, models.BigAutoField, models.SmallAutoField, models.CharField, models.TextField,
    models.SlugField, models.EmailField, models.URLField, models.IntegerField, models.BigIntegerField,
    models.SmallIntegerField, models.PositiveIntegerField, models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField, models.BooleanField, models.DateField, models.DateTimeField,
    models.ForeignKey, models.OneToOneField,
)


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model``'s table, ascending, that no other writer
    will use. Call inside the transaction that inserts the rows."""
    if count <= 0:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("reserve_ids must run inside the transaction that inserts the rows")
    meta = model._meta
    assert meta.pk is not None and meta.pk.column is not None
    table, pk = meta.db_table, meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence's name is looked up in the same statement, once (a constant).
            cursor.execute(
                "SELECT nextval(seq) AS id FROM (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) s, "
                "generate_series(1, %s) ORDER BY id",
                [connection.ops.quote_name(table), pk, count],
            )
            return [int(row[0]) for row in cursor.fetchall()]
        # AUTOINCREMENT tables never reuse an id, so start after sqlite_sequence as well.
        cursor.execute(
            f"SELECT MAX(v) FROM (SELECT MAX({connection.ops.quote_name(pk)}) AS v "  # noqa: S608 - names from _meta
            f"FROM {connection.ops.quote_name(table)} UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s)",
            [table],
        )
        row = cursor.fetchone()
        start = int(row[0] or 0) + 1 if row else 1
    return list(range(start, start + count))


def insert(model: type[Model], objs: Sequence[Model]) -> None:
    """INSERT unsaved instances of ``model`` (concrete fields only: no many-to-many).
    Either all of them have their ids set (``reserve_ids``) or none has; afterwards they
    are saved instances, ids set."""
    if not objs:
        return
    with_ids = objs[0].pk is not None
    if any((obj.pk is not None) != with_ids for obj in objs):
        raise ValueError("either every object has its id or none has")
    if connection.vendor != "postgresql" or not with_ids:
        model._default_manager.bulk_create(objs, batch_size=BATCH)
        return
    meta = model._meta
    fields = list(meta.concrete_fields)
    quote = connection.ops.quote_name
    sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) FROM STDIN"
    began = time.monotonic()
    auto = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for obj in objs:
        for f in auto:
            f.pre_save(obj, True)
    attnames = [f.attname for f in fields]
    adapt = [(i, f) for i, f in enumerate(fields) if type(f) not in _PLAIN]
    with connection.wrap_database_errors, connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            values = [getattr(obj, name) for name in attnames]
            for i, f in adapt:
                values[i] = f.get_db_prep_save(values[i], connection)
            copy.write_row(values)
    # COPY bypasses Django's cursor wrappers: log it like any statement, so that query
    # counts (assertNumQueries, the debug toolbar) see it.
    if connection.queries_logged:
        connection.queries_log.append({"sql": f"{sql} -- {len(objs)} rows", "time": f"{time.monotonic() - began:.3f}"})
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_with_ids(model: type[Model], objs: Sequence[Any]) -> None:
    """Give unsaved instances their ids and INSERT them."""
    for obj, pk in zip(objs, reserve_ids(model, len(objs)), strict=True):
        obj.pk = pk
    insert(model, objs)
