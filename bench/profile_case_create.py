#!/usr/bin/env python
"""Profile case creation through the API (``POST /api/v1/cases``, issue 6).

    uv run python bench/profile_case_create.py --db sqlite:///bench/out/smoke.sqlite3 [-n 200] [--sql] [--cprofile]
    uv run python bench/profile_case_create.py --db postgres://…/yc_town --http 200

In-process (default): the request ``bench/run`` sends (an enterprise user's token, an
``Idempotency-Key`` each) through Django's test client under the bench's production
settings. Prints per creation: SQL statements, commits (autocommit writes included), the
time (median, mean, p95), the CPU of this process and — PostgreSQL on this machine — of
the database server's backend, and how long the year's case counter stays locked (the
serialised part: concurrent creations wait on it). ``--sql`` adds each statement with its
median time over 50 creations; ``--cprofile`` the hottest functions.

``--http N``: N creations over HTTP against gunicorn (2 workers, as bench/run) at
concurrency 1, 2 and 4, and the bare view beside them.

Leaves the created cases in the database (like ``bench/run``); its tokens are revoked
afterwards. Compare statements, commits and CPU rather than times on a shared machine.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from yc_bench.env import parse_target, setup_django
from yc_bench.profiling import server_cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("-n", type=int, default=200, help="creations to time (default 200)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--sql", action="store_true", help="print the SQL of one creation")
    parser.add_argument("--cprofile", action="store_true", help="print the hottest functions")
    parser.add_argument("--http", type=int, default=0, metavar="N",
                        help="instead: N creations over HTTP against gunicorn (as bench/run) at concurrency 1, 2, 4")
    args = parser.parse_args()
    if args.http:
        return over_http(args)

    setup_django(parse_target(args.db), settings_module="yc_bench.floor_settings")

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from yc_bench.measure import case_request_maker, prepare, release

    actors = prepare()
    make = case_request_maker(actors, seed=7)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="10.0.0.9")

    commits = 0
    real_commit = connection.commit
    # The serialised part of a creation: from taking the case counter's row lock (the
    # first lock held to the commit; the audit chain's comes later) to the commit.
    locked_at: float | None = None
    locked: list[float] = []

    def counting_commit() -> None:
        nonlocal commits, locked_at
        commits += 1
        real_commit()
        if locked_at is not None:
            locked.append((time.perf_counter() - locked_at) * 1000)
            locked_at = None

    connection.commit = counting_commit  # type: ignore[method-assign]

    def autocommit_writes(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        # A write outside any transaction commits on its own (autocommit): count it too.
        nonlocal commits, locked_at
        if not connection.in_atomic_block and sql.lstrip()[:6].upper() in {"INSERT", "UPDATE", "DELETE"}:
            commits += 1
        if locked_at is None and "cases_casecounter" in sql and ("FOR UPDATE" in sql or sql.startswith("UPDATE")):
            locked_at = time.perf_counter()
        return execute(sql, params, many, context)

    wrapper = connection.execute_wrapper(autocommit_writes)
    wrapper.__enter__()

    def one(i: int) -> Any:
        req = make(i % 4, i)
        response = client.post(req.path, req.body, content_type="application/json",
                               HTTP_AUTHORIZATION=req.headers["Authorization"],
                               HTTP_IDEMPOTENCY_KEY=req.headers["Idempotency-Key"])
        if response.status_code != 201:
            raise SystemExit(f"HTTP {response.status_code}: {response.content[:500]!r}")
        return response

    try:
        for i in range(args.warmup):
            one(i)
        # One creation, counted and (optionally) shown, with each statement's time as the
        # median of 50 creations.
        commits = 0
        with CaptureQueriesContext(connection) as captured:
            one(10_000)
        statements = list(captured.captured_queries)  # (the log is reset by every request)
        queries, one_commits = len(statements), commits
        if args.sql:
            per_statement: list[list[float]] = [[] for _q in statements]
            durations: list[float] = []

            def timing(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
                began = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    durations.append((time.perf_counter() - began) * 1000)

            with connection.execute_wrapper(timing):
                for i in range(50):
                    durations.clear()
                    one(15_000 + i)
                    for n, ms in enumerate(durations[: len(per_statement)]):
                        per_statement[n].append(ms)
            # BEGIN and COMMIT pass no execute wrapper: the others are timed, in order.
            timed_statements = [q for q in statements if q["sql"] not in ("BEGIN", "COMMIT", "BEGIN IMMEDIATE")]
            for n, q in enumerate(timed_statements):
                median = statistics.median(per_statement[n]) if per_statement[n] else float("nan")
                print(f"{n + 1:3d} {median:6.2f}ms {q['sql'][:200]}")
        # Then the timed run, without capturing (as in production).
        profiler = cProfile.Profile() if args.cprofile else None
        times: list[float] = []
        server_began = server_cpu()
        cpu_began = time.process_time()
        commits = 0
        locked.clear()
        for i in range(args.n):
            if profiler:
                profiler.enable()
            began = time.perf_counter()
            one(20_000 + i)
            times.append(time.perf_counter() - began)
            if profiler:
                profiler.disable()
        run_commits = commits
        cpu_ms = (time.process_time() - cpu_began) * 1000 / args.n
        server_ms = (server_cpu() - server_began) * 1000 / args.n if server_began is not None else None
    finally:
        connection.commit = real_commit  # type: ignore[method-assign]
        wrapper.__exit__(None, None, None)
        release(actors)

    floor: list[float] = []
    for _i in range(args.n):
        began = time.perf_counter()
        client.get("/bench/floor/", HTTP_ACCEPT="application/json")
        floor.append(time.perf_counter() - began)

    times.sort()
    ms = [t * 1000 for t in times]
    print(f"database: {connection.vendor}  creations timed: {args.n}")
    print(f"SQL per creation: {queries}   commits (incl. autocommit writes) per creation: {one_commits} "
          f"(timed run: {run_commits / args.n:.2f})")
    print(f"in-process ms: median {statistics.median(ms):.1f}  mean {statistics.fmean(ms):.1f}  "
          f"p95 {ms[int(len(ms) * 0.95) - 1]:.1f}  min {ms[0]:.1f}")
    server = f" + database server {server_ms:.1f} ms" if server_ms is not None else ""
    print(f"CPU per creation: this process {cpu_ms:.1f} ms{server}")
    if locked:
        print(f"counter lock held (taken → commit) ms: median {statistics.median(locked):.1f} "
              f"({statistics.median(locked) / statistics.median(ms) * 100:.0f} % of the creation)")
    print(f"bare JSON view in-process ms: median {statistics.median(floor) * 1000:.2f} "
          f"(creation / floor: {statistics.median(ms) / (statistics.median(floor) * 1000):.1f} x)")
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
    return 0


def over_http(args: argparse.Namespace) -> int:
    """The bench/run figure alone, at several concurrencies, with the bare view beside it."""
    target = parse_target(args.db)
    setup_django(target)

    from django.db import connections
    from yc_bench.env import BENCH_DIR, bench_environment
    from yc_bench.load import run_load
    from yc_bench.measure import case_request_maker, floor_maker, median_summary, prepare, release
    from yc_bench.run import collect_static
    from yc_bench.server import Server

    collect_static()
    actors = prepare()
    connections.close_all()
    env = {**bench_environment(target), "DJANGO_SETTINGS_MODULE": "yc_bench.floor_settings"}
    try:
        with Server(env, "yancheng.wsgi:application", pythonpath=[str(BENCH_DIR)], name="yancheng-profile",
                    ready_path="/bench/floor/") as server:
            create = case_request_maker(actors, seed=11)
            run_load(server.port, create, total=16, concurrency=4)
            run_load(server.port, floor_maker(), total=100, concurrency=4)
            for concurrency in (1, 2, 4):
                summary = median_summary([run_load(server.port, create, total=args.http, concurrency=concurrency)])
                print(f"creation c={concurrency}: {summary['rps']:7.1f} req/s  p50 {summary['p50_ms']:6.1f} ms  "
                      f"p95 {summary['p95_ms']:6.1f} ms  errors {summary['errors']}", flush=True)
            summary = median_summary([run_load(server.port, floor_maker(), total=args.http * 4, concurrency=4)])
            print(f"bare view c=4: {summary['rps']:7.1f} req/s  p50 {summary['p50_ms']:6.1f} ms")
    finally:
        release(actors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
