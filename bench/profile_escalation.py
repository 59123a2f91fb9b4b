#!/usr/bin/env python
"""bench/profile_escalation.py: the escalation job over all open cases, in this process, on a
generated database — seconds, SQL statements, and both per escalated case.

    uv run python bench/profile_escalation.py --db postgres://postgres@127.0.0.1:5432/yc_perf_town
    uv run python bench/profile_escalation.py --db ... --days-ahead 20   # a bigger batch

Each repetition runs ``escalation_tick`` inside a transaction that is rolled back, so every
one finds the same batch (the on-commit task enqueues are the only work left out) and the
database is left as it was. ``--days-ahead N`` runs the tick N days after now: every
deadline that falls in between is due too, which makes the batch larger.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from yc_bench.env import parse_target, setup_django


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


def server_cpu() -> float:
    """CPU seconds the database server process of this connection has used (PostgreSQL on
    this machine, read from /proc), so a figure can be read apart from the machine's load."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/profile_escalation.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="sqlite:///PATH or postgres://USER@HOST:PORT/DB (generated)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--days-ahead", type=float, default=0.0)
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the last repetition to FILE")
    args = parser.parse_args(argv)
    setup_django(parse_target(args.db))

    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from yancheng.cases.escalation import escalation_tick
    from yancheng.cases.models import CLOCK_STATUSES, Case

    at = timezone.now() + dt.timedelta(days=args.days_ahead)
    running = Case.objects.filter(status__in=CLOCK_STATUSES, suspended_at__isnull=True).count()
    times: list[float] = []
    cpus: list[float] = []
    counts: list[int] = []
    escalated: dict[str, int] = {}
    for n in range(args.repeat):
        counter = StatementCounter()
        profiler = None
        if args.profile and n == args.repeat - 1:
            import cProfile

            profiler = cProfile.Profile()
        with transaction.atomic(), counter:
            server_began = server_cpu()
            began, cpu_began = time.perf_counter(), time.process_time()
            if profiler is not None:
                profiler.enable()
            report = escalation_tick(at)
            if profiler is not None:
                profiler.disable()
            times.append(time.perf_counter() - began)
            cpus.append(time.process_time() - cpu_began + server_cpu() - server_began)
            transaction.set_rollback(True)
        if profiler is not None:
            profiler.dump_stats(args.profile)
        counts.append(counter.count)
        escalated = {"pressed": len(report.pressed), "supervised": len(report.supervised),
                     "reported": len(report.reported)}
    seconds = statistics.median(times)
    total = sum(escalated.values())
    queries = counts[-1]
    print(f"running cases: {running:,}; tick at now + {args.days_ahead:g} days; escalated {total:,} {escalated}")
    print(f"escalation: {seconds:.3f} s (median of {args.repeat}: {', '.join(f'{t:.3f}' for t in times)}); "
          f"{queries:,} SQL" + (f" = {queries / total:.2f} SQL and {seconds * 1000 / total:.2f} ms per case"
                               if total else "") + f" ({connection.vendor})")
    print(f"CPU (here + database server), median: {statistics.median(cpus):.3f} s; "
          f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
