"""Bulk writing for the generator: COPY through psycopg 3 on PostgreSQL, ``executemany`` in
big transactions on SQLite, with explicit ids (so a stage owns a range of ids and can be
redone by deleting that range) and a progress line with the rate.

The big stages make their rows in *chunks* (``Bulk.run_chunks``): a chunk is a pure function
of the seed, the stage and the chunk's number, made in worker processes (``fork``: they
inherit what the stage loaded before) as text ready for COPY, while this process writes the
chunks in order, each in one transaction together with the stage's progress mark, so an
interrupted stage continues after its last committed chunk."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import multiprocessing
import operator
import os
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
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
        self._skipped = 0

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._shown >= (0.5 if self._tty else 10.0):
            self._shown = now
            self._draw(final=False)

    def skip(self, n: int) -> None:
        """Count n units done before (a resumed stage), outside the rate."""
        self.done += n
        self._skipped = n

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return (self.done - self._skipped) / elapsed if elapsed > 0 else 0.0

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


_INT_KINDS = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
              "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField", "ForeignKey",
              "OneToOneField", "DecimalField", "FloatField", "UUIDField"}
_TEXT_KINDS = {"CharField", "TextField", "SlugField", "EmailField", "GenericIPAddressField", "URLField"}
_isoformat = operator.methodcaller("isoformat")


def _escape(value: str) -> str:
    return value.translate(_COPY_ESCAPES)


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _json_copy(value: Any) -> str:
    return "\\N" if value is None else _JSON(value).translate(_COPY_ESCAPES)


def _pg_formatter(fields: Sequence[Any]) -> Callable[..., str]:
    """A function of the columns' values returning the row's line of COPY text, compiled
    for these fields: one f-string, no call per value (the generator formats tens of
    millions of rows)."""
    namespace: dict[str, Any] = {"E": _COPY_ESCAPES, "J": _json_copy, "N": "\\N"}
    parts = []
    for i, f in enumerate(fields):
        v = f"v{i}"
        kind = f.get_internal_type()
        nullable = f.null
        if kind == "BooleanField":
            expr = f"('t' if {v} else 'f')"
        elif kind in _INT_KINDS:
            expr = v
        elif kind in _TEXT_KINDS and f.choices:
            expr = v  # one of the field's choices: nothing to escape
        elif kind in _TEXT_KINDS:
            expr = f"{v}.translate(E)"
        elif kind in {"DateTimeField", "DateField"}:
            expr = f"{v}.isoformat()"
        elif kind == "JSONField":
            expr, nullable = f"J({v})", False
        else:
            namespace[f"C{i}"] = _pg_converter(f)
            expr, nullable = f"C{i}({v})", False
        if nullable:
            expr = f"(N if {v} is None else {expr})"
        parts.append("{" + expr + "}")
    args = ", ".join(f"v{i}" for i in range(len(fields)))
    separator = "\\t"  # a backslash and a t in the compiled f-string: a tab in the line
    source = f'def line({args}):\n    return f"{separator.join(parts)}"\n'
    exec(compile(source, f"<copy format {fields[0].model._meta.db_table if fields else ''}>", "exec"), namespace)  # noqa: S102 - our own code
    return namespace["line"]


def _default_of(field: Any) -> Any:
    if field.has_default():
        return field.default() if callable(field.default) else field.default
    return None if field.null else _REQUIRED


def _field_by_attname(model: Any, attname: str) -> Any:
    for f in model._meta.concrete_fields:
        if f.attname == attname:
            return f
    raise KeyError(f"{model._meta.db_table} has no column {attname!r}")


class Rows:
    """One table's rows of a chunk, formatted as they are made: lines of COPY text on
    PostgreSQL, bound rows on SQLite. ``columns`` are attribute names (``case_id``), in the
    order ``add(*values)`` takes the values; a column left out takes the database's default
    (the primary key: the sequence)."""

    def __init__(self, model: Any, columns: Sequence[str], vendor: str) -> None:
        fields = [_field_by_attname(model, name) for name in columns]
        self.table = model._meta.db_table
        self.columns = [f.column for f in fields]
        self.vendor = vendor
        self.lines: list[Any] = []
        append = self.lines.append
        if vendor == "postgresql":
            line = _pg_formatter(fields)

            def add(*values: Any) -> None:
                append(line(*values))
        else:
            lite = [_sqlite_converter(f) for f in fields]

            def add(*values: Any) -> None:
                append([c(v) for c, v in zip(lite, values, strict=True)])
        self.add = add
        self._defaults = [(f.attname, _default_of(f)) for f in fields]
        self._line_of_dict: Callable[[dict[str, Any]], Any] | None = None
        if vendor == "postgresql":
            namespace: dict[str, Any] = {"line": line}
            getters = []
            for i, (name, default) in enumerate(self._defaults):
                namespace[f"D{i}"] = default
                getters.append(f"g({name!r}, D{i})")
            source = f"def line_of_dict(row):\n    g = row.get\n    return line({', '.join(getters)})\n"
            exec(compile(source, f"<copy format {self.table}>", "exec"), namespace)  # noqa: S102 - our own code
            self._line_of_dict = namespace["line_of_dict"]

    @classmethod
    def of_model(cls, model: Any, vendor: str, *, pk: bool = True) -> Rows:
        """Every concrete column (the primary key only with ``pk``), for ``add_dict``."""
        names = [f.attname for f in model._meta.concrete_fields if pk or f is not model._meta.pk]
        return cls(model, names, vendor)

    def add_dict(self, row: dict[str, Any]) -> None:
        """A row as a dict keyed by attribute name; a missing key takes the field's default
        (else NULL), as ``Bulk.insert_model`` does. A NOT NULL column without a value fails."""
        if not self.lines:
            missing = [name for name, default in self._defaults if default is _REQUIRED and name not in row]
            if missing:
                raise KeyError(f"{self.table}: no value for {missing}")
        if self._line_of_dict is not None:
            self.lines.append(self._line_of_dict(row))
        else:
            self.add(*[row.get(name, default) for name, default in self._defaults])

    def __len__(self) -> int:
        return len(self.lines)

    def part(self) -> tuple[str, list[str], Any, int]:
        payload: Any = self.lines
        if self.vendor == "postgresql":
            payload = "\n".join(self.lines) + "\n" if self.lines else ""
        return (self.table, self.columns, payload, len(self.lines))


@dataclass
class Chunk:
    """What a worker made: the rows of each table (parents first), how many units (cases,
    registrations …) they hold, and anything the stage wants back."""

    units: int
    parts: list[tuple[str, list[str], Any, int]]
    info: Any = None
    seconds: float = 0.0  # the worker's time making it

    @property
    def rows(self) -> int:
        return sum(p[3] for p in self.parts)


_JOB: Callable[[int], Chunk] | None = None  # what the forked workers make (set before the fork)


def _make_chunk(index: int) -> Chunk:
    assert _JOB is not None
    began = time.process_time()
    chunk = _JOB(index)
    chunk.seconds = time.process_time() - began
    return chunk


def default_workers() -> int:
    return max(os.cpu_count() or 1, 1)


class Bulk:
    """Writes rows into tables in chunks, each chunk its own transaction. On PostgreSQL the
    COPY runs in a writer thread on its own connection while the caller makes the next
    chunk (two cores: one generates, one loads); ``sync()`` waits until all is written.
    ``run_chunks`` makes the chunks in ``workers`` processes instead (0: in this one)."""

    def __init__(self, connection: Any = None, chunk: int = 20_000, pipelined: bool | None = None,
                 workers: int | None = None) -> None:
        self.connection = connection or default_connection
        self.vendor = self.connection.vendor
        self.chunk = chunk
        self.workers = default_workers() if workers is None else workers
        self._superuser: bool | None = None
        self.worker_seconds = 0.0  # CPU time the workers spent making chunks (for the log)
        if pipelined is None:
            # A writer thread has its own connection: it cannot see rows of a transaction
            # still open around us (a test's), so then everything is written here.
            pipelined = self.vendor == "postgresql" and not self.connection.in_atomic_block
        self.pipelined = pipelined
        self._queue: queue.Queue[tuple[str, str, bool] | None] | None = None
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

    def skips_fk_checks(self) -> bool:
        """Whether the COPY transactions skip the foreign-key checks (``SET LOCAL
        session_replication_role = replica``, what ``pg_dump --disable-triggers`` relies
        on; superusers only): the constraints then stay in place, valid, and are not
        checked again row by row or table by table. The generator makes consistent rows
        (the smoke test, whose transaction keeps every check, verifies that)."""
        if self.vendor != "postgresql":
            return False
        if self._superuser is None:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                row = cursor.fetchone()
            self._superuser = bool(row and row[0])
        return self._superuser

    def set_aside(self, table: str) -> list[str]:
        """Drop the table's secondary indexes and its unique constraints (and its foreign
        keys, unless the loads skip their checks; the primary key stays); returns the
        statements that put them back. Loading first and indexing after is what
        pg_restore does, for the same reason."""
        if self.vendor != "postgresql" or self.connection.in_atomic_block:
            return []  # (inside a transaction PostgreSQL refuses ALTER TABLE on pending FK checks)
        self.sync()
        restore: list[str] = []
        kinds = ["u"] if self.skips_fk_checks() else ["u", "f"]
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = ANY(%s) ORDER BY contype DESC, conname",
                [f'"{table}"', kinds],
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

    def put_back(self, statements: Iterable[str], parallel: int = 2) -> None:
        """Run the statements ``set_aside`` returned; those already done are skipped. The
        indexes and unique constraints are built ``parallel`` at a time, on connections of
        their own (each build also has PostgreSQL's parallel workers); foreign keys after."""
        self.sync()
        statements = list(statements)
        if not statements:
            return
        keys = [s for s in statements if "FOREIGN KEY" in s]
        builds = [s for s in statements if "FOREIGN KEY" not in s]
        if self.vendor != "postgresql" or self.connection.in_atomic_block or parallel < 2 or len(builds) < 2:
            self._run_ddl(self.connection, builds + keys)
            return
        from django.db import connections

        pending = queue.Queue[str]()
        for statement in builds:
            pending.put(statement)
        errors: list[BaseException] = []
        alias = self.connection.alias

        def builder() -> None:
            connection = connections[alias]  # this thread's own
            try:
                while not errors:
                    try:
                        statement = pending.get_nowait()
                    except queue.Empty:
                        return
                    self._run_ddl(connection, [statement])
            except BaseException as exc:  # re-raised below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=builder, name=f"bench-index-{n}") for n in range(parallel)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        self._run_ddl(self.connection, keys)

    @staticmethod
    def _run_ddl(connection: Any, statements: Sequence[str]) -> None:
        if not statements:
            return
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem TO '512MB'")
        for statement in statements:
            try:
                with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
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
            replica = self.skips_fk_checks() and not self.connection.in_atomic_block
            if self.pipelined:
                self._enqueue(statement, text, replica)
            else:
                self._copy(self.connection, statement, text, replica)
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
    def _copy(connection: Any, statement: str, text: str, replica: bool = False) -> None:
        if connection.connection is None:
            connection.ensure_connection()
            with connection.cursor() as cursor:
                # A lost commit is redone with its stage; waiting for each flush is not needed.
                cursor.execute("SET synchronous_commit TO off")
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if replica:
                cursor.execute("SET LOCAL session_replication_role = replica")
            with cursor.cursor.copy(statement) as copy:  # the psycopg cursor under Django's wrapper
                copy.write(text)

    # --- the writer thread (PostgreSQL) ------------------------------------------------------

    def _enqueue(self, statement: str, text: str, replica: bool) -> None:
        if self._error is not None:
            raise RuntimeError("the writer thread failed") from self._error
        if self._queue is None:
            self._queue = queue.Queue(maxsize=3)
            self._thread = threading.Thread(target=self._writer, name="bench-copy", daemon=True)
            self._thread.start()
        self._queue.put((statement, text, replica))

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

    # --- chunks made by worker processes ---------------------------------------------------------

    def rows(self, model: Any, columns: Sequence[str]) -> Rows:
        return Rows(model, columns, self.vendor)

    def write(self, parts: Sequence[tuple[str, Sequence[str], Any, int]],
              after: tuple[str, Sequence[Any]] | None = None) -> int:
        """Write a chunk's parts in one transaction, with ``after`` (a statement and its
        parameters: the stage's progress mark) in the same transaction."""
        self.sync()
        written = 0
        connection = self.connection
        if self.vendor == "postgresql":
            if connection.connection is None:
                connection.ensure_connection()
                with connection.cursor() as cursor:
                    cursor.execute("SET synchronous_commit TO off")
            replica = self.skips_fk_checks() and not connection.in_atomic_block  # (a test's: keep its checks)
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                if replica:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                for table, columns, payload, n in parts:
                    if not n:
                        continue
                    names = ", ".join(f'"{c}"' for c in columns)
                    with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                        copy.write(payload)
                    written += n
                if after is not None:
                    cursor.execute(after[0], list(after[1]))
            return written
        connection.ensure_connection()
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for table, columns, payload, n in parts:
                if not n:
                    continue
                names = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join("?" for _ in columns)
                connection.connection.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', payload)  # noqa: S608
                written += n
            if after is not None:
                cursor.execute(after[0], list(after[1]))
        return written

    def parallel(self) -> bool:
        """Whether chunks are made in worker processes: not inside a transaction (a test's),
        whose rows the workers' own connections could not see."""
        return self.workers > 0 and not self.connection.in_atomic_block

    def run_chunks(self, make: Callable[[int], Chunk], indices: Iterable[int], *,
                   progress: Progress | None = None,
                   finish: Callable[[int, Chunk], Sequence[tuple[str, Sequence[str], Any, int]]] | None = None,
                   after: Callable[[int, int], tuple[str, Sequence[Any]] | None] | None = None) -> int:
        """Make chunk ``k`` for each index (in worker processes when ``parallel()``), and
        write them in order: ``finish(k, chunk)`` may rework a chunk's parts here first
        (the audit chain, which is sequential), ``after(k, rows)`` is the statement committed
        with it. ``make`` must read nothing from this process's connection (workers open their
        own) and depend only on k and what was loaded before the call."""
        global _JOB
        written = 0
        indices = list(indices)

        def write(k: int, chunk: Chunk) -> None:
            nonlocal written
            parts = finish(k, chunk) if finish is not None else chunk.parts
            rows = sum(part[3] for part in parts)
            written += self.write(parts, after(k, rows) if after is not None else None)
            self.worker_seconds += chunk.seconds
            if progress is not None:
                progress.advance(chunk.units)

        if not self.parallel() or not indices:
            for k in indices:
                write(k, _make_chunk_here(make, k))
            return written
        from django.db import connections

        self.sync()
        connections.close_all()  # the workers must not share this process's connections
        _JOB = make
        context = multiprocessing.get_context("fork")
        window = self.workers + 2
        try:
            with context.Pool(self.workers) as pool:
                pending: deque[tuple[int, Any]] = deque()
                waiting = iter(indices)
                for k in itertools.islice(waiting, window):
                    pending.append((k, pool.apply_async(_make_chunk, (k,))))
                while pending:
                    k, result = pending.popleft()
                    chunk = result.get()
                    following = next(waiting, None)
                    if following is not None:
                        pending.append((following, pool.apply_async(_make_chunk, (following,))))
                    write(k, chunk)
        finally:
            _JOB = None
        return written

    def map_chunks(self, make: Callable[[int], Chunk], indices: Iterable[int]) -> Iterator[Chunk]:
        """``make(k)`` for each index, in worker processes when ``parallel()``, in order;
        nothing is written (what ``run_chunks`` needs decided first)."""
        global _JOB
        indices = list(indices)
        if not self.parallel() or len(indices) < 2:
            for k in indices:
                yield _make_chunk_here(make, k)
            return
        from django.db import connections

        self.sync()
        connections.close_all()
        _JOB = make
        try:
            with multiprocessing.get_context("fork").Pool(self.workers) as pool:
                for chunk in pool.imap(_make_chunk, indices):
                    self.worker_seconds += chunk.seconds
                    yield chunk
        finally:
            _JOB = None

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


def _make_chunk_here(make: Callable[[int], Chunk], index: int) -> Chunk:
    began = time.process_time()
    chunk = make(index)
    chunk.seconds = time.process_time() - began
    return chunk


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
