"""The anonymity of inspection ratings (SPEC §4; security-checklist §7), tested as an attacker
from the inspected department would try to break it: by the schema, by every page and API
endpoint the department can reach, by notifications, by the audit trail, by small counts
and by differencing aggregates over time.

Visits are made with `make_visit` (ORM rows; the registration service is tested elsewhere)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import io
import json
import zipfile
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.db import models
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tests.test_permission_matrix import MATRIX
from yancheng.api.testing import api_client_for
from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import ConflictError, NotFoundError, ValidationFailed
from yancheng.core.models import Organisation
from yancheng.core.notifications.models import Notification
from yancheng.inspections.models import InspectionPolicy, PendingRating, Rating, RatingReceipt
from yancheng.inspections.ratings import (
    department_rating_summary,
    has_rated,
    rating_ref,
    rating_submit,
    ratings_batch_move,
    receipt_digest,
    supervisor_rating_months,
)

from . import routes_department, routes_enterprise, routes_inspector, routes_supervisor
from .routes_enterprise import make_visit
from .test_route_matrix import INSPECTION_API_PATHS, INSPECTION_API_ROUTES, INSPECTION_MATRIX

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARKER = "MARKER-7f3c-独一无二的评价意见"
DEPARTMENT_PERSONAS = ("inspector", "inspector2", "clerk_market", "inspector_emergency")


def _body(response) -> str:
    """Everything a response says, with zipped formats (.xlsx, .docx) opened up."""
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            raw = b"".join(archive.read(name) for name in archive.namelist())
    text = raw.decode("utf-8", errors="replace")
    if "json" in response.get("Content-Type", ""):
        with contextlib.suppress(ValueError):
            return json.dumps(json.loads(text), ensure_ascii=False)  # undo \uXXXX escapes
    return html.unescape(text)  # undo &#NNNN; (openpyxl writes CJK so)


def _post_rating(client, iw, visit, data, *, enterprise=None, **extra):
    """Rate `visit` as the logged-in user through the one rating page, as its form does."""
    ref = rating_ref(enterprise or iw.world.enterprise_a, visit)
    return client.post(reverse("inspections:inspection_rating"), {"ref": ref, **data}, **extra)


def _api_rate(api, iw, visit, data, *, enterprise=None, **extra):
    ref = rating_ref(enterprise or iw.world.enterprise_a, visit)
    return api.post(reverse("api:inspections_enterprise_rating"), {"ref": ref, **data}, **extra)


# --- (a) the schema -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [Rating, PendingRating])
def test_a_rating_has_no_field_for_an_enterprise_user_visit_ip_session_or_exact_time(model):
    fields = {f.name: f for f in model._meta.get_fields()}
    assert set(fields) == {"id", "department", "kind", "rated_on", "score", "comment"}
    for field in fields.values():
        assert not isinstance(field, (models.GenericIPAddressField, models.DateTimeField)), field.name
        if field.is_relation:
            assert field.name == "department" and field.related_model is Organisation
    assert type(fields["rated_on"]) is models.DateField
    assert isinstance(fields["id"], models.UUIDField)  # random keys: row order says nothing


def test_the_receipt_holds_only_the_digest_and_nothing_points_at_either_table():
    assert [f.name for f in RatingReceipt._meta.get_fields()] == ["digest"]
    pointing = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model in (Rating, PendingRating, RatingReceipt)
    ]
    assert pointing == []


def test_the_receipt_digest_is_keyed_and_names_neither_the_enterprise_nor_the_visit(iw):
    visit = make_visit(iw)
    digest = receipt_digest(iw.world.enterprise_a, visit)
    assert len(digest) == 64
    plain = f"enterprise:{iw.world.enterprise_a.pk}|inspection:{visit.pk}"
    assert digest != hashlib.sha256(plain.encode()).hexdigest()  # not computable without the key
    assert digest != receipt_digest(iw.world.enterprise_b, visit)
    with override_settings(SECRET_KEY="another-secret-key-" + "y" * 40):
        assert receipt_digest(iw.world.enterprise_a, visit) != digest
    with override_settings(YANCHENG_RATING_RECEIPT_KEY="a-dedicated-receipt-key-" + "z" * 30):
        assert receipt_digest(iw.world.enterprise_a, visit) != digest


# --- the attacker's walk ---------------------------------------------------------------------------------------


@pytest.fixture
def rated_world(iw, client):
    """Every side's matrix objects, then enterprise A rates two visits through the page:
    a market-bureau visit and a joint visit with the emergency bureau, both with the marker."""
    for side in (routes_inspector, routes_department, routes_enterprise, routes_supervisor):
        side.build(iw)
    joint = make_visit(iw, departments=[iw.world.market_regulation, iw.world.emergency_bureau],
                       inspectors=("inspector", "inspector_emergency"), items=[iw.food, iw.chemicals])
    client.force_login(iw.world.enterprise_a_user)
    for visit in (iw.enterprise_visit, joint):
        response = _post_rating(client, iw, visit, {"score": "2", "comment": MARKER})
        assert response.status_code == 302
    client.logout()
    ratings_batch_move(today=timezone.localdate() + dt.timedelta(days=1))
    iw.rating_ids = [str(pk) for pk in Rating.objects.values_list("id", flat=True)]
    assert len(iw.rating_ids) == 3  # one per department rated
    iw.joint_visit = joint
    return iw


def _assert_no_leak(body: str, iw, where: str) -> None:
    assert MARKER not in body, where
    for rating_id in iw.rating_ids:
        assert rating_id not in body and rating_id.replace("-", "") not in body, where


def _walkable_routes(iw):
    """(name, url) of every GET route of the inspection matrix and of the site's matrix."""
    for name, policy in [*INSPECTION_MATRIX.items(), *MATRIX.items()]:
        if name in MATRIX and policy.kwargs is not None:
            continue  # the site matrix's objects are not built here
        try:
            yield name, reverse(name, kwargs=policy.kwargs(iw) if policy.kwargs else None)
        except (AttributeError, NoReverseMatch):
            continue


@pytest.mark.parametrize("persona", DEPARTMENT_PERSONAS)
def test_no_page_of_the_site_shows_a_department_user_a_single_rating(client, rated_world, persona):
    iw = rated_world
    client.force_login(getattr(iw.world, persona))
    client.raise_request_exception = False  # another side's broken page must not hide a leak here
    walked = 0
    for name, url in _walkable_routes(iw):
        for suffix in ("", "?format=xlsx"):
            response = client.get(url + suffix)
            if name in routes_enterprise.POLICIES:
                assert response.status_code < 500, (name, response.status_code)
            _assert_no_leak(_body(response), iw, f"{name}{suffix} as {persona}")
            walked += 1
    assert walked > 20


@pytest.mark.parametrize("persona", DEPARTMENT_PERSONAS)
def test_no_api_endpoint_gives_a_department_user_a_single_rating(rated_world, persona):
    iw = rated_world
    api = api_client_for(getattr(iw.world, persona))
    paths = {name: INSPECTION_API_PATHS.get(name) for name in INSPECTION_API_ROUTES}
    paths["api:inspections_enterprise_visit"] = f"/api/v1/inspections/visits/{iw.enterprise_visit.pk}"
    for name, path in paths.items():
        try:
            path = path or reverse(name)
        except NoReverseMatch:
            continue
        response = api.get(path)
        if name in routes_enterprise.API_ROUTES:
            assert response.status_code < 500, (name, response.status_code)
        _assert_no_leak(_body(response), iw, f"{name} as {persona}")
    # The supervisors' list refuses them; their own aggregates show no month yet (current month).
    assert api.get(reverse("api:inspections_ratings")).status_code == 403
    summary = api.get(reverse("api:inspections_department_ratings")).json()
    assert all(m["count"] is None and m["average"] is None for m in summary["months"])


@pytest.mark.parametrize("persona", DEPARTMENT_PERSONAS)
def test_a_department_user_cannot_open_the_admin_or_the_audit_trail(client, rated_world, persona):
    client.force_login(getattr(rated_world.world, persona))
    assert client.get(reverse("audit:list")).status_code == 403
    assert client.get(reverse("audit:export")).status_code == 403
    response = client.get("/admin/")
    assert response.status_code == 302 and "login" in response["Location"]
    try:
        url = reverse("admin:inspections_rating_changelist")
    except NoReverseMatch:
        return  # not registered in the admin at all
    assert client.get(url).status_code in (302, 403, 404)


def test_the_supervisor_reads_no_single_rating_of_a_running_month_nor_of_one_with_fewer_than_five(client, rated_world):
    iw = rated_world
    client.force_login(iw.world.supervisor)
    running = client.get(reverse("inspections:inspection_ratings"), {"month": timezone.localdate().strftime("%Y-%m")})
    assert running.status_code == 422 and "已结束的月份" in running.content.decode()
    _assert_no_leak(_body(running), iw, "the running month")
    api = api_client_for(iw.world.supervisor)
    refused = api.get(reverse("api:inspections_ratings"), {"month": timezone.localdate().strftime("%Y-%m")})
    assert refused.status_code == 422
    assert supervisor_rating_months(iw.world.supervisor, month=timezone.localdate()) == []


def test_only_supervisors_read_single_ratings(iw):
    _rate_visits(iw, 5, score=4, when=dt.datetime(2026, 3, 10, 10, tzinfo=SHANGHAI))
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, tzinfo=SHANGHAI), tick=False):
        march = dt.date(2026, 3, 1)
        seen = {dm.department.pk: dm for dm in supervisor_rating_months(iw.world.supervisor, month=march)}
        assert seen[iw.world.market_regulation.pk].count == 5
        assert supervisor_rating_months(iw.world.inspector, month=march) == []


# --- (c) notifications and (d) the audit record -------------------------------------------------------------------


def test_rating_notifies_nobody(client, iw):
    visit = make_visit(iw, departments=[iw.world.market_regulation, iw.world.emergency_bureau],
                       inspectors=("inspector", "inspector_emergency"))
    before = Notification.objects.count()
    client.force_login(iw.world.enterprise_a_user)
    assert _post_rating(client, iw, visit, {"score": "1", "comment": MARKER}).status_code == 302
    assert PendingRating.objects.count() == 2
    ratings_batch_move(today=timezone.localdate() + dt.timedelta(days=1))
    assert Rating.objects.count() == 2
    assert Notification.objects.count() == before


def test_a_rating_writes_no_audit_record_at_its_moment(client, iw):
    """A record of the rating next to the enterprise's login record would name it by its
    timing: nothing is written to the audit trail when the rating arrives."""
    visit = make_visit(iw)
    user = iw.world.enterprise_a_user
    client.force_login(user)
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    response = _post_rating(client, iw, visit, {"score": "3", "comment": MARKER},
                            REMOTE_ADDR="203.0.113.77", HTTP_X_REQUEST_ID="req-rating-1")
    assert response.status_code == 302 and PendingRating.objects.count() == 1
    assert list(AuditEvent.objects.filter(seq__gt=last)) == []


def test_the_batch_records_ratings_per_department_and_day_with_no_actor_no_time_and_no_rater(iw):
    enterprise = iw.world.enterprise_a
    market, emergency = iw.world.market_regulation, iw.world.emergency_bureau
    visits = []
    with time_machine.travel(dt.datetime(2026, 5, 6, 9, 12, tzinfo=SHANGHAI), tick=False):
        first = make_visit(iw)
        rating_submit(first, actor=iw.world.enterprise_a_user, score=5, comment=MARKER)
    with time_machine.travel(dt.datetime(2026, 5, 6, 16, 40, tzinfo=SHANGHAI), tick=False):
        joint = make_visit(iw, departments=[market, emergency], inspectors=("inspector", "inspector_emergency"))
        rating_submit(joint, actor=iw.world.enterprise_a_user, score=2, comment=MARKER)
    with time_machine.travel(dt.datetime(2026, 5, 7, 11, 3, tzinfo=SHANGHAI), tick=False):
        third = make_visit(iw)
        rating_submit(third, actor=iw.world.enterprise_a_user, score=4)
    visits = [first, joint, third]
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    assert not AuditEvent.objects.filter(seq__gt=last - 50, object_type="inspections.rating").exists()
    with time_machine.travel(dt.datetime(2026, 5, 8, 0, 20, tzinfo=SHANGHAI), tick=False):
        assert ratings_batch_move() == 4
    events = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq"))
    expected = sorted([(market.pk, "2026-05-06", 2), (market.pk, "2026-05-07", 1), (emergency.pk, "2026-05-06", 1)])
    assert [(e.action, e.after) for e in events] == [
        ("inspection_rating.received", {"department": d, "day": day, "count": n}) for d, day, n in expected
    ]
    assert len(events) == 3 and len({e.ts for e in events}) == 1  # one moment: the batch's
    for event in events:
        assert event.actor_id is None and event.actor_repr == "" and event.organisation_id is None
        assert event.ip == "" and event.request_id == ""
        assert set(event.after) == {"department", "day", "count"}
        everything = json.dumps([event.before, event.after, event.object_repr, event.object_id], ensure_ascii=False)
        for secret in (enterprise.uscc, enterprise.name, MARKER, *(v.number for v in visits),
                       *(receipt_digest(enterprise, v) for v in visits), "09:12", "16:40", "11:03"):
            assert secret not in everything
    assert PendingRating.objects.count() == 0 and Rating.objects.count() == 4


# --- (e) aggregates: at least five ratings, ended months only, no differencing ----------------------------------


def _rate_visits(iw, n: int, *, score: int, when: dt.datetime, comment: str = "") -> None:
    """n ratings given at `when`, then the batch of the next day (as the daily job runs)."""
    with time_machine.travel(when, tick=False):
        for _i in range(n):
            visit = make_visit(iw)
            rating_submit(visit, actor=iw.world.enterprise_a_user, score=score, comment=comment)
    ratings_batch_move(today=when.date() + dt.timedelta(days=1))


def test_a_month_with_fewer_than_five_ratings_shows_only_a_dash(client, iw):
    _rate_visits(iw, 4, score=2, when=dt.datetime(2026, 3, 10, 10, tzinfo=SHANGHAI))
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, tzinfo=SHANGHAI), tick=False):
        march = department_rating_summary(iw.world.market_regulation, year=2026).months[2]
        assert march.ended and not march.shown and march.count is None and march.average is None
        client.force_login(iw.world.inspector)
        page = client.get(reverse("inspections:inspection_department_ratings"), {"year": 2026}).content.decode()
    assert "2026-03</td>" in page.replace("\n", "")
    row = page.split("2026-03</td>")[1].split("</tr>")[0]
    assert "—" in row and "2.00" not in row and ">4<" not in row


def test_five_ratings_in_an_ended_month_show_their_average_and_the_running_month_never(client, iw):
    _rate_visits(iw, 4, score=2, when=dt.datetime(2026, 3, 10, 10, tzinfo=SHANGHAI))
    _rate_visits(iw, 1, score=5, when=dt.datetime(2026, 3, 28, 10, tzinfo=SHANGHAI))
    with time_machine.travel(dt.datetime(2026, 3, 31, 23, tzinfo=SHANGHAI), tick=False):
        march = department_rating_summary(iw.world.market_regulation, year=2026).months[2]
        assert not march.ended and march.count is None and march.average is None
    with time_machine.travel(dt.datetime(2026, 4, 1, 8, tzinfo=SHANGHAI), tick=False):
        summary = department_rating_summary(iw.world.market_regulation, year=2026)
        client.force_login(iw.world.inspector2)
        page = client.get(reverse("inspections:inspection_department_ratings"), {"year": 2026}).content.decode()
        api_summary = api_client_for(iw.world.clerk_market).get(
            reverse("api:inspections_department_ratings"), {"year": 2026}).json()
    march = summary.months[2]
    assert march.shown and march.count == 5 and str(march.average) == "2.60"
    assert "2.60" in page
    assert api_summary["months"][2]["count"] == 5 and api_summary["months"][2]["average"] in ("2.60", 2.6)
    # The other department saw none of it.
    emergency = department_rating_summary(iw.world.emergency_bureau, year=2026)
    assert all(m.count is None for m in emergency.months)


def test_the_years_figure_adds_only_the_shown_months_so_hidden_months_cannot_be_differenced(iw):
    _rate_visits(iw, 2, score=1, when=dt.datetime(2026, 2, 10, 10, tzinfo=SHANGHAI))
    _rate_visits(iw, 5, score=4, when=dt.datetime(2026, 3, 10, 10, tzinfo=SHANGHAI))
    with time_machine.travel(dt.datetime(2026, 3, 15, 10, tzinfo=SHANGHAI), tick=False):
        before_march_ends = department_rating_summary(iw.world.market_regulation, year=2026)
    with time_machine.travel(dt.datetime(2026, 4, 15, 10, tzinfo=SHANGHAI), tick=False):
        after_march_ends = department_rating_summary(iw.world.market_regulation, year=2026)
    assert before_march_ends.year_count is None and before_march_ends.year_average is None
    assert after_march_ends.months[1].count is None  # February: two ratings, hidden
    assert after_march_ends.year_count == 5 and str(after_march_ends.year_average) == "4.00"


def test_the_minimum_count_never_drops_below_five_even_if_the_policy_row_says_so(iw):
    InspectionPolicy.objects.filter(pk=iw.policy.pk).update(rating_min_count=7)
    _rate_visits(iw, 6, score=3, when=dt.datetime(2026, 3, 10, 10, tzinfo=SHANGHAI))
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, tzinfo=SHANGHAI), tick=False):
        assert department_rating_summary(iw.world.market_regulation, year=2026).months[2].count is None


# --- (f) once, and only by the inspected enterprise ----------------------------------------------------------


def test_a_second_rating_of_the_same_visit_is_refused_and_changes_nothing(iw):
    visit = make_visit(iw)
    rating_submit(visit, actor=iw.world.enterprise_a_user, score=5)
    with pytest.raises(ConflictError) as refused:
        rating_submit(visit, actor=iw.world.enterprise_a_user, score=1)
    assert "只能评价一次" in str(refused.value.message)
    assert PendingRating.objects.count() == 1 and RatingReceipt.objects.count() == 1
    assert has_rated(iw.world.enterprise_a, visit)


def test_the_api_answers_409_to_a_second_rating(iw):
    visit = make_visit(iw)
    api = api_client_for(iw.world.enterprise_a_user)
    first = _api_rate(api, iw, visit, {"score": 4, "comment": "好"})
    assert first.status_code == 201 and first.json() == {"rated": True}
    second = _api_rate(api, iw, visit, {"score": 1})
    assert second.status_code == 409 and second.json()["error"]["code"] == "already_rated"
    assert PendingRating.objects.count() == 1


def test_the_api_refuses_an_idempotency_key_on_a_rating_and_keeps_nothing(iw):
    from yancheng.api.models import IdempotencyRecord

    visit = make_visit(iw)
    api = api_client_for(iw.world.enterprise_a_user)
    response = _api_rate(api, iw, visit, {"score": 4}, headers={"Idempotency-Key": "a0b1c2d3-rating"})
    assert response.status_code == 422
    assert IdempotencyRecord.objects.count() == 0 and PendingRating.objects.count() == 0


def test_the_page_tells_the_enterprise_a_visit_is_already_rated(client, iw):
    visit = make_visit(iw)
    client.force_login(iw.world.enterprise_a_user)
    _post_rating(client, iw, visit, {"score": "4"})
    response = _post_rating(client, iw, visit, {"score": "4"}, follow=True)
    assert "每次检查只能评价一次" in response.content.decode()
    assert response.redirect_chain == [(reverse("inspections:inspection_rating"), 302)]
    assert PendingRating.objects.count() == 1


def test_another_enterprises_user_cannot_rate_the_visit(client, iw):
    visit = make_visit(iw)
    client.force_login(iw.world.enterprise_b_user)
    # A's own reference (as A's page shows it), and the one B's key would give: neither works.
    for enterprise in (iw.world.enterprise_a, iw.world.enterprise_b):
        response = _post_rating(client, iw, visit, {"score": "1"}, enterprise=enterprise)
        assert response.status_code == 404 and "找不到要评价的入企记录" in response.content.decode()
        api = api_client_for(iw.world.enterprise_b_user)
        assert _api_rate(api, iw, visit, {"score": 1}, enterprise=enterprise).status_code == 404
    with pytest.raises(NotFoundError):
        rating_submit(visit, actor=iw.world.enterprise_b_user, score=1)
    assert PendingRating.objects.count() == 0 and RatingReceipt.objects.count() == 0


@pytest.mark.parametrize("persona", ["inspector", "clerk_market", "supervisor"])
def test_staff_cannot_rate_a_visit(client, iw, persona):
    visit = make_visit(iw)
    user = getattr(iw.world, persona)
    client.force_login(user)
    assert _post_rating(client, iw, visit, {"score": "5"}).status_code == 403
    assert _api_rate(api_client_for(user), iw, visit, {"score": 5}).status_code == 403
    with pytest.raises(Exception) as refused:
        rating_submit(visit, actor=user, score=5)
    assert type(refused.value).__name__ in {"PermissionDeniedError", "NotFoundError"}
    assert PendingRating.objects.count() == 0


def test_a_visit_still_in_progress_cannot_be_rated_and_a_bad_score_is_refused(iw):
    running = make_visit(iw, finished=False)
    with pytest.raises(ValidationFailed):
        rating_submit(running, actor=iw.world.enterprise_a_user, score=4)
    done = make_visit(iw)
    for bad in (0, 6, "x", None, True):
        with pytest.raises(ValidationFailed):
            rating_submit(done, actor=iw.world.enterprise_a_user, score=bad)  # type: ignore[arg-type]
    assert PendingRating.objects.count() == 0 and RatingReceipt.objects.count() == 0


def test_a_joint_visit_gives_each_department_one_rating_dated_by_the_day_only(iw):
    visit = make_visit(iw, departments=[iw.world.market_regulation, iw.world.emergency_bureau],
                       inspectors=("inspector", "inspector_emergency"))
    with time_machine.travel(dt.datetime(2026, 5, 6, 15, 47, 13, tzinfo=SHANGHAI), tick=False):
        rating_submit(visit, actor=iw.world.enterprise_a_user, score=4, comment="  态度很好  ")
    ratings_batch_move(today=dt.date(2026, 5, 7))
    rows = list(Rating.objects.order_by("department__code").values("department", "kind", "rated_on", "score",
                                                                   "comment"))
    assert rows == [
        {"department": iw.world.market_regulation.pk, "kind": visit.kind, "rated_on": dt.date(2026, 5, 6),
         "score": 4, "comment": "态度很好"},
        {"department": iw.world.emergency_bureau.pk, "kind": visit.kind, "rated_on": dt.date(2026, 5, 6),
         "score": 4, "comment": "态度很好"},
    ]


def test_publishable_figures_hide_both_count_and_average_below_five(iw):
    from yancheng.inspections.ratings import publishable

    assert publishable(4, 20) == (None, None)
    assert publishable(0, 0) == (None, None)
    count, average = publishable(5, 21)
    assert count == 5 and str(average) == "4.20"
    assert publishable(6, 30, min_count=2) == (6, publishable(6, 30)[1])  # never below five
    assert publishable(5, 25, min_count=8) == (None, None)
