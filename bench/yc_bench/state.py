"""The generator's own bookkeeping, in a table of the target database (not a Django model:
the product never sees it). One row per stage: running or done, the first id it wrote in
each of its tables (so a half-finished stage is redone by deleting from there), how many
rows and how long. One row ``meta`` holds the scale and seed the database was made with."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connection as default_connection
from django.db import transaction

TABLE = "bench_state"


@dataclass
class StageState:
    stage: str
    status: str  # running | done
    marks: dict[str, Any] = field(default_factory=dict)
    rows: int = 0
    seconds: float = 0.0
    finished_at: str = ""


class State:
    def __init__(self, connection: Any = None) -> None:
        self.connection = connection or default_connection

    def ensure(self) -> None:
        real = "DOUBLE PRECISION" if self.connection.vendor == "postgresql" else "REAL"
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} ("
                "stage VARCHAR(64) PRIMARY KEY, status VARCHAR(16) NOT NULL, marks TEXT NOT NULL, "
                f"nrows BIGINT NOT NULL DEFAULT 0, seconds {real} NOT NULL DEFAULT 0, "
                "finished_at VARCHAR(40) NOT NULL DEFAULT '')"
            )

    def exists(self) -> bool:
        return TABLE in self.connection.introspection.table_names()

    def get(self, stage: str) -> StageState | None:
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT stage, status, marks, nrows, seconds, finished_at FROM {TABLE} WHERE stage = %s",  # noqa: S608
                [stage],
            )
            row = cursor.fetchone()
        if row is None:
            return None
        return StageState(row[0], row[1], json.loads(row[2] or "{}"), int(row[3]), float(row[4]), row[5])

    def all(self) -> list[StageState]:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT stage FROM {TABLE} ORDER BY stage")  # noqa: S608
            names = [r[0] for r in cursor.fetchall()]
        return [s for s in (self.get(n) for n in names) if s is not None]

    def _upsert(self, state: StageState) -> None:
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE stage = %s", [state.stage])  # noqa: S608
            cursor.execute(
                f"INSERT INTO {TABLE} (stage, status, marks, nrows, seconds, finished_at) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [state.stage, state.status, json.dumps(state.marks, default=str), state.rows, state.seconds,
                 state.finished_at],
            )

    def start(self, stage: str, marks: dict[str, Any]) -> StageState:
        state = StageState(stage, "running", marks)
        self._upsert(state)
        return state

    def finish(self, state: StageState, *, rows: int, seconds: float) -> None:
        state.status = "done"
        state.rows = rows
        state.seconds = seconds
        state.finished_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self._upsert(state)

    def meta(self) -> dict[str, Any]:
        state = self.get("meta")
        return state.marks if state else {}

    def set_meta(self, **values: Any) -> None:
        marks = {**self.meta(), **values}
        self._upsert(StageState("meta", "done", marks))
