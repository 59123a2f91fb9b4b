"""``bench/run``: measure the hot paths on a generated database, in one run.

    uv run python bench/run --db postgres://postgres@127.0.0.1:5432/yc_province [--peer] [--repeat 3]
    uv run python bench/run --db sqlite:///bench/out/town.sqlite3 --quick

Over HTTP, against gunicorn (2 sync workers on 127.0.0.1, production settings): case
creation through the API at concurrency 4, the bare JSON view (the floor of the stack) at
the same concurrency, a unit's inbox and the dashboard one request at a time, the workers'
RSS after N requests. In-process: the escalation job, the monthly ranking, the .xlsx
enterprise import. Each figure is the median of ``--repeat`` repetitions. Results are
printed and written to bench/results/<date>-<db>.json; ``--peer`` measures django-helpdesk
the same way (bench/peer) and prints both side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .env import BENCH_DIR, RESULTS_DIR, Target, bench_environment, parse_target, setup_django

# The targets (this machine, PostgreSQL, province scale).
TARGETS = {
    "create_vs_peer": 2.0,  # case creation ≥ 2 × helpdesk's ticket creation
    "create_vs_floor": 0.40,  # ≥ 40 % of the bare view's requests/s
    "inbox_p95_ms": 50,
    "dashboard_p95_ms": 300,
    "escalation_s": 5,
    "ranking_s": 1,
    "import_s": 60,  # for 100,000 rows
    "rss_mib": 150,
    "hazard_list_p95_ms": 300,  # one page of the hazard list and its total, the city's whole list
}


@dataclass(frozen=True)
class Plan:
    repeat: int
    concurrency: int
    create: int  # case creations per repetition
    floor: int
    inbox: int  # page requests per repetition
    dashboard: int
    dashboard_fresh: int  # requests with ?refresh=1: the figures counted, not the kept ones
    rss_after: int
    import_rows: int
    import_repeat: int

    @classmethod
    def of(cls, args: argparse.Namespace) -> Plan:
        if args.quick:
            plan = cls(repeat=args.repeat or 1, concurrency=4, create=200, floor=400, inbox=15, dashboard=10,
                       dashboard_fresh=2, rss_after=1_500, import_rows=1_000, import_repeat=1)
        else:
            plan = cls(repeat=args.repeat or 3, concurrency=4, create=1_000, floor=2_000, inbox=60, dashboard=30,
                       dashboard_fresh=5, rss_after=10_000, import_rows=100_000, import_repeat=args.repeat or 3)
        if args.import_rows:
            plan = cls(**{**plan.__dict__, "import_rows": args.import_rows})
        return plan


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"nproc": os.cpu_count(), "python": platform.python_version(),
                            "platform": platform.platform()}
    try:
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()
        info["ram_gib"] = round(int(mem[1]) / 1024 / 1024, 1)
        model = [line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")]
        info["cpu"] = model[0].split(":", 1)[1].strip() if model else ""
    except OSError:
        pass
    return info


def loadavg() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def collect_static() -> None:
    """Production templates need the hashed static manifest (CompressedManifestStaticFilesStorage)."""
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


def measure_yancheng(target: Target, plan: Plan, log: Any) -> dict[str, Any]:
    from django.db import connections

    from . import measure
    from .server import Server
    from .state import State

    meta = State().meta() if State().exists() else {}
    if not meta:
        raise SystemExit("this database has no generated data: run bench/generate first")
    collect_static()
    log(f"dataset: {meta.get('scale')} (seed {meta.get('seed')}, generated {meta.get('now')})")
    data = measure.dataset()
    actors = measure.prepare()
    log(f"inbox: a handler of {actors.inbox_unit} ({actors.inbox_cases:,} cases in the inbox's scope)")
    result_queries = measure.queries_per_request(actors)
    log(f"SQL statements per request: {result_queries}")
    connections.close_all()  # nothing of ours holds the database while gunicorn works
    result: dict[str, Any] = {"dataset": data, "inbox_unit": actors.inbox_unit, "inbox_unit_cases": actors.inbox_cases,
                              "queries_per_request": result_queries}
    env = {**bench_environment(target), "DJANGO_SETTINGS_MODULE": "yc_bench.floor_settings"}
    try:
        with Server(env, "yancheng.wsgi:application", pythonpath=[str(BENCH_DIR)], name=f"yancheng-{target.vendor}",
                    ready_path="/bench/floor/") as server:
            counter = measure.HttpCounter(server.port)
            create = measure.case_request_maker(actors)
            inbox = measure.page_maker("/cases/", actors.cookies["inbox"])
            city_inbox = measure.page_maker("/cases/", actors.cookies["office"])
            dashboard = measure.page_maker("/dashboard/", actors.cookies["office"])
            dashboard_fresh = measure.page_maker("/dashboard/?refresh=1", actors.cookies["office"])
            floor = measure.floor_maker()
            log("warming up …")
            for make, n in ((floor, 20), (create, 8), (inbox, 4), (city_inbox, 2), (dashboard, 4)):
                warm = counter.load(make, n, min(n, plan.concurrency))
                if warm.errors:
                    raise SystemExit(f"warm-up failed: {warm.errors[:3]}")
            c = plan.concurrency
            log(f"bare JSON view: {plan.repeat} × {plan.floor} requests at concurrency {c} …")
            result["floor"] = counter.repeat(floor, plan.floor, c, plan.repeat)
            log(f"case creation (API): {plan.repeat} × {plan.create} requests at concurrency {c} …")
            result["create"] = counter.repeat(create, plan.create, c, plan.repeat)
            log(f"unit inbox page: {plan.repeat} × {plan.inbox} requests, one at a time …")
            result["inbox"] = counter.repeat(inbox, plan.inbox, 1, plan.repeat)
            log(f"city-wide inbox page (project office): {plan.repeat} × {plan.inbox} requests …")
            result["city_inbox"] = counter.repeat(city_inbox, plan.inbox, 1, plan.repeat)
            for who, label in (("petitions_bureau", "信访局"), ("petitions_organ", "handling organ")):
                if who not in actors.cookies:
                    continue
                page = measure.page_maker(measure.PETITIONS_INBOX, actors.cookies[who])
                counter.load(page, 2, 1)  # warm
                log(f"petitions inbox ({label}): {plan.repeat} × {plan.inbox} requests, one at a time …")
                result[who] = counter.repeat(page, plan.inbox, 1, plan.repeat)
            result["petition_counts"] = actors.petition_counts
            log(f"dashboard page: {plan.repeat} × {plan.dashboard} requests, one at a time …")
            result["dashboard"] = counter.repeat(dashboard, plan.dashboard, 1, plan.repeat)
            log(f"dashboard counted afresh (?refresh=1): {plan.repeat} × {plan.dashboard_fresh} requests …")
            result["dashboard_fresh"] = counter.repeat(dashboard_fresh, plan.dashboard_fresh, 1, plan.repeat)
            remaining = plan.rss_after - counter.sent
            if remaining > 0:
                log(f"{remaining:,} more requests (inbox pages and bare views) before reading the workers' RSS …")

                def mixed(thread: int, n: int) -> Any:
                    return inbox(thread, n) if n % 4 == 0 else floor(thread, n)

                counter.load(mixed, remaining, c)
            result["rss"] = {"after_requests": counter.sent, "workers_mib": server.rss_mib()}
            result["rss"]["max_mib"] = max(result["rss"]["workers_mib"].values(), default=0)
    finally:
        measure.release(actors)
    log(f"escalation job ({plan.repeat}×, rolled back) …")
    result["escalation"] = measure.escalation(plan.repeat)
    log(f"monthly ranking ({plan.repeat}×) …")
    result["ranking"] = measure.ranking(plan.repeat)
    log(f"hazard list, a city leader's ({plan.repeat} × {plan.inbox} pages, in process) …")
    hazards = measure.hazard_list(plan.inbox, plan.repeat)
    if hazards is not None:
        result["hazard_list"] = hazards
    log(f"chain pages, the city 链办's ({plan.repeat} × {plan.inbox} pages each, in process) …")
    chains = measure.chain_pages(plan.inbox, plan.repeat)
    if chains is not None:
        result["chain_pages"] = chains
    if plan.import_rows:
        log(f"enterprise import: {plan.import_rows:,} rows ({plan.import_repeat}×, dry run) …")
        result["import"] = measure.enterprise_import(plan.import_rows, plan.import_repeat)
    return result


def verdicts(result: dict[str, Any], peer: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    create, floor = result["create"]["rps"], result["floor"]["rps"]
    out["create_vs_floor"] = (round(create / floor, 2) if floor else None, TARGETS["create_vs_floor"])
    if peer:
        peer_rps = peer["create"]["rps"]
        out["create_vs_peer"] = (round(create / peer_rps, 2) if peer_rps else None, TARGETS["create_vs_peer"])
    out["inbox_p95_ms"] = (result["inbox"]["p95_ms"], TARGETS["inbox_p95_ms"])
    out["dashboard_p95_ms"] = (result["dashboard"]["p95_ms"], TARGETS["dashboard_p95_ms"])
    out["escalation_s"] = (result["escalation"]["seconds"], TARGETS["escalation_s"])
    out["ranking_s"] = (result["ranking"]["seconds"], TARGETS["ranking_s"])
    if "import" in result:
        out["import_s"] = (result["import"]["seconds_per_100k"], TARGETS["import_s"])
    out["rss_mib"] = (result["rss"]["max_mib"], TARGETS["rss_mib"])
    if "hazard_list" in result:
        out["hazard_list_p95_ms"] = (result["hazard_list"]["p95_ms"], TARGETS["hazard_list_p95_ms"])
    return {k: {"value": v, "target": t, "met": None if v is None else (v >= t if k.startswith("create") else v <= t)}
            for k, (v, t) in out.items()}


def table(result: dict[str, Any], peer: dict[str, Any] | None, checks: dict[str, Any]) -> str:
    lines = []

    def http_row(label: str, ours: dict[str, Any], theirs: dict[str, Any] | None = None, rate: bool = False,
                 sql: int | None = None) -> None:
        text = f"{label:<34} "
        text += f"{ours['rps']:>8.1f} req/s " if rate else " " * 15
        text += f"p50 {ours['p50_ms']:>7.1f} ms  p95 {ours['p95_ms']:>7.1f} ms"
        if theirs:
            text += f"  | helpdesk: {theirs['rps']:>7.1f} req/s  " if rate else "  | helpdesk: "
            text += f"p50 {theirs['p50_ms']:>7.1f}  p95 {theirs['p95_ms']:>7.1f}"
            if rate and theirs["rps"]:
                text += f"  ratio ×{ours['rps'] / theirs['rps']:.2f}"
            elif theirs["p95_ms"]:
                text += f"  ratio ×{theirs['p95_ms'] / ours['p95_ms']:.2f} faster" if ours["p95_ms"] else ""
        if sql is not None:
            text += f"  [{sql} SQL]"
        if ours["errors"]:
            text += f"  ({ours['errors']} errors!)"
        lines.append(text)

    queries = result.get("queries_per_request", {})
    http_row("bare JSON view (c=4)", result["floor"], rate=True)
    http_row("case creation, API (c=4)", result["create"], peer["create"] if peer else None, rate=True,
             sql=queries.get("create"))
    http_row("unit inbox page (c=1)", result["inbox"], peer["list"] if peer else None, sql=queries.get("inbox"))
    http_row("city-wide inbox page (c=1)", result["city_inbox"], sql=queries.get("city_inbox"))
    http_row("dashboard page (c=1)", result["dashboard"], peer["dashboard"] if peer else None,
             sql=queries.get("dashboard"))
    if "dashboard_fresh" in result:
        http_row("dashboard counted afresh (c=1)", result["dashboard_fresh"])
    counts = result.get("petition_counts", {})
    for who, label in (("petitions_bureau", "petitions inbox, 信访局"), ("petitions_organ", "petitions inbox, organ")):
        if who in result:
            http_row(f"{label} (c=1)", result[who], sql=queries.get(who))
            lines[-1] += f"  ({counts.get(who.split('_')[1], 0):,} matters)"
    esc = result["escalation"]
    lines.append(f"{'escalation job':<34} {esc['seconds']:>8.2f} s   ({sum(esc['escalated'].values())} escalated "
                 f"of {esc['running_cases']:,} running cases; {esc.get('queries', '?')} SQL)")
    rank = result["ranking"]
    lines.append(f"{'monthly ranking':<34} {rank['seconds']:>8.2f} s   (regions {rank['region']['seconds']} s, "
                 f"units {rank['unit']['seconds']} s)")
    if "chain_pages" in result:
        chains = result["chain_pages"]
        for name in ("landing", "map", "leads"):
            page = chains[name]
            lines.append(f"{'chain ' + name + ' (链办)':<34} p50 {page['p50_ms']:>7.1f} ms  p95 {page['p95_ms']:>7.1f} ms"
                         f"   ({chains['placements']:,} placements on {chains['chain']}, {page['queries']} queries)")
    if "hazard_list" in result:
        haz = result["hazard_list"]
        lines.append(f"{'hazard list (city leader)':<34} p50 {haz['p50_ms']:>7.1f} ms  p95 {haz['p95_ms']:>7.1f} ms"
                     f"   ({haz['hazards']:,} hazards, {haz['queries']} queries)")
    if "import" in result:
        imp = result["import"]
        lines.append(f"{'enterprise .xlsx import':<34} {imp['seconds']:>8.2f} s   ({imp['rows']:,} rows, "
                     f"{imp['rows_per_s']:,.0f} rows/s → {imp['seconds_per_100k']:,.0f} s per 100k; "
                     f"{imp.get('queries_per_row', '?')} SQL/row)")
    rss = result["rss"]
    lines.append(f"{'worker RSS':<34} {rss['max_mib']:>8.1f} MiB (max of {len(rss['workers_mib'])} workers after "
                 f"{rss['after_requests']:,} requests)")
    lines.append("")
    for name, check in checks.items():
        mark = "?" if check["met"] is None else ("met" if check["met"] else "MISSED")
        lines.append(f"  target {name:<18} {check['value']!s:>10}  (target {check['target']})  {mark}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="sqlite:///PATH or postgres://USER@HOST:PORT/DB (generated)")
    parser.add_argument("--peer", action="store_true", help="also measure django-helpdesk (bench/peer)")
    parser.add_argument("--repeat", type=int, default=0, help="repetitions per figure (default 3, --quick 1)")
    parser.add_argument("--quick", action="store_true", help="fewer requests, a 1,000-row import (to try it)")
    parser.add_argument("--import-rows", type=int, default=0, help="rows of the .xlsx import (default 100,000)")
    parser.add_argument("--peer-tickets", type=int, default=0,
                        help="tickets helpdesk holds (default: as many as Yancheng has cases)")
    parser.add_argument("--out", help="result file (default bench/results/<date>-<db>.json)")
    args = parser.parse_args(argv)
    target = parse_target(args.db)
    plan = Plan.of(args)
    setup_django(target)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    started = time.time()
    before = loadavg()
    log(f"{target.label} {target.name}; load average {before}")
    result = measure_yancheng(target, plan, log)
    peer = None
    if args.peer:
        from . import peer as peer_module

        peer = peer_module.measure(target, tickets=args.peer_tickets or result["dataset"]["cases"], plan=plan, log=log)
    checks = verdicts(result, peer)
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(started)),
        "database": database_version(), "db_name": target.name, "machine": machine(),
        "load_average": {"before": before, "after": loadavg()}, "plan": plan.__dict__,
        "yancheng": result, "peer": peer, "targets": checks,
        "seconds": round(time.time() - started, 1),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = Path(args.out) if args.out else RESULTS_DIR / (
        f"{time.strftime('%Y-%m-%d', time.localtime(started))}-{target.vendor}-{target.name}.json")
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    print(f"\n{report['database']}, {result['dataset']['cases']:,} cases; {report['machine'].get('nproc')} cores, "
          f"{report['machine'].get('ram_gib')} GiB; load average {before} → {report['load_average']['after']}")
    print(table(result, peer, checks))
    print(f"\nwritten to {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
