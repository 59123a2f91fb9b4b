"""What a generator stage is: one table (or a few that belong together) filled in bulk.

A stage declares its tables in insertion order; when it starts, the generator notes the
first free id of each, so a stage that was interrupted is redone cleanly by deleting from
those ids (in reverse order) before running again. Stages that cannot delete (the audit
trail is append-only) override ``cleanup`` and continue where they stopped instead.

A stage that writes only through ``Bulk.run_chunks`` (``resumes = True``) commits its
progress mark with every chunk, so an interrupted run continues after the last committed
chunk: nothing is deleted and nothing is written twice.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from ..bulk import Bulk
from ..scales import Scale
from ..state import TABLE, State

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@dataclass
class Context:
    scale: Scale
    seed: int
    now: dt.datetime  # the anchor every "how long ago" is measured from (kept in bench_state)
    bulk: Bulk
    state: State
    cache: dict[str, Any] = field(default_factory=dict)

    def rng(self, stage: str) -> random.Random:
        """A stream per stage: a stage redone draws exactly the same numbers."""
        return random.Random(f"{self.seed}:{stage}")

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(SHANGHAI).date()

    def chunk_rng(self, stage: str, index: int) -> random.Random:
        """The stream of one chunk of a stage: the chunk is the same whoever makes it."""
        return random.Random(f"{self.seed}:{stage}:{index}")

    def progress_mark(self, stage: str, marks: dict[str, Any]) -> Any:
        """``after`` for ``Bulk.run_chunks``: the stage's marks with ``chunks_done`` = k + 1
        (and the rows written so far), committed with chunk k."""
        import json

        def after(k: int, rows: int = 0) -> tuple[str, list[Any]]:
            marks["chunks_done"] = k + 1
            marks["rows"] = int(marks.get("rows", 0)) + rows
            return (f"UPDATE {TABLE} SET marks = %s WHERE stage = %s",  # noqa: S608 - our table
                    [json.dumps(marks, default=str), stage])

        return after


class Stage:
    name: str = ""
    tables: tuple[Any, ...] = ()  # models, in insertion order
    # PostgreSQL: drop the tables' secondary indexes and constraints while loading and
    # rebuild them after (only for stages that write with COPY and read nothing back).
    set_aside: bool = False
    # Writes only through Bulk.run_chunks with ctx.progress_mark: continues after its last
    # committed chunk instead of being deleted and redone.
    resumes: bool = False

    def enabled(self, ctx: Context) -> bool:
        return True

    def planned(self, ctx: Context) -> int:
        """Roughly how many rows the stage writes (for the plan printed before starting)."""
        return 0

    def table_names(self) -> list[str]:
        return [m._meta.db_table for m in self.tables]

    def aside_names(self) -> list[str]:
        """The tables whose indexes are set aside (``set_aside``): all of them by default."""
        return self.table_names()

    def marks(self, ctx: Context) -> dict[str, int]:
        return {t: ctx.bulk.next_id(t) for t in self.table_names()}

    def cleanup(self, ctx: Context, marks: dict[str, Any]) -> None:
        for table in reversed(self.table_names()):
            if table in marks:
                ctx.bulk.delete_from(table, int(marks[table]))

    def run(self, ctx: Context, marks: dict[str, Any]) -> int:
        raise NotImplementedError

    def finish(self, ctx: Context) -> None:
        for table in self.table_names():
            ctx.bulk.fix_sequence(table)
        ctx.bulk.analyze(self.table_names())
