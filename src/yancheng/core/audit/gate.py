"""The archive's delete gate (SPEC §2.4): the one way audit rows may be deleted, opened only
by the archive operation (and the test-only flush), only inside its own transaction.

- PostgreSQL: the append-only trigger lets a DELETE through only when the current role is
  ``yancheng_audit_archiver`` (migration 0005). The gate is ``SET LOCAL ROLE`` to it, which
  works only for a login that is a member of that role (the archive's own login, see
  ``yancheng db grants``); the application's role is not, and holds no DELETE or TRUNCATE on
  the audit tables either. No setting the application could set opens it.
- SQLite: the DELETE triggers ask the SQL function ``yancheng_audit_archive_open()``. Every
  connection of this process gets one that answers 0; it answers 1 only while this gate is
  open on that very connection and a transaction is active. Other programs (the sqlite3
  shell) do not have the function at all, so their DELETE fails. SQLite cannot stop the
  file's owner from dropping the triggers: see docs/audit.md (the anchors catch that).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

ARCHIVER_ROLE = "yancheng_audit_archiver"
SQLITE_FUNCTION = "yancheng_audit_archive_open"
_STATE = "_yancheng_audit_gate_open"


class GateRefused(Exception):
    """The gate cannot be opened on this connection (PostgreSQL: not the archive's login)."""


def register_sqlite_function(sender: Any = None, connection: BaseDatabaseWrapper | None = None, **kwargs: Any) -> None:
    """``connection_created`` receiver: give each SQLite connection the gate function."""
    if connection is None or connection.vendor != "sqlite":
        return
    wrapper = connection
    setattr(wrapper, _STATE, False)

    def is_open() -> int:
        return 1 if getattr(wrapper, _STATE, False) and wrapper.in_atomic_block else 0

    wrapper.connection.create_function(SQLITE_FUNCTION, 0, is_open)


def archive_role_available(using: str = DEFAULT_DB_ALIAS) -> bool:
    """PostgreSQL: may the current role take the archiver role? (Always True on SQLite.)
    ``current_user``, not ``session_user``: in production they are the same login; a test
    that plays the application's role with SET ROLE is then asked as that role."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)"
            " THEN pg_has_role(current_user, %s, 'MEMBER') ELSE false END",
            [ARCHIVER_ROLE, ARCHIVER_ROLE],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


@contextlib.contextmanager
def delete_gate(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let this transaction delete audit rows for the span of the block."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise GateRefused("the archive gate only opens inside a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            previous = cursor.fetchone()[0]
            try:
                cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(ARCHIVER_ROLE)}")
            except Exception as exc:
                raise GateRefused(str(exc).splitlines()[0]) from exc
        failed = False
        try:
            yield
        except BaseException:
            failed = True  # the transaction rolls back, and the role with it
            raise
        finally:
            if not failed:
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(previous)}")
        return
    connection.ensure_connection()
    if not hasattr(connection, _STATE):
        register_sqlite_function(connection=connection)
    setattr(connection, _STATE, True)
    try:
        yield
    finally:
        setattr(connection, _STATE, False)
