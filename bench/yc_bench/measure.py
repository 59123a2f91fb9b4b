"""What bench/run measures on Yancheng, over HTTP against gunicorn and in-process.

Who acts (chosen from the generated data, see ``prepare``):
- case creation: four enterprise users whose enterprise sits in a park (the park's
  dispatchers are told, by inbox and email task), each with an API token of its own;
- a unit's inbox: a handler of the unit that leads the most cases in its inbox;
- the dashboard (and the city-wide inbox): a dispatcher of the city's project office.

Page users get a real session (with their TOTP device verified, the way django_otp marks a
session after the code step) so the production middleware runs as it does for a person.
The run leaves its created cases in the database; tokens and sessions are removed after.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .load import LoadResult, Request, run_load

OPEN_INBOX = ("submitted", "assigned", "returned", "accepted", "resolved")


@dataclass
class Actors:
    creators: list[tuple[Any, str]]  # (user, raw token)
    inbox_user: Any
    inbox_unit: str
    inbox_cases: int
    office_user: Any
    cookies: dict[str, str] = field(default_factory=dict)  # who -> Cookie header
    token_ids: list[int] = field(default_factory=list)
    session_keys: list[str] = field(default_factory=list)
    petition_counts: dict[str, int] = field(default_factory=dict)  # matters each petitions inbox shows


def _session_cookie(user: Any) -> tuple[str, str]:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yancheng.core.security.sessions import LOGIN_AT_SESSION_KEY

    device, _created = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "yancheng.core.backends.PasswordOnlyBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[LOGIN_AT_SESSION_KEY] = time.time()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}", str(session.session_key)


def prepare(creators: int = 4) -> Actors:
    """Choose the acting users, give them tokens and sessions (in this process)."""
    from django.db.models import Count
    from django.utils import timezone

    from yancheng.api.services import api_token_create
    from yancheng.cases.models import Case
    from yancheng.core.models import Organisation, Role, User

    makers = list(
        User.objects.filter(role=Role.ENTERPRISE, is_active=True, organisation__enterprise__park__isnull=False)
        .order_by("id")[:creators]
    )
    if len(makers) < creators:
        raise SystemExit("not enough enterprise users in parks: generate the data first (bench/generate)")
    busiest = (
        Case.objects.filter(status__in=OPEN_INBOX, lead_org__isnull=False, lead_org__users__role=Role.HANDLER)
        .values("lead_org_id").annotate(n=Count("id", distinct=True)).order_by("-n", "lead_org_id").first()
    )
    if busiest is None:
        raise SystemExit("no case has a lead unit with a handler: generate the data first")
    unit = Organisation.objects.get(pk=busiest["lead_org_id"])
    handler = User.objects.filter(organisation=unit, role=Role.HANDLER, is_active=True).order_by("id").first()
    office = User.objects.filter(organisation__code="hy-zdxmb", role=Role.DISPATCHER, is_active=True).order_by("id")
    office_user = office.first()
    if handler is None or office_user is None:
        raise SystemExit("the generated data has no handler or no project-office dispatcher")
    everyone = [*makers, handler, office_user]
    # Generated accounts carry the generation time as their password date: keep them inside
    # the 90-day expiry so the pages answer instead of sending to the password change.
    User.objects.filter(pk__in=[u.pk for u in everyone]).update(password_changed_at=timezone.now())
    actors = Actors(creators=[], inbox_user=handler, inbox_unit=unit.name, inbox_cases=busiest["n"],
                    office_user=office_user)
    for user in makers:
        token, raw = api_token_create(user=user, name=f"bench {uuid.uuid4().hex[:8]}", valid_days=30, actor=user)
        actors.creators.append((user, raw))
        actors.token_ids.append(token.pk)
    for who, user in (("inbox", handler), ("office", office_user)):
        user.refresh_from_db()
        cookie, key = _session_cookie(user)
        actors.cookies[who] = cookie
        actors.session_keys.append(key)
    _petition_actors(actors)
    return actors


def _petition_actors(actors: Actors) -> None:
    """The petitions inbox's two sides, when the data has petitions: the city 信访局's clerk
    (every matter of the city) and a handler of the organ handling the most matters."""
    from django.db.models import Count
    from django.utils import timezone

    from yancheng.core.models import Role, User
    from yancheng.petitions.models import Petition

    clerk = (User.objects.filter(role=Role.PETITION, is_active=True, organisation__region__kind="city")
             .order_by("id").first())
    busiest = (Petition.objects.filter(handling_org__users__role=Role.HANDLER).values("handling_org_id")
               .annotate(n=Count("id", distinct=True)).order_by("-n", "handling_org_id").first())
    if clerk is None or busiest is None:
        return
    handler = User.objects.filter(organisation_id=busiest["handling_org_id"], role=Role.HANDLER,
                                  is_active=True).order_by("id").first()
    if handler is None:
        return
    User.objects.filter(pk__in=[clerk.pk, handler.pk]).update(password_changed_at=timezone.now())
    actors.petition_counts = {"bureau": Petition.objects.visible_to(clerk).count(), "organ": busiest["n"]}
    for who, user in (("petitions_bureau", clerk), ("petitions_organ", handler)):
        user.refresh_from_db()
        cookie, key = _session_cookie(user)
        actors.cookies[who] = cookie
        actors.session_keys.append(key)


def release(actors: Actors) -> None:
    from django.contrib.sessions.models import Session

    from yancheng.api.models import ApiToken
    from yancheng.api.services import api_token_revoke

    for token in ApiToken.objects.filter(pk__in=actors.token_ids):
        api_token_revoke(token, actor=None)
    Session.objects.filter(session_key__in=actors.session_keys).delete()


# --- HTTP ------------------------------------------------------------------------------------------


def case_request_maker(actors: Actors, seed: int = 1) -> Callable[[int, int], Request]:
    from yancheng.cases.demo import PROBLEMS

    titles = [(t, p.description) for p in PROBLEMS for t in p.titles]
    rng = random.Random(seed)
    choices = [titles[rng.randrange(len(titles))] for _ in range(997)]

    def make(thread: int, n: int) -> Request:
        _user, token = actors.creators[thread % len(actors.creators)]
        title, description = choices[n % len(choices)]
        body = json.dumps({"title": title, "description": description, "kind": "project_problem",
                           "urgency": "normal", "subject": "压测项目"}, ensure_ascii=False).encode()
        return Request("POST", "/api/v1/cases", {
            "Authorization": f"Bearer {token}", "Content-Type": "application/json",
            "Idempotency-Key": str(uuid.uuid4()), "Accept": "application/json",
        }, body, expect=(201,))

    return make


def page_maker(path: str, cookie: str) -> Callable[[int, int], Request]:
    def make(thread: int, n: int) -> Request:
        return Request("GET", path, {"Cookie": cookie, "Accept": "text/html"})

    return make


def floor_maker() -> Callable[[int, int], Request]:
    return lambda thread, n: Request("GET", "/bench/floor/", {"Accept": "application/json"})


def median_summary(results: list[LoadResult]) -> dict[str, Any]:
    """Median over repetitions of each figure, with every repetition kept."""
    summaries = [r.summary() for r in results]
    return {
        "rps": round(statistics.median(s["rps"] for s in summaries), 1),
        "p50_ms": round(statistics.median(s["p50_ms"] for s in summaries), 1),
        "p95_ms": round(statistics.median(s["p95_ms"] for s in summaries), 1),
        "requests": sum(s["requests"] for s in summaries),
        "errors": sum(s["errors"] for s in summaries),
        "repetitions": summaries,
        "first_errors": [e for r in results for e in r.errors][:5],
    }


class HttpCounter:
    """Every request sent to one server, for the 'RSS after N requests' figure."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sent = 0

    def load(self, make: Callable[[int, int], Request], total: int, concurrency: int) -> LoadResult:
        result = run_load(self.port, make, total=total, concurrency=concurrency)
        self.sent += result.requests
        return result

    def repeat(self, make: Callable[[int, int], Request], total: int, concurrency: int,
               repeat: int) -> dict[str, Any]:
        return median_summary([self.load(make, total, concurrency) for _ in range(repeat)])


# --- in-process --------------------------------------------------------------------------------------


def count_queries(fn: Callable[[], Any]) -> tuple[int, Any]:
    """How many SQL statements ``fn`` runs (a machine-independent figure beside the timings)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        value = fn()
    return len(captured.captured_queries), value


PETITIONS_INBOX = "/petitions/"


def queries_per_request(actors: Actors) -> dict[str, int]:
    """One request of each kind through Django's test client, in this process, counting SQL."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    create = case_request_maker(actors, seed=99)(0, 0)
    calls = {
        "create": lambda: client.post(create.path, create.body, content_type="application/json",
                                      HTTP_AUTHORIZATION=create.headers["Authorization"],
                                      HTTP_IDEMPOTENCY_KEY=create.headers["Idempotency-Key"]),
        "inbox": lambda: client.get("/cases/", HTTP_COOKIE=actors.cookies["inbox"]),
        "city_inbox": lambda: client.get("/cases/", HTTP_COOKIE=actors.cookies["office"]),
        "dashboard": lambda: client.get("/dashboard/?refresh=1", HTTP_COOKIE=actors.cookies["office"]),
    }
    for who in ("petitions_bureau", "petitions_organ"):
        if who in actors.cookies:
            calls[who] = lambda who=who: client.get(PETITIONS_INBOX, HTTP_COOKIE=actors.cookies[who])
    out = {}
    for name, call in calls.items():
        count, response = count_queries(call)
        if response.status_code not in (200, 201):
            raise SystemExit(f"{name}: HTTP {response.status_code} in-process; the pages would not answer")
        out[name] = count
    return out


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float], Any]:
    times: list[float] = []
    value: Any = None
    for _ in range(repeat):
        began = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), times, value


def escalation(repeat: int) -> dict[str, Any]:
    """The escalation job over all open cases, in a transaction rolled back afterwards so
    every repetition finds the same night's batch (its on-commit task enqueues are the only
    work left out)."""
    from django.db import transaction

    from yancheng.cases.escalation import escalation_tick
    from yancheng.cases.models import CLOCK_STATUSES, Case

    def once() -> dict[str, int]:
        with transaction.atomic():
            report = escalation_tick()
            transaction.set_rollback(True)
        return {"pressed": len(report.pressed), "supervised": len(report.supervised),
                "reported": len(report.reported)}

    running = Case.objects.filter(status__in=CLOCK_STATUSES, suspended_at__isnull=True).count()
    seconds, times, counts = timed(once, repeat)
    queries, _counts = count_queries(once)
    escalated = sum(counts.values())
    return {"seconds": round(seconds, 3), "times": [round(t, 3) for t in times], "escalated": counts,
            "running_cases": running, "queries": queries,
            "queries_per_case": round(queries / escalated, 1) if escalated else None,
            "ms_per_case": round(seconds * 1000 / escalated, 1) if escalated else None}


def ranking(repeat: int) -> dict[str, Any]:
    """One month's ranking (the current month), regions and units, as the service computes
    it before freezing it."""
    from django.utils import timezone

    from yancheng.dashboard.models import RankingKind
    from yancheng.dashboard.rankings import Month, compute_ranking
    from yancheng.dashboard.services import active_formula

    formula = active_formula()
    month = Month.of(timezone.localdate())
    out: dict[str, Any] = {}
    for kind in RankingKind.values:
        seconds, times, rows = timed(lambda kind=kind: compute_ranking(kind, month, formula), repeat)
        queries, _rows = count_queries(lambda kind=kind: compute_ranking(kind, month, formula))
        out[kind] = {"seconds": round(seconds, 3), "times": [round(t, 3) for t in times], "rows": len(rows),
                     "queries": queries}
    out["seconds"] = max(v["seconds"] for v in out.values())
    return out


# The hazard list's filters a 安委办 clerk or a leader uses most (none: the whole list).
HAZARD_LIST_FILTERS: tuple[dict[str, str], ...] = ({}, {"open": "1"}, {"open": "1", "light": "red"}, {"level": "major", "open": "1"},
                       {"supervised": "1"}, {"repeat": "1"})


def hazard_list(requests: int, repeat: int) -> dict[str, Any] | None:
    """隐患 list at scale for a city leader (every hazard of the city: the widest scope):
    one page (50 rows, newest first) and its total, under the list's common filters in turn —
    through the list's own reads (``visible_to``, ``annotate_hazard_lights``,
    ``hazard_filters``), in process: the list page belongs to the hazards' page family and is
    measured over HTTP once it is installed. None when the database has no hazards."""
    from yancheng.core.models import Role, User
    from yancheng.safety.models import Hazard
    from yancheng.safety.selectors import annotate_hazard_lights, hazard_filters

    total = Hazard.objects.count()
    leader = User.objects.filter(role=Role.LEADER, is_active=True, organisation__region__kind="city").order_by("pk").first()
    if not total or leader is None:
        return None

    def page(params: dict[str, str]) -> int:
        qs = hazard_filters(annotate_hazard_lights(Hazard.objects.visible_to(leader)), params)
        rows = list(qs.select_related("enterprise", "supervising_org", "system").order_by("-reported_at", "-pk")[:50])
        return qs.count() + len(rows)

    runs: list[list[float]] = []
    for _ in range(repeat):
        times = []
        for n in range(requests):
            began = time.perf_counter()
            page(HAZARD_LIST_FILTERS[n % len(HAZARD_LIST_FILTERS)])
            times.append((time.perf_counter() - began) * 1000)
        runs.append(sorted(times))

    def pct(times: list[float], q: float) -> float:
        return times[min(len(times) - 1, round(q * (len(times) - 1)))]

    p95 = statistics.median(pct(t, 0.95) for t in runs)
    p50 = statistics.median(pct(t, 0.50) for t in runs)
    queries, _n = count_queries(lambda: page({"open": "1", "light": "red"}))
    return {"hazards": total, "p50_ms": round(p50, 1), "p95_ms": round(p95, 1), "queries": queries,
            "leader": leader.username}


# The chain pages a 链办 clerk opens most: the landing (every chain with its lights), the largest
# chain's map, its leads list.
CHAIN_PAGES = (("landing", "/chains/"), ("map", "/chains/{code}/map/"), ("leads", "/chains/{code}/leads/"))


def chain_pages(requests: int, repeat: int) -> dict[str, Any] | None:
    """产业链 pages at scale for the city's 链办 (a city-level office reads every chain): the
    landing, the map and the leads list of the chain with the most placements, through Django's
    test client in this process (the whole page: middleware, views, templates). None when the
    database has no chain maps."""
    from django.db.models import Count
    from django.test import Client

    from yancheng.chains.models import MapNode, Placement
    from yancheng.core.models import Role, User

    clerk = User.objects.filter(role=Role.CHAIN_OFFICE, is_active=True, organisation__region__kind="city").order_by(
        "pk").first()
    if clerk is None or not MapNode.objects.exists():
        return None
    widest = (Placement.objects.values("node__chain__code").annotate(n=Count("pk")).order_by("-n")
              .values_list("node__chain__code", flat=True).first())
    code = widest or MapNode.objects.values_list("chain__code", flat=True).order_by("chain_id").first()
    cookie, key = _session_cookie(clerk)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https", HTTP_COOKIE=cookie)
    out: dict[str, Any] = {"chain": code, "clerk": clerk.username,
                           "placements": Placement.objects.filter(node__chain__code=code).count()}
    try:
        for name, template in CHAIN_PAGES:
            path = template.format(code=code)

            def get(path: str = path) -> Any:
                response = client.get(path)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {response.status_code} in-process")
                return response

            get()  # warm
            runs: list[list[float]] = []
            for _ in range(repeat):
                times = []
                for _n in range(requests):
                    began = time.perf_counter()
                    get()
                    times.append((time.perf_counter() - began) * 1000)
                runs.append(sorted(times))
            queries, _response = count_queries(get)
            out[name] = {"p50_ms": round(statistics.median(_pct(t, 0.50) for t in runs), 1),
                         "p95_ms": round(statistics.median(_pct(t, 0.95) for t in runs), 1), "queries": queries}
    finally:
        from django.contrib.sessions.models import Session

        Session.objects.filter(session_key=key).delete()
    return out


def _pct(times: list[float], q: float) -> float:
    return times[min(len(times) - 1, round(q * (len(times) - 1)))]


IMPORT_HEADERS = ["统一社会信用代码", "企业名称", "所在区划", "所在园区", "产业链", "法定代表人", "地址", "规上工业",
                  "限上批零住餐", "资质等级建筑业", "规上服务业", "专精特新梯度", "信用风险等级"]


def import_file(rows: int) -> bytes:
    """An enterprise .xlsx of ``rows`` valid, new enterprises (codes marked "MD"), cached."""
    from django.conf import settings

    from yancheng.core.models import IndustryChain, Organisation, Region
    from yancheng.lib.xlsx import write_workbook

    from .stages.enterprises import uscc_for

    path = Path(settings.DATA_DIR) / "bench" / f"import-enterprises-{rows}.xlsx"
    if path.exists():
        return path.read_bytes()
    rng = random.Random(rows)
    counties = list(Region.objects.filter(parent__code="430400").values_list("code", "name", "id"))
    parks: dict[int, list[str]] = {}
    for name, region_id in Organisation.objects.filter(kind="park").values_list("name", "region_id"):
        parks.setdefault(region_id, []).append(name)
    chains = list(IndustryChain.objects.values_list("name", flat=True))

    def lines() -> Any:
        for n in range(rows):
            code, name, region_id = counties[rng.randrange(len(counties))]
            local = parks.get(region_id, [])
            yield [uscc_for(code, n, marker="MD"), f"{name[:2]}导入测试企业{n}有限公司", code,
                   local[rng.randrange(len(local))] if local and rng.random() < 0.5 else "",
                   chains[rng.randrange(len(chains))], "王示例", f"{name}导入路{n}号",
                   "是" if rng.random() < 0.4 else "否", "否", "否", "否", "", rng.choice("ABCD")]

    data = write_workbook("企业", IMPORT_HEADERS, lines())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def enterprise_import(rows: int, repeat: int) -> dict[str, Any]:
    """The .xlsx enterprise import of ``rows`` rows, as its dry run: every row really
    created through ``enterprise_create`` (with its organisation and audit record) inside
    one transaction, then rolled back — the confirmed import does the same and commits."""
    from yancheng.core.importers import enterprises_import
    from yancheng.core.models import Role, User

    admin = User.objects.filter(role=Role.SYSTEM_ADMIN, is_active=True).order_by("id").first()
    if admin is None:
        raise SystemExit("no system administrator in the generated data")
    data = import_file(rows)
    seconds, times, report = timed(lambda: enterprises_import(data, actor=admin, dry_run=True), repeat)
    if report.errors:
        raise SystemExit(f"the import file was refused: {report.errors[:3]}")
    sample = min(rows, 50)
    queries, _report = count_queries(lambda: enterprises_import(import_file(sample), actor=admin, dry_run=True))
    return {"rows": rows, "seconds": round(seconds, 2), "times": [round(t, 2) for t in times],
            "rows_per_s": round(rows / seconds, 1), "seconds_per_100k": round(seconds * 100_000 / rows, 1),
            "created": report.created, "queries_per_row": round(queries / sample, 1)}


def dataset() -> dict[str, Any]:
    """What the database holds, so a figure is read with its scale."""
    from django.db.models import Count
    from django.utils import timezone

    from yancheng.cases.models import Case, CaseEvent
    from yancheng.core.audit.models import AuditEvent
    from yancheng.core.models import Enterprise
    from yancheng.inspections.models import Inspection
    from yancheng.projects.models import MonthlyReport, Node, Project

    lights = dict(Case.objects.filter(status__in=OPEN_INBOX).with_lights().values_list("light")
                  .annotate(n=Count("id")).order_by())
    return {
        "cases": Case.objects.count(), "case_events": CaseEvent.objects.count(),
        "open_cases": Case.objects.filter(status__in=OPEN_INBOX[:4]).count(), "open_lights": lights,
        "enterprises": Enterprise.objects.count(), "projects": Project.objects.count(),
        "nodes": Node.objects.count(), "monthly_reports": MonthlyReport.objects.count(),
        "audit_records": AuditEvent.objects.count(), "inspections": Inspection.objects.count(),
        "at": timezone.now().isoformat(timespec="seconds"),
    }


def now_text() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")
