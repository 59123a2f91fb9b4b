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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from yc_bench.env import parse_target, setup_django
from yc_bench.profiling import StatementCounter, server_cpu


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
            server_began = server_cpu() or 0.0
            began, cpu_began = time.perf_counter(), time.process_time()
            if profiler is not None:
                profiler.enable()
            report = escalation_tick(at)
            if profiler is not None:
                profiler.disable()
            times.append(time.perf_counter() - began)
            cpus.append(time.process_time() - cpu_began + (server_cpu() or 0.0) - server_began)
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
