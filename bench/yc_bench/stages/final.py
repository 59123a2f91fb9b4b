"""Last: fresh planner statistics (and the visibility map, for index-only scans) on
PostgreSQL, ANALYZE on SQLite, so the first benchmark does not measure a cold planner."""

from __future__ import annotations

from typing import Any

from django.db import connection

from .base import Context, Stage


class FinalStage(Stage):
    name = "analyze"
    tables = ()

    def run(self, ctx: Context, marks: dict[str, Any]) -> int:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                cursor.execute("VACUUM (ANALYZE)")
            else:
                cursor.execute("ANALYZE")
        return 0

    def finish(self, ctx: Context) -> None:
        pass
