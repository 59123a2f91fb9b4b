"""Helpers the profile_*.py scripts share: counting statements, and the database server's
CPU beside this process's."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any


class StatementCounter:
    """Counts SQL statements (an executemany is one) without keeping their text; the COPYs
    of the bulk writes, which bypass the cursor wrappers, from the query log."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> StatementCounter:
        from django.db import connection

        self._was = connection.force_debug_cursor
        connection.force_debug_cursor = True
        connection.queries_log.clear()
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        from django.db import connection

        self._wrapper.__exit__(*exc)
        self.count += sum(1 for q in connection.queries_log if q["sql"].startswith("COPY "))
        connection.force_debug_cursor = self._was


def server_cpu() -> float | None:
    """CPU seconds the database server process of this connection has used (PostgreSQL on
    this machine, read from /proc: utime + stime), so a figure can be read apart from the
    machine's load; None elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
