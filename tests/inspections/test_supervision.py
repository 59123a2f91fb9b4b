"""The supervisor's side of 企业赋码保护: the rules (policy, cap matrix, exemption reasons,
quiet periods), handling alerts, the per-department dashboard, the 通报 and its monthly job.

Registrations, alerts and ratings are made with the ORM (tests/inspections/routes_supervisor.py):
their own services are tested on the other sides."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
import time_machine
from django.contrib import admin

from yancheng.cases.models import CaseKind
from yancheng.cases.services import case_submit, case_withdraw
from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.core.notifications.models import Notification
from yancheng.inspections import reports
from yancheng.inspections.models import (
    CapRule,
    ExemptionReason,
    InspectionAlert,
    InspectionPolicy,
    QuietPeriod,
    Rating,
    RatingReceipt,
)
from yancheng.inspections.supervision.access import alerts_visible_to
from yancheng.inspections.supervision.alerts import alert_handle
from yancheng.inspections.supervision.caps import cap_matrix, cap_rule_remove, cap_rule_set
from yancheng.inspections.supervision.dashboard import department_dashboard
from yancheng.inspections.supervision.exemptions import exemption_reason_deactivate, exemption_reason_save
from yancheng.inspections.supervision.monthly_report import register_jobs, report_ready_notify
from yancheng.inspections.supervision.periods import Period
from yancheng.inspections.supervision.policy import policy_etag, policy_update
from yancheng.inspections.supervision.quiet_periods import quiet_period_create, quiet_period_remove
from yancheng.inspections.supervision.registrations import RegistrationFilters, registrations_for
from yancheng.testing.documents import body_tables, check_official_document, imprint_lines

from .routes_supervisor import SHANGHAI, county_supervisor, make_alert, make_inspection, make_rating

NOW = dt.datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI)
OCT = Period.month(2026, 10)
REFUSED = ["clerk_market", "inspector", "enterprise_a_user"]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: int, hour: int = 10, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def data(frozen, iw):
    """October 2026, hand-made: the market bureau (市场监管) and the emergency bureau (应急)
    inspect enterprise A (祁东) and B (石鼓区); one joint inspection of both."""
    w = iw.world
    market, emergency = w.market_regulation, w.emergency_bureau
    d = iw
    d.solo = make_inspection(iw, departments=[market], started_at=at(2))
    d.joint = make_inspection(iw, departments=[market, emergency], started_at=at(5))
    d.visit = make_inspection(iw, departments=[market], started_at=at(6), kind="visit", enterprise=w.enterprise_b)
    d.exempt = make_inspection(iw, departments=[market], started_at=at(7), exempt=True, enterprise=w.enterprise_b)
    d.emergency_entry = make_inspection(iw, departments=[market], started_at=at(8), entry_mode="emergency")
    d.backfilled = make_inspection(iw, departments=[emergency], started_at=at(9), entry_mode="backfill")
    # Just outside October (local time): not counted.
    make_inspection(iw, departments=[market], started_at=dt.datetime(2026, 9, 30, 23, 30, tzinfo=SHANGHAI))
    make_inspection(iw, departments=[emergency], started_at=dt.datetime(2026, 11, 1, 0, 10, tzinfo=SHANGHAI))

    d.cap_alert = make_alert(iw, "cap_exceeded", created_at=at(5), inspection=d.joint, department=market)
    d.frequency_alert = make_alert(iw, "high_frequency", created_at=at(9), inspection=d.backfilled,
                                   status="handled")  # no department: counted for the registration's lead
    d.unregistered_alert = make_alert(iw, "unregistered", created_at=at(10), department=emergency,
                                      enterprise=w.enterprise_b)
    make_alert(iw, "cap_exceeded", created_at=at(1, month=9), department=market)  # September

    def complaint(ref, enterprise):
        return case_submit(actor=None, title="检查投诉", description="多次入企", kind=CaseKind.INSPECTION_COMPLAINT,
                           subject_ref=ref, enterprise=enterprise, dispatch_org=w.justice_bureau)

    d.joint_complaint = complaint(f"inspection:{d.joint.pk}", w.enterprise_a)
    d.department_complaint = complaint(f"inspection_department:{market.pk}", w.enterprise_b)
    withdrawn = complaint(f"inspection:{d.solo.pk}", w.enterprise_a)
    case_withdraw(withdrawn, actor=w.enterprise_a_user)

    for score in (4, 5, 3):
        make_rating(market, score, dt.date(2026, 10, 12))
    make_rating(emergency, 2, dt.date(2026, 10, 15))
    make_rating(market, 1, dt.date(2026, 11, 2))  # November
    return d


# --- the dashboard ------------------------------------------------------------------------------


def _rows(board):
    return {r.name: r for r in board.rows}


def test_the_dashboard_counts_a_joint_inspection_for_each_department_and_once_in_the_totals(data):
    board = department_dashboard(start=OCT.start, end=OCT.end)
    rows = _rows(board)
    market, emergency = rows[data.world.market_regulation.name], rows[data.world.emergency_bureau.name]
    assert (market.enforcement, market.visits, market.joint) == (4, 1, 1)
    assert (emergency.enforcement, emergency.visits, emergency.joint) == (2, 0, 1)
    assert (board.totals.enforcement, board.totals.visits, board.totals.joint) == (5, 1, 1)
    assert market.inspections + emergency.inspections == 7 and board.totals.inspections == 6


def test_the_joint_rate_is_joint_over_all_enforcement_inspections(data):
    board = department_dashboard(start=OCT.start, end=OCT.end)
    rows = _rows(board)
    assert rows[data.world.market_regulation.name].joint_rate == 25.0
    assert rows[data.world.emergency_bureau.name].joint_rate == 50.0
    assert board.totals.joint_rate == 20.0


def test_exempt_emergency_and_backfilled_registrations_are_counted_apart(data):
    rows = _rows(department_dashboard(start=OCT.start, end=OCT.end))
    market, emergency = rows[data.world.market_regulation.name], rows[data.world.emergency_bureau.name]
    assert (market.exempt, market.emergency, market.backfill) == (1, 1, 0)
    assert (emergency.exempt, emergency.emergency, emergency.backfill) == (0, 0, 1)


def test_alerts_are_counted_by_kind_and_open_for_the_department_concerned(data):
    board = department_dashboard(start=OCT.start, end=OCT.end)
    rows = _rows(board)
    market, emergency = rows[data.world.market_regulation.name], rows[data.world.emergency_bureau.name]
    assert (market.alerts, market.alerts_open, market.cap_exceeded) == (1, 1, 1)
    assert (emergency.alerts, emergency.alerts_open, emergency.unregistered) == (2, 1, 1)
    assert emergency.alerts_by_kind == {"high_frequency": 1, "unregistered": 1}
    assert (board.totals.alerts, board.totals.alerts_open) == (3, 2)
    assert [k for k, _label in board.alert_kinds] == ["cap_exceeded", "high_frequency", "unregistered"]


def test_complaints_count_for_every_department_of_the_inspection_and_for_the_department_named(data):
    board = department_dashboard(start=OCT.start, end=OCT.end)
    rows = _rows(board)
    assert rows[data.world.market_regulation.name].complaints == 2  # the joint visit + about the bureau
    assert rows[data.world.emergency_bureau.name].complaints == 1  # the joint visit; withdrawn ones not
    assert board.totals.complaints == 2


def test_a_complaint_about_inspections_in_general_is_counted_on_a_row_of_its_own(data):
    case_submit(actor=None, title="重复检查过多", description="本月检查太多", kind=CaseKind.INSPECTION_COMPLAINT,
                enterprise=data.world.enterprise_b, dispatch_org=data.world.justice_bureau)
    board = department_dashboard(start=OCT.start, end=OCT.end)
    rows = _rows(board)
    assert rows["未指明部门"].complaints == 1
    assert board.totals.complaints == 3
    assert rows[data.world.market_regulation.name].complaints == 2


def test_the_dashboard_shows_ratings_of_whole_ended_months_and_only_from_five_a_department_month(data):
    """A supervisor who could pick a day — or a running month, read day after day — would
    see each rating's department and day (the listing SPEC §4 now forbids): the dashboard
    adds up only whole ended months, each department-month only from five ratings on."""
    market, emergency = data.world.market_regulation, data.world.emergency_bureau
    for score in (5, 3):
        make_rating(market, score, dt.date(2026, 10, 20))  # market: 5 in October, emergency 1
    board = department_dashboard(start=OCT.start, end=OCT.end)  # 20 October: running
    assert all(r.ratings is None for r in board.rows) and board.totals.ratings is None
    with time_machine.travel(dt.datetime(2026, 11, 5, 9, 0, tzinfo=SHANGHAI), tick=False):
        rows = {r.department_id: r for r in department_dashboard(start=OCT.start, end=OCT.end).rows}
        assert (rows[market.pk].ratings, rows[market.pk].rating_average) == (5, 4.0)
        assert rows[emergency.pk].ratings is None  # one rating: not shown, not even as a count
        one_day = department_dashboard(start=dt.date(2026, 10, 12), end=dt.date(2026, 10, 12))
        assert all(r.ratings is None for r in one_day.rows) and one_day.totals.ratings is None
        # October and the first days of November: November is not whole, so its rating is not added.
        longer = {r.department_id: r for r in department_dashboard(
            start=OCT.start, end=dt.date(2026, 11, 4)).rows}
        assert longer[market.pk].ratings == 5


def test_a_regions_dashboard_counts_its_enterprises_only_and_shows_no_ratings(data):
    board = department_dashboard(start=OCT.start, end=OCT.end, region=data.world.qidong)
    rows = _rows(board)
    market = rows[data.world.market_regulation.name]
    assert (market.enforcement, market.visits, market.exempt) == (3, 0, 0)  # B's visits are in 石鼓区
    assert board.totals.enforcement == 4
    assert not board.ratings_available and market.ratings is None and board.totals.ratings is None


def test_departments_with_published_items_have_a_row_even_without_inspections(frozen, iw):
    board = department_dashboard(start=OCT.start, end=OCT.end)
    assert {r.name for r in board.rows} == {iw.world.market_regulation.name, iw.world.emergency_bureau.name}
    assert all(r.inspections == 0 and r.joint_rate is None for r in board.rows)


def test_the_dashboard_takes_the_same_few_queries_however_many_departments(data, django_assert_num_queries):
    with django_assert_num_queries(6):  # October is running: ratings need no query
        department_dashboard(start=OCT.start, end=OCT.end)


def test_every_number_links_to_the_list_behind_it(data):
    board = department_dashboard(start=OCT.start, end=OCT.end)
    market = _rows(board)[data.world.market_regulation.name]
    assert market.links["joint"] == (
        f"/inspections/supervision/registrations/?start=2026-10-01&end=2026-10-31"
        f"&department={data.world.market_regulation.pk}&kind=enforcement&joint=1"
    )
    assert "kind=cap_exceeded" in market.links["cap_exceeded"]
    assert market.links["complaints"].startswith("/inspections/supervision/complaints/?")
    # October is running: its single ratings cannot be read yet, so the figure opens nothing
    # (the ratings page refuses a running month); an ended month links to its ratings
    assert market.links["ratings"] == ""
    september = _rows(department_dashboard(start=Period.month(2026, 9).start, end=Period.month(2026, 9).end))
    assert september[data.world.market_regulation.name].links["ratings"] == (
        f"/inspections/supervision/ratings/?department={data.world.market_regulation.pk}&month=2026-09"
    )


# --- periods -------------------------------------------------------------------------------------


def test_periods_read_months_quarters_and_years_and_refuse_the_rest():
    assert (Period.parse("2026-10").start, Period.parse("2026-10").end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert (Period.parse("2026-Q3").start, Period.parse("2026-Q3").end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert Period.parse("2026").end == dt.date(2026, 12, 31)
    assert Period.parse("2026-Q3").label == "2026年第3季度"
    for bad in ("2026-13", "2026-Q5", "26-10", "", "2026-10-01"):
        with pytest.raises(ValidationFailed):
            Period.parse(bad)
    assert Period.previous_month(dt.date(2026, 1, 1)).key == "2025-12"


# --- the policy ----------------------------------------------------------------------------------


def test_the_supervisor_changes_the_policy_and_the_change_is_audited(iw):
    policy = policy_update(actor=iw.world.supervisor, cap_exceeded="refuse", backfill_days=7)
    policy.refresh_from_db()
    assert (policy.cap_exceeded, policy.backfill_days) == ("refuse", 7)
    event = AuditEvent.objects.filter(action="inspection_policy.update").latest("seq")
    assert event.after == {"cap_exceeded": "refuse", "backfill_days": 7}


def test_a_rating_minimum_below_five_is_refused_with_a_clear_message(iw):
    with pytest.raises(ValidationFailed) as caught:
        policy_update(actor=iw.world.supervisor, rating_min_count=4)
    assert caught.value.field == "rating_min_count" and "不得小于 5" in str(caught.value.message)
    assert InspectionPolicy.current().rating_min_count == 5


@pytest.mark.parametrize(("field", "value"), [
    ("backfill_days", 0), ("backfill_days", 31), ("high_frequency_threshold", 1), ("grade_a_proactive", "maybe"),
    ("high_frequency_window_days", "x"), ("rating_min_count", True), ("unknown", 1),
])
def test_the_policy_refuses_values_out_of_bounds(iw, field, value):
    with pytest.raises(ValidationFailed):
        policy_update(actor=iw.world.supervisor, **{field: value})


def test_the_supervising_organisation_must_be_a_department_or_office(iw):
    with pytest.raises(ValidationFailed):
        policy_update(actor=iw.world.supervisor, supervising_org=iw.world.enterprise_a.organisation)
    policy_update(actor=iw.world.supervisor, supervising_org=iw.world.city_ndrc)
    assert InspectionPolicy.current().supervising_org == iw.world.city_ndrc


@pytest.mark.parametrize("persona", REFUSED)
def test_department_staff_and_enterprises_cannot_change_the_rules(iw, persona):
    actor = getattr(iw.world, persona)
    with pytest.raises(PermissionDeniedError):
        policy_update(actor=actor, backfill_days=5)
    with pytest.raises(PermissionDeniedError):
        cap_rule_set(actor=actor, grade="C", scope="total", max_per_year=9)
    with pytest.raises(PermissionDeniedError):
        exemption_reason_save(actor=actor, code="x", name="x", evidence_required="x")
    with pytest.raises(PermissionDeniedError):
        quiet_period_create(actor=actor, name="x", starts_on=dt.date(2030, 1, 1),
                                        ends_on=dt.date(2030, 1, 2))
    assert InspectionPolicy.current().backfill_days == 10
    assert AuditEvent.objects.filter(action="permission_denied", actor_id=actor.pk).count() == 4


def test_a_county_supervisor_cannot_change_the_citys_rules(iw):
    county = county_supervisor(iw.world)
    with pytest.raises(PermissionDeniedError):
        policy_update(actor=county, backfill_days=5)
    with pytest.raises(PermissionDeniedError):
        cap_rule_set(actor=county, grade="C", scope="total", max_per_year=9)


def test_a_stale_version_of_the_policy_is_refused(iw):
    version = policy_etag(InspectionPolicy.current())
    policy_update(actor=iw.world.supervisor, backfill_days=8, expected_version=version)
    with pytest.raises(ConflictError) as caught:
        policy_update(actor=iw.world.supervisor, backfill_days=9, expected_version=version)
    assert caught.value.code == "stale_version"


# --- the cap matrix ------------------------------------------------------------------------------


def test_the_cap_matrix_shows_items_every_department_departments_and_the_total(iw):
    matrix = cap_matrix()
    assert matrix.grades == ["A", "B", "C", "D"]
    keys = [r.key for r in matrix.rows]
    assert f"item-{iw.food.pk}" in keys and f"item-{iw.chemicals.pk}" in keys
    assert f"item-{iw.unpublished.pk}" not in keys  # never published: not inspected, no cap
    assert keys.index("every") < keys.index(f"department-{iw.world.market_regulation.pk}") < keys.index("total")
    rows = {r.key: r for r in matrix.rows}
    assert rows[f"item-{iw.food.pk}"].cells["B"].max_per_year == 2
    assert rows["every"].cells["B"].max_per_year == 3 and rows["every"].cells["A"] is None
    assert rows["total"].cells["B"].max_per_year == 4


def test_setting_a_cell_creates_it_and_setting_it_again_updates_it(iw):
    sup = iw.world.supervisor
    rule = cap_rule_set(actor=sup, grade="C", scope="department", department=iw.world.market_regulation,
                                    max_per_year=5)
    again = cap_rule_set(actor=sup, grade="C", scope="department",
                                     department=iw.world.market_regulation, max_per_year=6)
    assert again.pk == rule.pk and CapRule.objects.get(pk=rule.pk).max_per_year == 6
    assert cap_rule_set(actor=sup, grade="B", scope="item", item=iw.food, max_per_year=1).pk == \
        iw.caps["food_B"].pk
    assert CapRule.objects.filter(grade="B", scope="item").count() == 1


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"scope": "item"}, "item"),
    ({"scope": "item", "item": "food", "department": "market"}, "department"),
    ({"scope": "department", "item": "food"}, "item"),
    ({"scope": "department", "department": "park"}, "department"),
    ({"scope": "total", "department": "market"}, "scope"),
    ({"scope": "total", "max_per_year": 400}, "max_per_year"),
    ({"scope": "total", "max_per_year": -1}, "max_per_year"),
    ({"scope": "everywhere"}, "scope"),
    ({"scope": "total", "grade": "E"}, "grade"),
])
def test_a_cell_is_validated_by_its_scope(iw, kwargs, field):
    objects = {"food": iw.food, "market": iw.world.market_regulation, "park": iw.world.qidong_park}
    args = {"grade": "C", "max_per_year": 3, **kwargs}
    for key in ("item", "department"):
        if key in args:
            args[key] = objects[args[key]]
    with pytest.raises(ValidationFailed) as caught:
        cap_rule_set(actor=iw.world.supervisor, **args)
    assert caught.value.field == field


def test_removing_a_cell_leaves_no_cap_and_is_audited(iw):
    cap_rule_remove(iw.caps["total_B"], actor=iw.world.supervisor)
    assert not CapRule.objects.filter(pk=iw.caps["total_B"].pk).exists()
    assert AuditEvent.objects.filter(action="cap_rule.remove").exists()
    with pytest.raises(PermissionDeniedError):
        cap_rule_remove(iw.caps["food_B"], actor=iw.world.clerk_market)


# --- exemption reasons ---------------------------------------------------------------------------


def test_an_exemption_reason_needs_its_evidence_and_a_unique_code(iw):
    sup = iw.world.supervisor
    with pytest.raises(ValidationFailed) as caught:
        exemption_reason_save(actor=sup, code="follow_up", name="整改复查", evidence_required=" ")
    assert caught.value.field == "evidence_required"
    with pytest.raises(ValidationFailed):
        exemption_reason_save(actor=sup, code="Bad Code!", name="x", evidence_required="y")
    with pytest.raises(ConflictError):
        exemption_reason_save(actor=sup, code="complaint", name="x", evidence_required="y")
    reason = exemption_reason_save(actor=sup, code="follow_up", name="整改复查",
                                               evidence_required="责令整改通知书文号")
    changed = exemption_reason_save(actor=sup, code="ignored", name="整改后复查",
                                                evidence_required="整改通知书", reason=reason)
    assert (changed.code, changed.name) == ("follow_up", "整改后复查")


def test_a_deactivated_reason_is_kept_but_no_longer_offered(iw):
    reason = exemption_reason_deactivate(iw.complaint_reason, actor=iw.world.supervisor)
    assert not reason.is_active and ExemptionReason.objects.filter(pk=reason.pk).exists()


# --- quiet periods -------------------------------------------------------------------------------


def test_a_quiet_period_is_checked_before_it_is_set(frozen, iw):
    sup = iw.world.supervisor
    today = NOW.date()
    cases = [
        ({"starts_on": today, "ends_on": today - dt.timedelta(days=1)}, "ends_on"),
        ({"starts_on": today - dt.timedelta(days=1), "ends_on": today}, "starts_on"),
        ({"starts_on": today, "ends_on": today + dt.timedelta(days=400)}, "ends_on"),
        ({"starts_on": None, "ends_on": today}, "starts_on"),
        ({"starts_on": today, "ends_on": today, "region": iw.world.qidong, "enterprise": iw.world.enterprise_a},
         "enterprise"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationFailed) as caught:
            quiet_period_create(actor=sup, name="春节宁静期", **kwargs)
        assert caught.value.field == field
    with pytest.raises(ValidationFailed):
        quiet_period_create(actor=sup, name=" ", starts_on=today, ends_on=today)
    period = quiet_period_create(actor=sup, name="春节宁静期", starts_on=today,
                                             ends_on=today + dt.timedelta(days=10), region=iw.world.qidong)
    assert period.created_by == sup and QuietPeriod.objects.count() == 1


def test_a_county_supervisor_sets_quiet_periods_in_its_own_region_only(frozen, iw):
    county = county_supervisor(iw.world)
    today = NOW.date()
    with pytest.raises(PermissionDeniedError):
        quiet_period_create(actor=county, name="全市", starts_on=today, ends_on=today)
    with pytest.raises(PermissionDeniedError):
        quiet_period_create(actor=county, name="石鼓", starts_on=today, ends_on=today,
                                        region=iw.world.shigu)
    with pytest.raises(PermissionDeniedError):
        quiet_period_create(actor=county, name="乙企业", starts_on=today, ends_on=today,
                                        enterprise=iw.world.enterprise_b)
    assert quiet_period_create(actor=county, name="甲企业", starts_on=today, ends_on=today,
                                           enterprise=iw.world.enterprise_a).enterprise == iw.world.enterprise_a


def test_removing_a_quiet_period_deletes_a_future_one_ends_a_current_one_and_keeps_a_past_one(frozen, iw):
    sup = iw.world.supervisor
    today = NOW.date()
    future = QuietPeriod.objects.create(name="未来", starts_on=today + dt.timedelta(days=3),
                                        ends_on=today + dt.timedelta(days=5))
    current = QuietPeriod.objects.create(name="进行中", starts_on=today - dt.timedelta(days=3),
                                         ends_on=today + dt.timedelta(days=5))
    past = QuietPeriod.objects.create(name="已结束", starts_on=today - dt.timedelta(days=9),
                                      ends_on=today - dt.timedelta(days=5))
    assert quiet_period_remove(future, actor=sup) is None
    assert not QuietPeriod.objects.filter(pk=future.pk).exists()
    assert quiet_period_remove(current, actor=sup).ends_on == today
    with pytest.raises(ValidationFailed):
        quiet_period_remove(past, actor=sup)
    with pytest.raises(PermissionDeniedError):
        quiet_period_remove(current, actor=county_supervisor(iw.world))  # a city-wide one


# --- alerts --------------------------------------------------------------------------------------


def test_the_supervisor_handles_an_open_alert_once_with_a_note(data):
    sup = data.world.supervisor
    with pytest.raises(ValidationFailed):
        alert_handle(data.cap_alert, actor=sup, note="  ")
    handled = alert_handle(data.cap_alert, actor=sup, note="已约谈市场监管局，要求说明情况")
    assert (handled.status, handled.handled_by, handled.handling_note) == ("handled", sup, "已约谈市场监管局，要求说明情况")
    with pytest.raises(ConflictError):
        alert_handle(data.cap_alert, actor=sup, note="再次处理")


@pytest.mark.parametrize("persona", REFUSED)
def test_only_supervisors_handle_alerts(data, persona):
    with pytest.raises(PermissionDeniedError):
        alert_handle(data.cap_alert, actor=getattr(data.world, persona), note="我来处理")
    assert InspectionAlert.objects.get(pk=data.cap_alert.pk).status == "open"


def test_a_county_supervisor_sees_and_handles_its_regions_alerts_only(data):
    county = county_supervisor(data.world)
    visible = set(alerts_visible_to(county).values_list("pk", flat=True))
    assert data.cap_alert.pk in visible and data.unregistered_alert.pk not in visible  # B is in 石鼓区
    with pytest.raises(PermissionDeniedError):
        alert_handle(data.unregistered_alert, actor=county, note="越权处理")


def test_registrations_filter_by_joint_exempt_entry_mode_and_alert(data):
    sup = data.world.supervisor

    def numbers(**params):
        filters = RegistrationFilters.from_params({**OCT.params(), **params})
        return {i.number for i in registrations_for(sup, filters)}

    assert numbers(joint="1") == {data.joint.number}
    assert numbers(exempt="1") == {data.exempt.number}
    assert numbers(entry_mode="backfill") == {data.backfilled.number}
    assert numbers(has_alert="1") == {data.joint.number, data.backfilled.number}
    assert numbers(department=str(data.world.emergency_bureau.pk)) == {data.joint.number, data.backfilled.number}
    assert len(numbers()) == 6
    assert numbers(kind="visit") == {data.visit.number}
    assert registrations_for(data.world.clerk_market, RegistrationFilters()).count() == 0


# --- the 通报 ------------------------------------------------------------------------------------


def test_the_report_is_a_word_document_with_the_departments_figures(data):
    document = check_official_document(reports.report_docx(reports.report_data(OCT)), landscape=True)
    text = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == "涉企行政检查情况通报（2026年10月）"
    assert "联合检查率 20%" in text  # written for people: never "20.0%"
    headings = [p.text for p in document.paragraphs if p.style.style_id in ("Heading1", "Heading2")]
    assert headings == ["一、总体情况", "二、各部门入企检查情况", "三、预警情况", "四、通报事项",
                        "（一）超过检查频次上限的部门", "（二）被企业举报未登记入企的部门", "五、企业评价和投诉"]
    assert f"{data.world.market_regulation.name}（1 次）" in text
    assert f"{data.world.emergency_bureau.name}（1 次）" in text
    assert imprint_lines(document)[-1].endswith("印发")
    table = body_tables(document)[0]
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows}
    header = [c.text for c in table.rows[0].cells]
    market = dict(zip(header, rows[data.world.market_regulation.name], strict=True))
    # Three ratings are fewer than five: the circulated notice shows neither count nor average.
    assert (market["行政检查"], market["联合检查"], market["联合检查率"], market["投诉"], market["评价数"],
            market["平均分"]) == ("4", "1", "25%", "2", "—", "—")
    assert rows["合计"][header.index("行政检查")] == "5"
    assert rows["合计"][header.index("评价数")] == "—"
    assert not any(cell.endswith(".0") or cell.endswith(".0%") for row in rows.values() for cell in row)


def test_the_report_is_also_a_spreadsheet_with_the_same_figures(data):
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(reports.report_xlsx(reports.report_data(OCT)))).active
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    table = list(itertools.takewhile(lambda row: any(v is not None for v in row), values[1:]))
    by_name = {row[0]: dict(zip(header, row, strict=False)) for row in table}
    market = by_name[data.world.market_regulation.name]
    assert (market["行政检查"], market["联合检查"], market["联合检查率"], market["评价数"]) == (4, 1, 25.0, None)
    assert by_name["合计"]["联合检查"] == 1
    assert any("超过检查频次上限的部门" in str(row[0]) for row in values if row and row[0])


def test_the_notice_shows_a_departments_ratings_from_five_on_and_totals_only_when_none_is_hidden(data):
    market, emergency = data.world.market_regulation, data.world.emergency_bureau
    for score in (5, 3):
        make_rating(market, score, dt.date(2026, 10, 20))
    with time_machine.travel(dt.datetime(2026, 11, 5, 9, 0, tzinfo=SHANGHAI), tick=False):  # October has ended
        report = reports.report_data(OCT)
        rows = {r.department_id: r for r in report.dashboard.rows}
        assert (rows[market.pk].ratings, rows[market.pk].rating_average) == (5, 4.0)
        assert rows[emergency.pk].ratings is None  # one rating: hidden
        # The totals add only the shown department-months: nothing hidden can be subtracted out.
        assert (report.dashboard.totals.ratings, report.dashboard.totals.rating_average) == (5, 4.0)
        for score in (4, 4, 4, 4):
            make_rating(emergency, score, dt.date(2026, 10, 21))
        totals = reports.report_data(OCT).dashboard.totals
        assert (totals.ratings, totals.rating_average) == (10, 3.8)


def test_a_notice_for_a_period_that_has_not_ended_shows_no_ratings(data):
    for score in (5, 5, 5, 5, 5):
        make_rating(data.world.market_regulation, score, dt.date(2026, 10, 14))
    report = reports.report_data(OCT)  # it is 20 October
    assert not any(row.ratings for row in report.dashboard.rows)
    assert report.dashboard.totals.ratings is None
    assert "不足5条或期间未结束的不公布" in report.summary


def test_a_quarter_report_is_titled_for_the_quarter(iw):
    data = reports.report_data(Period.parse("2026-Q3"))
    assert data.title == "涉企行政检查情况通报（2026年第3季度）"


# --- the monthly job -----------------------------------------------------------------------------


def test_the_monthly_job_tells_the_supervisors_once_a_month_that_the_report_is_ready(iw):
    sup = iw.world.supervisor
    with time_machine.travel(dt.datetime(2026, 11, 1, 8, 0, tzinfo=SHANGHAI), tick=False):
        assert report_ready_notify() == 1
        assert report_ready_notify() == 0
    with time_machine.travel(dt.datetime(2026, 11, 15, 8, 0, tzinfo=SHANGHAI), tick=False):
        assert report_ready_notify() == 0
    with time_machine.travel(dt.datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI), tick=False):
        assert report_ready_notify() == 1
    notes = list(Notification.objects.filter(recipient=sup, verb="inspection_report_ready").order_by("pk"))
    assert [n.url for n in notes] == ["/inspections/supervision/report/?period=2026-10",
                                      "/inspections/supervision/report/?period=2026-11"]
    assert "2026年10月" in notes[0].title
    assert not Notification.objects.filter(verb="inspection_report_ready").exclude(recipient=sup).exists()


def test_the_monthly_job_is_registered_with_the_periodic_jobs(iw):
    from yancheng.core.jobs import registered_jobs

    register_jobs()
    assert "inspections.monthly_report" in {job.name for job in registered_jobs()}


# --- the admin -----------------------------------------------------------------------------------


def test_ratings_and_their_receipts_are_never_in_the_admin():
    registry = admin.site._registry
    assert Rating not in registry and RatingReceipt not in registry
    assert InspectionPolicy in registry and CapRule in registry and QuietPeriod in registry


def test_registrations_and_alerts_are_read_only_in_the_admin_and_hidden_from_the_system_admin(rf, iw):
    """The admin follows the web pages (issue 10 §5): the system administrator, who sees no
    registration or alert there, sees none in the admin either; nobody edits them there."""
    from yancheng.inspections.models import Inspection

    request = rf.get("/admin/")
    for user in (iw.world.system_admin, iw.world.supervisor):
        request.user = user
        for model in (Inspection, InspectionAlert):
            model_admin = admin.site._registry[model]
            assert not model_admin.has_change_permission(request) and not model_admin.has_add_permission(request)
            assert not model_admin.has_delete_permission(request)
    request.user = iw.world.system_admin
    assert not admin.site._registry[Inspection].has_view_permission(request)
    assert not admin.site._registry[InspectionAlert].has_view_permission(request)
    request.user = iw.world.supervisor
    assert not admin.site._registry[InspectionPolicy].has_view_permission(request)
