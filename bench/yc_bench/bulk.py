"""Bulk writing for the generator: COPY through psycopg 3 on PostgreSQL, ``executemany`` in
big transactions on SQLite, with explicit ids (so a stage owns a range of ids and can be
redone by deleting that range) and a progress line with the rate."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, ProgrammingError, transaction
from django.db import connection as default_connection

UTC = dt.UTC
_REQUIRED = object()
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class Progress:
    """``stage  12,345/100,000  12.3%  45,678 rows/s  eta 2s`` on stderr, redrawn at most
    twice a second (a line every 10 s when stderr is not a terminal)."""

    def __init__(self, label: str, total: int) -> None:
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self.started = time.monotonic()
        self._shown = self.started
        self._tty = sys.stderr.isatty()

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._shown >= (0.5 if self._tty else 10.0):
            self._shown = now
            self._draw(final=False)

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def _draw(self, *, final: bool) -> None:
        rate = self.rate
        pct = f"{100 * self.done / self.total:5.1f}%" if self.total else "     "
        eta = ""
        if not final and rate > 0 and self.total > self.done:
            eta = f"  eta {int((self.total - self.done) / rate)}s"
        text = f"  {self.label:<22} {self.done:>11,}/{self.total:<11,} {pct} {rate:>10,.0f} rows/s{eta}"
        if final:
            text += f"  {self.seconds:.1f}s"
        if self._tty:
            sys.stderr.write("\r" + text.ljust(100) + ("\n" if final else ""))
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def finish(self) -> None:
        self._draw(final=True)


def _pg_converter(field: Any) -> Callable[[Any], str]:
    """How one column's values are written in COPY's text format."""
    kind = field.get_internal_type()
    if kind == "DateTimeField" or kind == "DateField":
        return lambda v: "\\N" if v is None else v.isoformat()
    if kind == "BooleanField":
        return lambda v: "\\N" if v is None else ("t" if v else "f")
    if kind == "JSONField":
        return lambda v: "\\N" if v is None else json.dumps(v, ensure_ascii=False, separators=(",", ":")).translate(
            _COPY_ESCAPES)
    if kind in {"CharField", "TextField", "SlugField", "EmailField", "GenericIPAddressField", "URLField"}:
        return lambda v: "\\N" if v is None else v.translate(_COPY_ESCAPES)
    return lambda v: "\\N" if v is None else str(v)


def _sqlite_converter(field: Any) -> Callable[[Any], Any]:
    """How one column's values are bound on SQLite (the way Django stores them)."""
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return lambda v: None if v is None else v.astimezone(UTC).isoformat(" ")[:-6]
    if kind == "DateField":
        return lambda v: None if v is None else v.isoformat()
    if kind == "DecimalField":
        return lambda v: None if v is None else str(v)
    if kind == "JSONField":
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
    return lambda v: v


class Bulk:
    """Writes rows into tables in chunks, each chunk its own transaction. On PostgreSQL the
    COPY runs in a writer thread on its own connection while the caller makes the next
    chunk (two cores: one generates, one loads); ``sync()`` waits until all is written."""

    def __init__(self, connection: Any = None, chunk: int = 20_000, pipelined: bool | None = None) -> None:
        self.connection = connection or default_connection
        self.vendor = self.connection.vendor
        self.chunk = chunk
        if pipelined is None:
            # A writer thread has its own connection: it cannot see rows of a transaction
            # still open around us (a test's), so then everything is written here.
            pipelined = self.vendor == "postgresql" and not self.connection.in_atomic_block
        self.pipelined = pipelined
        self._queue: queue.Queue[tuple[str, str] | None] | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    # --- ids and tables ------------------------------------------------------------------

    def next_id(self, table: str) -> int:
        self.sync()
        with self.connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')  # noqa: S608 - our table names
            return int(cursor.fetchone()[0])

    def count(self, table: str) -> int:
        self.sync()
        with self.connection.cursor() as cursor:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
            return int(cursor.fetchone()[0])

    def delete_from(self, table: str, first_id: int) -> int:
        self.sync()
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute(f'DELETE FROM "{table}" WHERE id >= %s', [first_id])  # noqa: S608
            return int(cursor.rowcount or 0)

    def fix_sequence(self, table: str) -> None:
        """After explicit ids: the next id Django asks for follows the highest one (SQLite's
        AUTOINCREMENT already does this by itself)."""
        self.sync()
        if self.vendor != "postgresql":
            return
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f'"{table}"'])
            sequence = cursor.fetchone()[0]
            if sequence:
                cursor.execute(
                    f'SELECT setval(%s, GREATEST((SELECT COALESCE(MAX(id), 0) FROM "{table}"), 1))',  # noqa: S608
                    [sequence],
                )

    def analyze(self, tables: Iterable[str]) -> None:
        self.sync()
        with self.connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'ANALYZE "{table}"')

    # --- secondary indexes and constraints, set aside during a big load (PostgreSQL) -------

    def set_aside(self, table: str) -> list[str]:
        """Drop the table's secondary indexes and its unique and foreign-key constraints
        (the primary key stays); returns the statements that put them back. Loading
        first and indexing after is what pg_restore does, for the same reason."""
        if self.vendor != "postgresql" or self.connection.in_atomic_block:
            return []  # (inside a transaction PostgreSQL refuses ALTER TABLE on pending FK checks)
        self.sync()
        restore: list[str] = []
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
                [f'"{table}"'],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS ("
                "SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%%I.%%I', i.schemaname, i.indexname)::regclass)",
                [table],
            )
            indexes = cursor.fetchall()
            for name, definition, _kind in constraints:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                restore.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            for name, definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
                restore.append(definition)
        # Unique constraints before the foreign keys that may rely on them.
        restore.sort(key=lambda ddl: 1 if "FOREIGN KEY" in ddl else 0)
        return restore

    def put_back(self, statements: Iterable[str]) -> None:
        """Run the statements ``set_aside`` returned; those already done are skipped."""
        self.sync()
        if self.vendor == "postgresql":
            with self.connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem TO '512MB'")
        for statement in statements:
            try:
                with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
                    cursor.execute(statement)
            except (ProgrammingError, IntegrityError) as exc:
                if "already exists" not in str(exc):
                    raise

    # --- writing -------------------------------------------------------------------------

    def insert_model(self, model: Any, rows: Iterable[dict[str, Any]], progress: Progress | None = None) -> int:
        """Rows as dicts keyed by attribute name (``region_id``); a missing key takes the
        field's default (callables are called once per call), else NULL when the column
        allows it. A missing value for a NOT NULL column without default is an error. When
        the first row has no primary key, the database numbers the rows."""
        iterator = iter(rows)
        first = next(iterator, None)
        if first is None:
            return 0
        pk = model._meta.pk
        fields = [f for f in model._meta.concrete_fields if f is not pk or pk.attname in first]
        spec: list[tuple[str, Any]] = []
        for f in fields:
            if f.has_default():
                default = f.default() if callable(f.default) else f.default
            elif f.null:
                default = None
            else:
                default = _REQUIRED
            spec.append((f.attname, default))
        table = model._meta.db_table
        columns = [f.column for f in fields]
        if self.vendor == "postgresql":
            converters = [_pg_converter(f) for f in fields]
        else:
            converters = [_sqlite_converter(f) for f in fields]
        plan = list(zip(spec, converters, strict=True))

        def check(row: dict[str, Any]) -> None:
            missing = [name for name, default in spec if default is _REQUIRED and name not in row]
            if missing:
                raise KeyError(f"{table}: no value for {missing}")

        written = 0
        batch: list[Any] = []
        for row in itertools.chain((first,), iterator):
            if written == 0 and not batch:
                check(row)
            if self.vendor == "postgresql":
                batch.append("\t".join([convert(row.get(name, default)) for (name, default), convert in plan]))
            else:
                batch.append([convert(row.get(name, default)) for (name, default), convert in plan])
            if len(batch) >= self.chunk:
                written += self._send(table, columns, batch, progress)
                batch = []
        if batch:
            written += self._send(table, columns, batch, progress)
        return written

    def _send(self, table: str, columns: Sequence[str], batch: list[Any], progress: Progress | None) -> int:
        names = ", ".join(f'"{c}"' for c in columns)
        if self.vendor == "postgresql":
            statement = f'COPY "{table}" ({names}) FROM STDIN'
            text = "\n".join(batch) + "\n"
            if self.pipelined:
                self._enqueue(statement, text)
            else:
                self._copy(self.connection, statement, text)
        else:
            marks = ", ".join("?" for _ in columns)
            self.connection.ensure_connection()
            with transaction.atomic(using=self.connection.alias):
                self.connection.connection.executemany(
                    f'INSERT INTO "{table}" ({names}) VALUES ({marks})', batch  # noqa: S608
                )
        if progress is not None:
            progress.advance(len(batch))
        return len(batch)

    @staticmethod
    def _copy(connection: Any, statement: str, text: str) -> None:
        if connection.connection is None:
            connection.ensure_connection()
            with connection.cursor() as cursor:
                # A lost commit is redone with its stage; waiting for each flush is not needed.
                cursor.execute("SET synchronous_commit TO off")
        with (
            transaction.atomic(using=connection.alias),
            connection.cursor() as cursor,
            cursor.cursor.copy(statement) as copy,  # the psycopg cursor under Django's wrapper
        ):
            copy.write(text)

    # --- the writer thread (PostgreSQL) ------------------------------------------------------

    def _enqueue(self, statement: str, text: str) -> None:
        if self._error is not None:
            raise RuntimeError("the writer thread failed") from self._error
        if self._queue is None:
            self._queue = queue.Queue(maxsize=3)
            self._thread = threading.Thread(target=self._writer, name="bench-copy", daemon=True)
            self._thread.start()
        self._queue.put((statement, text))

    def _writer(self) -> None:
        from django.db import connections

        assert self._queue is not None
        alias = self.connection.alias
        try:
            while True:
                job = self._queue.get()
                if job is None:
                    return
                if self._error is None:
                    try:
                        self._copy(connections[alias], *job)
                    except BaseException as exc:  # re-raised in the caller's thread
                        self._error = exc
        finally:
            connections[alias].close()

    def sync(self) -> None:
        """Wait until every chunk handed to the writer thread is committed."""
        if self._queue is not None and self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._queue = None
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise RuntimeError("writing a chunk failed") from error

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
               progress: Progress | None = None) -> int:
        """Plain tuples into any table (values converted by their Python type)."""
        written = 0
        batch: list[Any] = []
        for row in rows:
            if self.vendor == "postgresql":
                batch.append("\t".join([self._copy_value(v) for v in row]))
            else:
                batch.append([self._sqlite_value(v) for v in row])
            if len(batch) >= self.chunk:
                written += self._send(table, columns, batch, progress)
                batch = []
        if batch:
            written += self._send(table, columns, batch, progress)
        return written

    @staticmethod
    def _copy_value(value: Any) -> str:
        if value is None:
            return "\\N"
        if value is True:
            return "t"
        if value is False:
            return "f"
        if isinstance(value, str):
            return value.translate(_COPY_ESCAPES)
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_COPY_ESCAPES)
        return str(value)

    @staticmethod
    def _sqlite_value(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.astimezone(UTC).isoformat(" ")[:-6] if value.tzinfo else value.isoformat(" ")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        return value


class Batches:
    """Rows for several tables that refer to each other, written together a chunk at a time
    (parents first), so every chunk's transaction satisfies its foreign keys."""

    def __init__(self, bulk: Bulk, models: Sequence[Any], *, size: int = 10_000,
                 progress: Progress | None = None) -> None:
        self.bulk = bulk
        self.models = list(models)
        self.size = size
        self.progress = progress
        self.rows: dict[Any, list[dict[str, Any]]] = {m: [] for m in self.models}
        self.units = 0
        self.written = 0

    def add(self, model: Any, row: dict[str, Any]) -> None:
        self.rows[model].append(row)

    def unit_done(self) -> None:
        """One unit (an enterprise, a case …) is complete; flush when the chunk is full."""
        self.units += 1
        if self.units >= self.size:
            self.flush()

    def flush(self) -> None:
        for model in self.models:
            rows = self.rows[model]
            if rows:
                self.written += self.bulk.insert_model(model, rows)
                self.rows[model] = []
        if self.progress is not None:
            self.progress.advance(self.units)
        self.units = 0
