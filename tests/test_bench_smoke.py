"""The benchmark harness (bench/) at smoke scale: the generator fills the test database with
a few hundred rows of every kind, the audit chain it writes verifies, a rerun adds nothing,
and the in-process parts of bench/run report their figures. No timing is asserted here:
targets live in the benchmark (bench/run), not in the test suite.

The test runs inside the test's transaction (so the immutable ranking snapshots and the
audit trail go away with its rollback); there the generator writes without its COPY thread
and without setting indexes aside, which the real runs of bench/generate exercise."""

from __future__ import annotations

import http.server
import json
import sys
import threading
from pathlib import Path

import pytest
from django.db.models import Count
from django.test import Client

BENCH = Path(__file__).resolve().parent.parent / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from yc_bench import measure  # noqa: E402
from yc_bench.generate import generate  # noqa: E402
from yc_bench.load import Request, run_load  # noqa: E402
from yc_bench.run import TARGETS, table, verdicts  # noqa: E402
from yc_bench.scales import SCALES  # noqa: E402

SMOKE = SCALES["smoke"]


def _quiet(_text: str) -> None:
    pass


@pytest.mark.django_db
def test_the_generator_and_the_in_process_benchmarks_work_at_smoke_scale():
    # The generator plays each case's life up to "now": at some hours of the week (early on a
    # working day) a few hundred cases hold none still waiting to be accepted. A fixed working
    # afternoon makes the mix of states the same on every run.
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime(2026, 12, 9, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=True):
        _generate_and_measure()


def _generate_and_measure() -> None:
    from yancheng.cases.clocks import policy_for, set_clocks
    from yancheng.cases.models import Case, CaseEvent
    from yancheng.core.audit.models import AuditEvent
    from yancheng.core.audit.verify import verify_chain
    from yancheng.core.models import Enterprise
    from yancheng.core.notifications.models import Notification
    from yancheng.projects.models import MonthlyReport, Node, Project

    summary = generate(SMOKE, 7, log=_quiet)

    assert not any(stage["skipped"] for stage in summary.values())
    # The cases stage's cases, and the rectification cases of the safety stage's hazards.
    from yancheng.safety.models import Hazard

    assert Case.objects.count() == SMOKE.cases + Hazard.objects.filter(case__isnull=False).count()
    assert Enterprise.objects.count() == SMOKE.enterprises
    assert Project.objects.count() == SMOKE.projects
    assert Notification.objects.count() == SMOKE.notifications
    assert AuditEvent.objects.count() == SMOKE.audit
    assert CaseEvent.objects.count() > SMOKE.cases * 3
    assert Node.objects.count() >= SMOKE.projects * 5
    assert MonthlyReport.objects.exists()

    # Every state and the lights the dashboard counts, computed by the product's SQL.
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"submitted", "assigned", "accepted", "resolved", "closed", "withdrawn"} <= statuses
    lights = dict(Case.objects.with_lights().values_list("light").annotate(n=Count("id")).order_by())
    assert {"red", "green", "waiting", "ontime", "late"} <= set(lights)
    assert Case.objects.filter(escalation_level__gte=1).exists()

    # The stored deadlines are the ones the product's own clocks compute.
    for case in Case.objects.exclude(clock_started_at=None).order_by("id")[:60]:
        stored = (case.accept_due_at, case.solve_due_at, case.solve_yellow_at, case.supervise_at, case.report_at)
        set_clocks(case, policy_for(case.kind, case.urgency))
        assert stored == (case.accept_due_at, case.solve_due_at, case.solve_yellow_at, case.supervise_at,
                          case.report_at), case.number

    # 安全生产: hazards in every state, their cases' deadlines the product's clocks.
    from yancheng.safety.models import CheckTask, SafetyCheck
    from yancheng.safety.selectors import annotate_hazard_lights

    assert Hazard.objects.count() == 300 and SafetyCheck.objects.count() >= 300 and CheckTask.objects.exists()
    assert set(Hazard.objects.values_list("stage", flat=True)) == {
        "reported", "rectifying", "awaiting_verification", "closed", "rejected"}
    hazard_lights = set(annotate_hazard_lights(Hazard.objects.all()).values_list("light", flat=True))
    assert {"red", "green", "ontime", "late"} <= hazard_lights
    assert Hazard.objects.filter(level="major", supervised_at__isnull=False).exists()
    assert Hazard.objects.filter(repeat_of__isnull=False).exists()
    for case in Case.objects.filter(hazard__isnull=False).order_by("id")[:40]:
        stored = (case.accept_due_at, case.solve_due_at, case.solve_yellow_at, case.supervise_at, case.report_at)
        set_clocks(case, policy_for(case.kind, case.urgency))
        assert stored == (case.accept_due_at, case.solve_due_at, case.solve_yellow_at, case.supervise_at,
                          case.report_at), case.number

    # 产业链: every chain with its profile and map, placements, two years of targets with actuals,
    # leads in every stage, research results with matches; the lists' reads work on them.
    from yancheng.chains.models import (
        ChainProfile,
        ChainTarget,
        Lead,
        MapNode,
        Placement,
        ResearchMatch,
        TargetActual,
    )
    from yancheng.chains.selectors_leads import annotate_lead_lights
    from yancheng.chains.selectors_map import annotate_strength

    assert ChainProfile.objects.filter(office__isnull=False).count() == 14
    assert MapNode.objects.values("chain").distinct().count() == 14 and Placement.objects.exists()
    assert {"strong", "weak", "missing"} <= set(annotate_strength(MapNode.objects.all()).values_list("strength", flat=True))
    assert ChainTarget.objects.count() == 14 * 2 * 4 and TargetActual.objects.count() > 14 * 4 * 12
    assert set(Lead.objects.values_list("stage", flat=True)) == {"contact", "negotiating", "signed", "landed", "dropped"}
    assert {"red", "green", "none"} <= set(annotate_lead_lights(Lead.objects.all()).values_list("light", flat=True))
    assert ResearchMatch.objects.filter(status="docking", owner_org__isnull=False).exists()

    # Inspection registrations with what hangs off them, as the services leave them.
    from yancheng.inspections.models import (
        CapRule,
        Inspection,
        InspectionAlert,
        InspectionDepartment,
        InspectionInspector,
        InspectionItem,
        Rating,
        RatingReceipt,
        SupervisionCode,
    )
    from yancheng.inspections.ratings import receipt_digest

    assert Inspection.objects.count() == SMOKE.inspections
    assert SupervisionCode.objects.filter(revoked_at__isnull=True).count() == Enterprise.objects.count()
    kinds = dict(Inspection.objects.values_list("kind").annotate(n=Count("id")).order_by())
    assert set(kinds) == {"enforcement", "visit"}
    assert Inspection.objects.filter(joint_proposal__isnull=False).exists()
    assert Inspection.objects.filter(exemption_reason__isnull=False, counts_toward_caps=False).exists()
    assert Inspection.objects.filter(plan_entry__isnull=False).exists()
    assert not Inspection.objects.filter(status="finished", outcome="").exists()
    assert InspectionInspector.objects.count() >= 2 * SMOKE.inspections
    assert InspectionDepartment.objects.count() > SMOKE.inspections
    assert InspectionAlert.objects.exists() and Rating.objects.exists()
    assert CapRule.objects.filter(scope="item").count() == 4 * InspectionItem.objects.exclude(published_at=None).count()
    rated = [(i.enterprise, i) for i in Inspection.objects.filter(status="finished").select_related("enterprise")]
    digests = {receipt_digest(e, i) for e, i in rated}
    receipts = set(RatingReceipt.objects.values_list("digest", flat=True))
    assert receipts and receipts <= digests  # the keyed digest ratings.receipt_digest computes

    # The generated audit trail is a valid, signed chain (what `yancheng audit verify` checks).
    report = verify_chain()
    assert report.ok, report.summary()
    assert report.records == SMOKE.audit and report.checkpoints >= 1

    # Running it again finds every stage done and adds nothing.
    again = generate(SMOKE, 7, log=_quiet)
    assert all(stage["skipped"] for name, stage in again.items())
    # The cases stage's cases, and the rectification cases of the safety stage's hazards.
    from yancheng.safety.models import Hazard

    assert Case.objects.count() == SMOKE.cases + Hazard.objects.filter(case__isnull=False).count()

    # The in-process parts of bench/run report their figures.
    data = measure.dataset()
    assert data["cases"] == Case.objects.count() and data["open_cases"] > 0
    hazards = measure.hazard_list(6, 1)
    assert hazards is not None and hazards["hazards"] == 300 and hazards["p95_ms"] > 0
    escalation = measure.escalation(repeat=1)
    assert escalation["seconds"] >= 0 and escalation["running_cases"] > 0
    assert AuditEvent.objects.count() == SMOKE.audit  # rolled back
    ranking = measure.ranking(repeat=1)
    assert ranking["region"]["rows"] > 0 and ranking["unit"]["rows"] > 0
    chain_pages = measure.chain_pages(2, 1)
    assert chain_pages is not None and all(chain_pages[name]["p95_ms"] > 0 for name in ("landing", "map", "leads"))
    imported = measure.enterprise_import(rows=20, repeat=1)
    assert imported["created"] == 20 and imported["rows_per_s"] > 0
    assert Enterprise.objects.count() == SMOKE.enterprises  # a dry run

    # The pages and the API call bench/run loads, with the sessions and tokens it makes.
    actors = measure.prepare()
    cases_before = Case.objects.count()
    try:
        client = Client()
        inbox = client.get("/cases/", HTTP_COOKIE=actors.cookies["inbox"])
        assert inbox.status_code == 200
        dashboard = client.get("/dashboard/", HTTP_COOKIE=actors.cookies["office"])
        assert dashboard.status_code == 200
        request = measure.case_request_maker(actors)(0, 0)
        created = client.post(request.path, request.body, content_type="application/json",
                              HTTP_AUTHORIZATION=request.headers["Authorization"],
                              HTTP_IDEMPOTENCY_KEY=request.headers["Idempotency-Key"])
        assert created.status_code == 201, created.content
        assert Case.objects.count() == cases_before + 1
    finally:
        measure.release(actors)


def test_the_load_client_reports_rates_and_percentiles():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"ok": True}).encode()
            self.send_response(200 if self.path == "/ok" else 500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        result = run_load(port, lambda t, n: Request("GET", "/ok"), total=40, concurrency=4)
        wrong = run_load(port, lambda t, n: Request("GET", "/nope"), total=4, concurrency=2)
    finally:
        server.shutdown()
    assert result.requests == 40 and not result.errors and result.statuses[200] == 40
    assert result.rps > 0 and 0 < result.p50 <= result.p95
    assert len(wrong.errors) == 4

    # The verdicts and the table read the figures the way bench/run prints them.
    figure = {**result.summary(), "errors": 0}
    fake = {
        "floor": figure, "create": figure, "inbox": figure, "city_inbox": figure, "dashboard": figure,
        "escalation": {"seconds": 1.0, "escalated": {"pressed": 1, "supervised": 0, "reported": 0},
                       "running_cases": 10},
        "ranking": {"seconds": 0.1, "region": {"seconds": 0.1}, "unit": {"seconds": 0.05}},
        "rss": {"max_mib": 90.0, "workers_mib": {1: 90.0}, "after_requests": 40},
    }
    checks = verdicts(fake, {"create": figure, "list": figure, "dashboard": figure})
    assert set(checks) == {"create_vs_floor", "create_vs_peer", "inbox_p95_ms", "dashboard_p95_ms", "escalation_s",
                           "ranking_s", "rss_mib"}
    assert checks["create_vs_floor"]["met"] is (TARGETS["create_vs_floor"] <= 1.0)
    assert "case creation" in table(fake, None, checks)
