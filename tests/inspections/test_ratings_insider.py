"""Rating anonymity against an insider (SPEC §4 "Anonymity"; issue 10 §2): someone who holds
the access log, the error reports, the audit trail or the database files, or a supervisor
who reads single ratings. Each test takes that insider's side and tries to tie a rating to
its visit or enterprise.

Visits are made with `make_visit` (ORM rows; the registration service is tested elsewhere)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import DatabaseError, connection
from django.urls import get_resolver, reverse
from django.views.debug import ExceptionReporter

from yancheng.api.testing import api_client_for
from yancheng.core.audit.models import AuditEvent
from yancheng.core.jobs import registered_jobs
from yancheng.inspections import ratings
from yancheng.inspections.models import PendingRating, Rating
from yancheng.inspections.ratings import (
    rating_ref,
    rating_submit,
    ratings_batch_move,
    receipt_digest,
    supervisor_rating_months,
)

from .routes_enterprise import make_visit

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARKER = "MARKER-insider-评价意见"


def _ids_of(iw, visit) -> list[str]:
    """What would name the visit, its registration or the enterprise in a URL or a log."""
    enterprise = iw.world.enterprise_a
    return [visit.number, enterprise.uscc, enterprise.name, f"/{visit.pk}/", f"={visit.pk}", f"/{enterprise.pk}/",
            f"={enterprise.pk}", rating_ref(enterprise, visit), receipt_digest(enterprise, visit)]


# --- URLs and the access log ----------------------------------------------------------------------------


def test_no_route_of_the_rating_path_takes_a_parameter():
    """The web page and the API operation of rating are fixed paths: nothing to put an id in."""
    names = {"inspections:inspection_rating", "api:inspections_enterprise_rating"}
    found = {}

    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), inner)
            elif f"{namespace}{p.name}" in names:
                found[f"{namespace}{p.name}"] = prefix + str(p.pattern)

    walk(get_resolver().url_patterns)
    assert set(found) == names
    for route in found.values():
        assert "<" not in route and "{" not in route, route
    assert reverse("inspections:inspection_rating") == "/inspections/mine/rating/"
    assert reverse("api:inspections_enterprise_rating") == "/api/v1/inspections/rating"


def test_every_url_the_enterprise_follows_or_posts_to_for_a_rating_names_nothing(client, iw):
    """Walk the enterprise's pages as its user would to rate two visits; every link to the
    rating page, every form action, every redirect and every request line an access log
    would keep is the same fixed path, with no visit, registration or enterprise in it."""
    first, second = make_visit(iw), make_visit(iw, departments=[iw.world.emergency_bureau],
                                                 inspectors=("inspector_emergency",))
    client.force_login(iw.world.enterprise_a_user)
    request_lines: list[str] = []

    def get(url):
        request_lines.append(f"GET {url}")
        return client.get(url)

    home = get(reverse("inspections:inspection_enterprise_home")).content.decode()
    detail = get(reverse("inspections:inspection_visit", args=[first.pk])).content.decode()
    rating_urls = [u for page in (home, detail) for u in re.findall(r'href="([^"]*rat[^"]*)"', page)]
    assert rating_urls and set(rating_urls) == {reverse("inspections:inspection_rating")}
    page = get(reverse("inspections:inspection_rating")).content.decode()
    forms = re.findall(r'<form method="post" action="([^"]*)"[^>]*>(.*?)</form>', page, re.S)
    actions = [action for action, inner in forms if 'name="ref"' in inner]
    assert actions == [reverse("inspections:inspection_rating")] * 2
    refs = re.findall(r'name="ref" value="([0-9a-f]+)"', page)
    assert set(refs) == {rating_ref(iw.world.enterprise_a, first), rating_ref(iw.world.enterprise_a, second)}
    for ref in refs:
        request_lines.append(f"POST {reverse('inspections:inspection_rating')}")
        response = client.post(reverse("inspections:inspection_rating"), {"ref": ref, "score": "4", "comment": MARKER})
        assert response.status_code == 302 and response["Location"] == reverse("inspections:inspection_rating")
        request_lines.append(f"GET {response['Location']}")
    # The API: the visit list gives the reference, the rating path is fixed.
    api = api_client_for(iw.world.enterprise_b_user)
    visit_b = make_visit(iw, enterprise=iw.world.enterprise_b)
    listed = api.get(reverse("api:inspections_enterprise_visits")).json()["items"]
    ref_b = next(v["rating_ref"] for v in listed if v["number"] == visit_b.number)
    path = reverse("api:inspections_enterprise_rating")
    request_lines.append(f"POST {path}")
    assert api.post(path, {"ref": ref_b, "score": 3}).status_code == 201
    rating_lines = [line for line in request_lines if "rat" in line]
    assert set(rating_lines) == {f"POST {reverse('inspections:inspection_rating')}", f"GET {reverse('inspections:inspection_rating')}",
                                 f"POST {path}"}
    for line in rating_lines:
        for secret in [*_ids_of(iw, first), *_ids_of(iw, second), visit_b.number, iw.world.enterprise_b.uscc]:
            assert secret not in line, (line, secret)
    assert PendingRating.objects.count() == 3


def test_a_forced_error_report_names_neither_the_reference_nor_the_visit(client, iw, monkeypatch, caplog):
    """The database fails while a rating is stored: the report an operator gets (the one
    Django's AdminEmailHandler sends, with DEBUG off) shows the POST's reference as stars and
    no frame prints the visit, its number, the enterprise or the reference."""
    visit = make_visit(iw)
    enterprise = iw.world.enterprise_a
    ref = rating_ref(enterprise, visit)

    def failing_bulk_create(objs, *args, **kwargs):
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(PendingRating.objects, "bulk_create", failing_bulk_create)
    client.force_login(iw.world.enterprise_a_user)
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.post(reverse("inspections:inspection_rating"), {"ref": ref, "score": "2", "comment": MARKER})
    assert response.status_code == 500
    records = [r for r in caplog.records if r.name == "django.request" and r.exc_info]
    assert len(records) == 1
    record = records[0]
    assert record.getMessage() == "Internal Server Error: /inspections/mine/rating/"
    reporter = ExceptionReporter(record.request, *record.exc_info, is_email=True)
    text, html = reporter.get_traceback_text(), reporter.get_traceback_html()
    assert "disk I/O error" in text and "rating_submit" in text  # the report is about this failure
    assert "ref" in text and "********************" in text  # the POST field is there, hidden
    for report in (text, html):
        for secret in (ref, visit.number, enterprise.uscc, enterprise.name, receipt_digest(enterprise, visit),
                       f"inspection:{visit.pk}", f"Inspection: {visit.number}"):
            assert secret not in report, secret
    assert PendingRating.objects.count() == 0 and Rating.objects.count() == 0


def test_a_forced_error_report_of_the_api_names_neither_the_reference_nor_the_visit(iw, monkeypatch, caplog):
    visit = make_visit(iw)
    enterprise = iw.world.enterprise_a
    ref = rating_ref(enterprise, visit)

    def failing_bulk_create(objs, *args, **kwargs):
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(PendingRating.objects, "bulk_create", failing_bulk_create)
    api = api_client_for(iw.world.enterprise_a_user)
    api.client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="yancheng.api"):
        response = api.post(reverse("api:inspections_enterprise_rating"), {"ref": ref, "score": 2, "comment": MARKER})
    assert response.status_code == 500
    records = [r for r in caplog.records if r.name == "yancheng.api" and r.exc_info]
    assert len(records) == 1 and records[0].getMessage() == "Unhandled API error on POST /api/v1/inspections/rating"
    # What the log handler prints, and what a reporter that keeps every frame's locals shows.
    logged = logging.Formatter().format(records[0])
    reporter = ExceptionReporter(None, *records[0].exc_info, is_email=True)
    html = reporter.get_traceback_html()
    assert "disk I/O error" in logged and "rating_submit" in html
    for report in (logged, html):
        for secret in (ref, visit.number, enterprise.uscc, enterprise.name, receipt_digest(enterprise, visit)):
            assert secret not in report, secret


# --- the order of arrival ----------------------------------------------------------------------------------


def _physical_order() -> list[str]:
    """The comments of the rating table in the order the database keeps its rows."""
    table = connection.ops.quote_name(Rating._meta.db_table)
    order = "rowid" if connection.vendor == "sqlite" else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT comment FROM {table} ORDER BY {order}")  # noqa: S608 - our table
        return [row[0] for row in cursor.fetchall()]


def test_no_table_keeps_the_order_in_which_ratings_arrived(iw):
    arrival = [f"arrival-{i:02d}" for i in range(30)]
    with time_machine.travel(dt.datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI), tick=False):
        for comment in arrival:
            rating_submit(make_visit(iw), actor=iw.world.enterprise_a_user, score=4, comment=comment)
    pending_keys = set(PendingRating.objects.values_list("id", flat=True))
    assert ratings_batch_move(today=dt.date(2026, 5, 7)) == 30
    assert PendingRating.objects.count() == 0  # no pending row survives
    stored = _physical_order()
    assert sorted(stored) == arrival
    assert stored != arrival and stored != arrival[::-1]  # 1 in 30!/2 to be in either order by chance
    by_key = list(Rating.objects.order_by("id").values_list("comment", flat=True))
    assert by_key != arrival
    assert pending_keys.isdisjoint(set(Rating.objects.values_list("id", flat=True)))  # fresh keys


def test_a_rating_counts_nowhere_until_its_day_has_ended_and_the_batch_ran(iw):
    _rate_month(iw, 6, dt.date(2026, 3, 31), score=3)  # the last day of March, not yet batched
    with time_machine.travel(dt.datetime(2026, 4, 1, 0, 5, tzinfo=SHANGHAI), tick=False):
        march = dt.date(2026, 3, 1)
        assert ratings_batch_move(today=dt.date(2026, 3, 31)) == 0  # the day is not over
        assert Rating.objects.count() == 0 and PendingRating.objects.count() == 6
        summary = ratings.department_rating_summary(iw.world.market_regulation, year=2026)
        assert summary.months[2].count is None
        seen = supervisor_rating_months(iw.world.supervisor, month=march)
        assert not any(dm.shown for dm in seen)
        assert ratings_batch_move() == 6
        assert ratings.department_rating_summary(iw.world.market_regulation, year=2026).months[2].count == 6


def test_a_failing_batch_leaves_everything_pending_and_writes_nothing(iw, monkeypatch):
    _rate_month(iw, 3, dt.date(2026, 5, 6), score=4)
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    def failing(*args, **kwargs):
        raise DatabaseError("audit chain unavailable")

    monkeypatch.setattr(ratings, "audit_record_many", failing)
    with pytest.raises(DatabaseError):
        ratings_batch_move(today=dt.date(2026, 5, 7))
    assert PendingRating.objects.count() == 3 and Rating.objects.count() == 0
    assert not AuditEvent.objects.filter(seq__gt=last).exists()


def test_the_batch_is_a_periodic_job_of_the_worker():
    jobs = {job.name: job for job in registered_jobs()}
    job = jobs["inspections.ratings_batch"]
    assert job.every <= dt.timedelta(days=1)
    assert job.task.func is ratings.ratings_batch_task.func


# --- the supervisor: by month, from five on ---------------------------------------------------------------


def _rate_month(iw, n: int, day: dt.date, *, score: int, department=None, comment: str = "") -> None:
    departments = [department] if department is not None else None
    with time_machine.travel(dt.datetime.combine(day, dt.time(10, 0), SHANGHAI), tick=False):
        for i in range(n):
            visit = make_visit(iw, departments=departments,
                               inspectors=("inspector_emergency",) if department is not None else ("inspector",))
            rating_submit(visit, actor=iw.world.enterprise_a_user, score=score, comment=f"{comment}{i}" if comment else "")


@pytest.fixture
def march(iw):
    """March 2026: five ratings of the market bureau on different days, four of the
    emergency bureau; all batched."""
    for index, day in enumerate((3, 9, 9, 17, 30)):
        _rate_month(iw, 1, dt.date(2026, 3, day), score=5 - index % 3, comment=f"market-{index}-")
    _rate_month(iw, 4, dt.date(2026, 3, 12), score=1, department=iw.world.emergency_bureau, comment="emergency-")
    ratings_batch_move(today=dt.date(2026, 4, 1))
    return iw


def test_the_supervisor_reads_a_department_month_from_five_on_with_no_day_and_no_kind(client, march):
    iw = march
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        client.force_login(iw.world.supervisor)
        response = client.get(reverse("inspections:inspection_ratings"), {"month": "2026-03"})
        api = api_client_for(iw.world.supervisor).get(reverse("api:inspections_ratings"), {"month": "2026-03"})
        export = client.get(reverse("inspections:inspection_ratings"), {"month": "2026-03", "format": "xlsx"})
    assert response.status_code == 200
    page = response.content.decode()
    for index in range(5):
        assert f"market-{index}-0" in page
    assert "emergency-" not in page and "不足5条" in page
    for day in ("2026-03-03", "2026-03-09", "2026-03-17", "2026-03-30", "03-09", "3月9日"):
        assert day not in page
    body = {r["department"]: r for r in api.json()}
    market, emergency = body[iw.world.market_regulation.pk], body[iw.world.emergency_bureau.pk]
    assert market["shown"] and market["count"] == 5 and market["month"] == "2026-03"
    assert all(set(line) == {"score", "comment"} for line in market["ratings"])
    assert emergency == {**emergency, "shown": False, "count": None, "average": None, "ratings": []}
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def test_the_old_department_kind_and_day_listing_is_gone(client, march):
    """The filters of the old listing do nothing: no day narrows a department's ratings."""
    iw = march
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        client.force_login(iw.world.supervisor)
        page = client.get(reverse("inspections:inspection_ratings"), {
            "month": "2026-03", "department": iw.world.market_regulation.pk, "kind": "enforcement",
            "date_from": "2026-03-09", "date_to": "2026-03-09", "score": "5"}).content.decode()
    assert all(f"market-{index}-0" in page for index in range(5))  # all five, not the day's two


@pytest.mark.parametrize("persona", ["inspector", "clerk_market", "enterprise_a_user"])
def test_no_one_but_a_supervisor_reads_single_ratings(client, march, persona):
    user = getattr(march.world, persona)
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        client.force_login(user)
        assert client.get(reverse("inspections:inspection_ratings"), {"month": "2026-03"}).status_code == 403
        assert api_client_for(user).get(reverse("api:inspections_ratings"), {"month": "2026-03"}).status_code == 403
        assert supervisor_rating_months(user, month=dt.date(2026, 3, 1)) == []


def test_a_bad_month_gets_a_clear_message(client, march):
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        client.force_login(march.world.supervisor)
        for bad in ("2026-13", "march", "2026-04", "9999999999-01"):
            response = client.get(reverse("inspections:inspection_ratings"), {"month": bad})
            assert response.status_code == 422, bad
            assert "market-0-0" not in response.content.decode()
        api = api_client_for(march.world.supervisor)
        for bad in ("2026-13", "2026-04", "x"):
            assert api.get(reverse("api:inspections_ratings"), {"month": bad}).status_code == 422, bad


def test_the_migration_rewrites_ratings_stored_before_the_batch_in_random_order(iw):
    """Ratings of an existing installation were stored in the order they arrived."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("yancheng.inspections.migrations.0002_pending_rating_daily_batch")
    arrival = [f"before-{i:02d}" for i in range(30)]
    for comment in arrival:
        Rating.objects.create(department=iw.world.market_regulation, kind="enforcement",
                              rated_on=dt.date(2026, 5, 6), score=3, comment=comment)
    keys = set(Rating.objects.values_list("id", flat=True))
    assert _physical_order() == arrival
    migration.reshuffle_existing_ratings(apps, None)
    stored = _physical_order()
    assert sorted(stored) == arrival and stored != arrival
    assert keys.isdisjoint(set(Rating.objects.values_list("id", flat=True)))
