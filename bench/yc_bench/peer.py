"""``bench/peer``: django-helpdesk, the Django peer, measured the way bench/run measures
Yancheng.

    uv run python bench/peer --db postgres://postgres@127.0.0.1:5432/yc_province --tickets 1000000
    uv run python bench/run --db ... --peer        # both, side by side

django-helpdesk comes from PyPI into its own virtual environment (bench/.peer-venv, made
with ``uv venv``); it is never a dependency of Yancheng and never vendored. Its project
(bench/peer_project) uses its own database: ``<db>_peer`` on the same PostgreSQL server, or
``bench/out/peer-<name>.sqlite3`` beside an SQLite target. Figures: ticket creation through
its staff form view (POST /tickets/submit/, CSRF and session as a browser sends them) at
concurrency 4; the ticket list (the page, then the DataTables JSON it loads, 50 rows) and
the dashboard one request at a time; the workers' RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .env import BENCH_DIR, OUT_DIR, Target, parse_target
from .load import Request
from .measure import HttpCounter

HELPDESK = "django-helpdesk==2.6.1"
PEER_VENV = BENCH_DIR / ".peer-venv"
PEER_PROJECT = BENCH_DIR / "peer_project"
PEER_PYTHON = PEER_VENV / "bin" / "python"
CSRF = "benchbenchbenchbenchbenchbench32"  # 32 characters: a CSRF secret the cookie and the form share


def ensure_venv(log: Callable[[str], None]) -> None:
    if PEER_PYTHON.exists():
        probe = subprocess.run([str(PEER_PYTHON), "-c", "import helpdesk, gunicorn, psycopg"], capture_output=True)
        if probe.returncode == 0:
            return
    log(f"creating {PEER_VENV} with {HELPDESK} from PyPI …")
    subprocess.run(["uv", "venv", "--quiet", "--python", "3.11", str(PEER_VENV)], check=True)
    subprocess.run(["uv", "pip", "install", "--quiet", "--python", str(PEER_PYTHON), HELPDESK, "gunicorn",
                    "psycopg[binary]"], check=True)


def peer_database(target: Target) -> str:
    if target.vendor == "sqlite":
        return f"sqlite:///{OUT_DIR / f'peer-{target.name}.sqlite3'}"
    base, name = target.url.rsplit("/", 1)
    return f"{base}/{name}_peer"


def peer_env(target: Target) -> dict[str, str]:
    return {"PEER_DATABASE_URL": peer_database(target), "DJANGO_SETTINGS_MODULE": "peer_site.settings",
            "PEER_STATIC_ROOT": str(OUT_DIR / "peer-static"), "PYTHONPATH": str(PEER_PROJECT)}


def prepare(target: Target, tickets: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Venv, database, migrations and N tickets; returns the staff session cookies."""
    ensure_venv(log)
    if target.vendor == "postgresql":
        from .generate import ensure_database

        ensure_database(parse_target(peer_database(target)))
    else:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **peer_env(target)}
    subprocess.run([str(PEER_PYTHON), str(PEER_PROJECT / "manage.py"), "migrate", "--noinput", "-v0"], env=env,
                   check=True, cwd=str(PEER_PROJECT))
    log(f"helpdesk: {tickets:,} tickets in {peer_database(target).split('@')[-1]} …")
    done = subprocess.run([str(PEER_PYTHON), str(PEER_PROJECT / "load_tickets.py"), "--tickets", str(tickets)],
                          env=env, check=True, cwd=str(PEER_PROJECT), stdout=subprocess.PIPE)
    info: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return info


def measure(target: Target, *, tickets: int, plan: Any, log: Callable[[str], None]) -> dict[str, Any]:
    from .server import Server

    info = prepare(target, tickets, log)
    cookies = [f"{c}; csrftoken={CSRF}" for c in info["cookies"]]
    queue = info["queue"]
    result: dict[str, Any] = {"package": HELPDESK, "tickets": info["tickets"], "database": peer_database(target)}
    with Server(peer_env(target), "peer_site.wsgi:application", python=str(PEER_PYTHON),
                pythonpath=[str(PEER_PROJECT)], name=f"helpdesk-{target.vendor}", ready_path="/login/") as server:
        counter = HttpCounter(server.port)
        page = counter.load(lambda t, n: Request("GET", "/tickets/", {"Cookie": cookies[0]}), 1, 1)
        if page.errors:
            raise SystemExit(f"helpdesk ticket list failed: {page.errors[:2]}")
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        connection.request("GET", "/tickets/", headers={"Cookie": cookies[0]})
        html = connection.getresponse().read().decode()
        connection.close()
        found = re.search(r"datatables_ticket_list/([A-Za-z0-9+/=]+)", html)
        if not found:
            raise SystemExit("could not find the ticket list's data URL on helpdesk's page")
        data_path = f"/datatables_ticket_list/{found.group(1)}?" + urlencode({"draw": 1, "start": 0, "length": 50})

        def create(thread: int, n: int) -> Request:
            body = urlencode({"csrfmiddlewaretoken": CSRF, "queue": queue, "title": "专线接电进度滞后",
                              "body": "新厂房设备已到场，供电线路尚未接入，无法调试生产。", "priority": 3,
                              "due_date": "", "submitter_email": "", "assigned_to": ""}).encode()
            # Gunicorn trusts X-Forwarded-Proto from 127.0.0.1, so the request is HTTPS to
            # Django, whose CSRF check then wants the Referer a browser sends.
            return Request("POST", "/tickets/submit/", {
                "Cookie": cookies[thread % len(cookies)], "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"https://127.0.0.1:{server.port}/tickets/submit/"}, body, expect=(302,))

        def page_of(path: str) -> Callable[[int, int], Request]:
            return lambda t, n: Request("GET", path, {"Cookie": cookies[0], "Accept": "text/html"})

        log("helpdesk: warming up …")
        for make, n in ((create, 8), (page_of("/tickets/"), 3), (page_of(data_path), 3), (page_of("/dashboard/"), 3)):
            warm = counter.load(make, n, min(n, plan.concurrency))
            if warm.errors:
                raise SystemExit(f"helpdesk warm-up failed: {warm.errors[:2]}")
        log(f"helpdesk ticket creation (form view): {plan.repeat} × {plan.create} at concurrency {plan.concurrency} …")
        result["create"] = counter.repeat(create, plan.create, plan.concurrency, plan.repeat)
        log("helpdesk ticket list (page + its data) and dashboard …")
        result["list_page"] = counter.repeat(page_of("/tickets/"), plan.inbox, 1, plan.repeat)
        result["list_data"] = counter.repeat(page_of(data_path), plan.inbox, 1, plan.repeat)
        result["dashboard"] = counter.repeat(page_of("/dashboard/"), plan.dashboard, 1, plan.repeat)
        # What a user waits for before the list shows: the page, then its data request.
        result["list"] = {key: round(result["list_page"][key] + result["list_data"][key], 1)
                          for key in ("p50_ms", "p95_ms")} | {"rps": 0.0, "errors": 0}
        result["rss"] = {"after_requests": counter.sent, "workers_mib": server.rss_mib()}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/peer", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="the Yancheng target; the peer uses <db>_peer beside it")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=0)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    from .run import Plan

    plan = Plan.of(argparse.Namespace(quick=args.quick, repeat=args.repeat, import_rows=0))
    result = measure(parse_target(args.db), tickets=args.tickets, plan=plan,
                     log=lambda text: print(text, file=sys.stderr, flush=True))
    out = {k: v for k, v in result.items() if k in {"tickets", "package", "rss"}}
    for key in ("create", "list_page", "list_data", "dashboard"):
        out[key] = {k: result[key][k] for k in ("rps", "p50_ms", "p95_ms", "errors")}
    print(json.dumps(out, ensure_ascii=False, indent=1))
    path = OUT_DIR / f"peer-{Path(peer_database(parse_target(args.db))).name}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

