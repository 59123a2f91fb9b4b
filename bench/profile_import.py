#!/usr/bin/env python
"""bench/profile_import.py: the enterprise .xlsx import, in this process, on a generated
database — rows/s and SQL statements per row of the real importer.

    uv run python bench/profile_import.py --db postgres://postgres@127.0.0.1:5432/yc_perf_town
    uv run python bench/profile_import.py --db sqlite:///bench/out/town.sqlite3 --rows 2000 --dry-run

It writes a workbook of ``--rows`` new enterprises with valid credit codes
(``yancheng.lib.uscc.complete``, marked "PF" so they never collide with generated ones) and
runs ``enterprises_import`` on it as the confirmed import (``--dry-run``: as the dry run).
Everything happens inside an outer transaction that is rolled back at the end, so the
database is left as it was and the figure can be repeated; ``--commit`` keeps the rows.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from yc_bench.env import parse_target, setup_django
from yc_bench.profiling import StatementCounter, server_cpu

HEADERS = ["统一社会信用代码", "企业名称", "所在区划", "所在园区", "产业链", "法定代表人", "地址", "规上工业",
           "限上批零住餐", "资质等级建筑业", "规上服务业", "专精特新梯度", "信用风险等级"]
DIGITS = "0123456789"


def workbook(rows: int, offset: int) -> bytes:
    from yancheng.core.models import IndustryChain, Organisation, Region
    from yancheng.lib.uscc import complete
    from yancheng.lib.xlsx import write_workbook

    rng = random.Random(rows + offset)
    counties = list(Region.objects.filter(parent__code="430400").values_list("code", "name", "id"))
    if not counties:
        raise SystemExit("no counties under 430400: generate the database first (bench/generate)")
    parks: dict[int, list[str]] = {}
    for name, region_id in Organisation.objects.filter(kind="park").values_list("name", "region_id"):
        parks.setdefault(region_id, []).append(name)
    chains = list(IndustryChain.objects.values_list("name", flat=True))
    tiers = ["", "", "", "创新型中小企业", "专精特新中小企业"]

    def lines() -> Iterator[list[Any]]:
        for n in range(offset, offset + rows):
            code, name, region_id = counties[rng.randrange(len(counties))]
            local = parks.get(region_id, [])
            picked = rng.sample(chains, k=min(len(chains), rng.choice((0, 1, 1, 2))))
            yield [complete(f"91{code}PF{n:07d}"), f"{name[:2]}性能测试企业{n}有限公司", code,
                   local[rng.randrange(len(local))] if local and rng.random() < 0.5 else "",
                   "、".join(picked), "王示例", f"{name}测试路{n}号",
                   "是" if rng.random() < 0.4 else "否", "否", "否", "否", rng.choice(tiers), rng.choice("ABCD")]

    return write_workbook("企业", HEADERS, lines())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/profile_import.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="sqlite:///PATH or postgres://USER@HOST:PORT/DB (generated)")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--offset", type=int, default=0, help="first serial of the generated codes")
    parser.add_argument("--dry-run", action="store_true", help="measure the dry run instead of the import")
    parser.add_argument("--commit", action="store_true", help="keep the imported rows")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the import to FILE")
    args = parser.parse_args(argv)
    setup_django(parse_target(args.db))

    from django.db import connection, transaction

    from yancheng.core.importers import enterprises_import
    from yancheng.core.models import Role, User

    admin = User.objects.filter(role=Role.SYSTEM_ADMIN, is_active=True).order_by("id").first()
    if admin is None:
        raise SystemExit("no system administrator in this database")
    began = time.perf_counter()
    data = workbook(args.rows, args.offset)
    print(f"workbook: {args.rows:,} rows, {len(data) / 1e6:.1f} MB, written in {time.perf_counter() - began:.1f} s")

    counter = StatementCounter()
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    with transaction.atomic():
        with counter:
            server_began = server_cpu() or 0.0
            began, cpu_began = time.perf_counter(), time.process_time()
            if profiler is not None:
                profiler.enable()
            report = enterprises_import(data, actor=admin, dry_run=args.dry_run)
            if profiler is not None:
                profiler.disable()
            seconds, cpu = time.perf_counter() - began, time.process_time() - cpu_began
            server = (server_cpu() or 0.0) - server_began
        if not args.commit:
            transaction.set_rollback(True)
    if profiler is not None:
        profiler.dump_stats(args.profile)
    if report.errors:
        print(f"refused: {len(report.errors)} errors, first: {report.errors[:3]}")
        return 1
    kind = "dry run" if args.dry_run else "import"
    print(f"{kind}: {report.created:,} rows in {seconds:.2f} s = {args.rows / seconds:,.0f} rows/s; "
          f"{counter.count:,} SQL = {counter.count / args.rows:.2f} per row; "
          f"100k rows ≈ {seconds * 100_000 / args.rows:,.0f} s ({connection.vendor})")
    print(f"CPU: {cpu:.2f} s here + {server:.2f} s in the database server (load average "
          f"{os.getloadavg()[0]:.1f}); {'kept' if args.commit else 'rolled back'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
