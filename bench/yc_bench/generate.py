"""``bench/generate``: fill a database with realistic, reproducible data at a chosen scale.

    uv run python bench/generate --db sqlite:///bench/out/town.sqlite3 --scale town
    uv run python bench/generate --db postgres://postgres@127.0.0.1:5432/yc_province --scale province

The database is created and migrated if needed. Stages run in order; each records its
completion in the ``bench_state`` table, so a rerun skips finished stages and redoes an
interrupted one cleanly. ``--fresh`` drops the database first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from typing import Any

from .env import Target, parse_target, setup_django
from .scales import SCALES, Scale

DEFAULT_SEED = 20260426


def stages() -> list[Any]:
    from .stages import STAGES

    return list(STAGES)


def generate(scale: Scale, seed: int = DEFAULT_SEED, *, log: Callable[[str], None] = print,
             only: set[str] | None = None, workers: int | None = None) -> dict[str, Any]:
    """Run every stage not done yet on the current database connection; returns a summary
    {stage: {"rows", "seconds", "skipped"}}. ``workers``: processes making the chunks of
    the big stages (default: one per core; 0: all in this process)."""
    from django.utils import timezone

    from .bulk import Bulk
    from .stages.base import Context
    from .state import State

    state = State()
    state.ensure()
    meta = state.meta()
    if meta and (meta.get("scale"), int(meta.get("seed", -1))) != (scale.name, seed):
        raise SystemExit(
            f"this database was generated at scale {meta.get('scale')!r} with seed {meta.get('seed')}; "
            "use --fresh to start again"
        )
    if not meta:
        now = timezone.now().replace(microsecond=0)
        state.set_meta(scale=scale.name, seed=seed, now=now.isoformat())
        meta = state.meta()
    bulk = Bulk(workers=workers)
    ctx = Context(scale=scale, seed=seed, now=dt.datetime.fromisoformat(meta["now"]), bulk=bulk, state=state)
    summary: dict[str, Any] = {}
    log(f"{scale.describe()}; seed {seed}; anchored at {ctx.now.isoformat()}; "
        f"{bulk.workers if bulk.parallel() else 0} worker processes")
    for stage in stages():
        if only and stage.name not in only:
            continue
        if not stage.enabled(ctx):
            log(f"- {stage.name}: not available yet, skipped")
            continue
        previous = state.get(stage.name)
        if previous is not None and previous.status == "done":
            log(f"- {stage.name}: done before ({previous.rows:,} rows), skipped")
            summary[stage.name] = {"rows": previous.rows, "seconds": previous.seconds, "skipped": True}
            continue
        started = time.monotonic()
        cpu = CpuClock(bulk.vendor == "postgresql")
        bulk.worker_seconds = 0.0
        if previous is not None and stage.resumes:
            done = previous.marks.get("chunks_done")
            log(f"- {stage.name}: interrupted before; continuing where it stopped"
                + (f" ({done} chunks were committed)" if done is not None else ""))
            marks: dict[str, Any] = previous.marks
            current = previous
        else:
            if previous is not None:
                log(f"- {stage.name}: interrupted before; cleaning up and redoing it")
                stage.cleanup(ctx, previous.marks)
                bulk.put_back(previous.marks.get("_restore", []))
            log(f"- {stage.name}: about {stage.planned(ctx):,} rows")
            marks = dict(stage.marks(ctx))
            current = state.start(stage.name, marks)  # noted before anything is dropped
        if stage.set_aside and "_restore" not in marks:
            restore: list[str] = []
            for table in stage.aside_names():
                restore += bulk.set_aside(table)
            marks["_restore"] = restore
            current = state.start(stage.name, marks)
        try:
            rows = stage.run(ctx, current.marks)
            bulk.sync()
        except BaseException:
            if marks.get("_restore"):
                log(f"  {stage.name}: stopped; its tables' indexes stay set aside until a rerun finishes the stage")
            raise
        if marks.get("_restore"):
            began = time.monotonic()
            bulk.put_back(marks["_restore"])
            log(f"  {stage.name}: indexes and constraints rebuilt in {time.monotonic() - began:.1f}s")
        stage.finish(ctx)
        if stage.resumes and "rows" in marks:
            rows = int(marks["rows"])  # with what an interrupted run wrote before
        seconds = time.monotonic() - started
        state.finish(current, rows=rows, seconds=seconds)
        rate = rows / seconds if seconds > 0 else 0
        log(f"  {stage.name}: {rows:,} rows in {seconds:.1f}s ({rate:,.0f} rows/s){cpu.report(bulk.worker_seconds)}")
        summary[stage.name] = {"rows": rows, "seconds": round(seconds, 2), "skipped": False}
    return summary


class CpuClock:
    """CPU seconds of this process, of its workers and of the local PostgreSQL server over
    a stage (PostgreSQL's from /proc: only when the server runs on this machine)."""

    def __init__(self, server: bool = True) -> None:
        self.process = time.process_time()
        self.server = self.server_seconds() if server else None

    @staticmethod
    def server_seconds() -> float | None:
        import os
        from pathlib import Path

        total = 0
        found = False
        for entry in Path("/proc").iterdir() if Path("/proc").exists() else ():
            if not entry.name.isdigit():
                continue
            try:
                text = (entry / "stat").read_text()
            except OSError:
                continue
            name, rest = text.split(") ", 1) if ") " in text else ("", "")
            if not name.endswith("(postgres"):
                continue
            fields = rest.split()
            # utime, stime, and the children's (exited backends count to the postmaster)
            total += sum(int(x) for x in fields[11:15])
            found = True
        return total / os.sysconf("SC_CLK_TCK") if found else None

    def report(self, worker_seconds: float) -> str:
        text = f"; CPU: generator {time.process_time() - self.process:.1f}s"
        if worker_seconds:
            text += f" + workers {worker_seconds:.1f}s"
        server = self.server_seconds()
        if server is not None and self.server is not None:
            text += f", PostgreSQL {server - self.server:.1f}s"
        return text


def recreate_database(target: Target) -> None:
    """Drop and create the database (PostgreSQL) or delete the file (SQLite)."""
    if target.vendor == "sqlite":
        from pathlib import Path

        for suffix in ("", "-wal", "-shm"):
            Path(target.sqlite_path + suffix).unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    name = target.name
    admin = target.url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def ensure_database(target: Target) -> None:
    if target.vendor == "sqlite":
        return
    import psycopg
    from psycopg import sql

    admin = target.url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target.name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.name)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="sqlite:///PATH or postgres://USER@HOST:PORT/DB")
    parser.add_argument("--scale", choices=sorted(SCALES), default="province")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    parser.add_argument("--only", help="comma-separated stage names (for development)")
    parser.add_argument("--verify", action="store_true", help="run `yancheng audit verify` at the end")
    parser.add_argument("--workers", type=int, default=None,
                        help="processes making the big stages' chunks (default: one per core; 0: none)")
    args = parser.parse_args(argv)
    target = parse_target(args.db)
    if args.fresh:
        recreate_database(target)
    ensure_database(target)
    setup_django(target)
    from django.core.management import call_command

    started = time.monotonic()
    print(f"migrating {target.label} {target.name} …", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    summary = generate(SCALES[args.scale], args.seed, only=set(args.only.split(",")) if args.only else None,
                       workers=args.workers)
    total_rows = sum(s["rows"] for s in summary.values() if not s["skipped"])
    elapsed = time.monotonic() - started
    print(f"done: {total_rows:,} rows written in {elapsed:.1f}s ({total_rows / max(elapsed, 1e-9):,.0f} rows/s overall)")
    if args.verify:
        from yancheng.core.audit.verify import verify_chain

        began = time.monotonic()
        report = verify_chain()
        print(f"audit verify: {report.summary()} ({time.monotonic() - began:.1f}s)")
        if not report.ok:
            return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
