"""A case withheld from an organisation (检举控告 and the organ complained about, 条例 第三十条)
is invisible to everyone of that organisation and of its sub-units, whatever their role:
inbox, detail, API list and detail, export, the dashboard's figures and the rankings — and
they are told nothing about it. A twin case that is not withheld shows that each of them
would otherwise see it."""

import datetime as dt

import pytest

from yancheng.api.testing import api_client_for
from yancheng.cases import notify
from yancheng.cases import services as svc
from yancheng.cases.models import Case, EscalationLevel
from yancheng.cases.selectors import InboxFilters, inbox
from yancheng.core.errors import NotFoundError, ValidationFailed
from yancheng.core.notifications.models import Notification
from yancheng.dashboard.rankings import Month, counted
from yancheng.dashboard.selectors import DashboardFilters, overview

from .test_natural_days_world import (
    SH,
    STAFF_ROLES,
    assigned_petition,
    at,
    build_petition_world,
    petition_case,
)

WHO = [f"{prefix}{role}" for prefix in ("", "sub_") for role in STAFF_ROLES]


@pytest.fixture
def cases(world):
    """The world, a withheld accusation and its twin, both escalated to 督办 with the
    respondent as the supervising organ (so every role there would see them)."""
    pw = build_petition_world(world)
    when = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)
    withheld = assigned_petition(pw, when, withheld=True, title="检举某执法人员")
    twin = assigned_petition(pw, when, title="反映某项补贴未发放")
    # Escalated to a leader's 督办, with the organ complained about as the escalation target
    # (not a path the engine takes for a withheld case, but a worst case for visibility).
    Case.objects.filter(pk__in=[withheld.pk, twin.pk]).update(
        escalation_level=EscalationLevel.SUPERVISED, escalated_to=pw.respondent
    )
    return pw, withheld, twin


@pytest.mark.parametrize("who", WHO)
def test_no_one_of_the_withheld_organisation_or_below_sees_the_case(cases, who, client):
    pw, withheld, twin = cases
    user = pw.withheld_users[who]
    if who.startswith("sub_"):  # escalated to the sub-unit itself: its handlers and dispatchers see the twin
        Case.objects.filter(pk__in=[withheld.pk, twin.pk]).update(escalated_to=pw.respondent_sub)
    visible = set(Case.objects.visible_to(user).values_list("pk", flat=True))
    assert twin.pk in visible  # the test can fail: the twin is seen
    assert withheld.pk not in visible

    # The generic inbox, its page, export and API list leave petition kinds out for everyone
    # (they are worked in the petitions list, whose own withheld tests are in tests/petitions).
    listed = set(inbox(user, InboxFilters(scope="all")).values_list("pk", flat=True))
    assert withheld.pk not in listed and twin.pk not in listed

    client.force_login(user)
    assert client.get(f"/cases/{twin.pk}/").status_code == 200
    assert client.get(f"/cases/{withheld.pk}/").status_code == 404
    page = client.get("/cases/?scope=all")
    assert withheld.number.encode() not in page.content
    export = client.get("/cases/export.xlsx?scope=all")
    if who.endswith("petition"):  # 信访 staff have no case inbox (they work in the petitions list)
        assert export.status_code == 403
    else:
        assert export.status_code == 200
        assert b"xl/" in export.content  # an .xlsx (zipped): the rows are checked through the inbox above

    api = api_client_for(user)
    assert api.get(f"/api/v1/cases/{twin.pk}").status_code == 200
    assert api.get(f"/api/v1/cases/{withheld.pk}").status_code == 404
    answer = api.get("/api/v1/cases?scope=all")
    if who.endswith("petition"):
        assert answer.status_code == 403
    else:
        assert withheld.number not in {item["number"] for item in answer.json()["items"]}


@pytest.mark.parametrize("who", ["supervisor", "sub_supervisor", "leader", "sub_leader"])
def test_the_generic_dashboard_counts_no_petition_case(cases, who):
    """Petition cases are counted in the petitions panel (tests/petitions/test_dashboard_panel.py
    checks the organ complained about there), never in the case figures."""
    pw, _withheld, _twin = cases
    user = pw.withheld_users[who]
    data = overview(user, DashboardFilters.from_params({}, user))
    supervised = next(row for row in data["escalation_rows"] if row["level"] == EscalationLevel.SUPERVISED)
    assert supervised["count"] == 0


def test_a_step_by_someone_of_the_withheld_organisation_answers_not_found(cases):
    pw, withheld, _twin = cases
    with pytest.raises(NotFoundError):
        svc.case_add_note(withheld, actor=pw.withheld_users["supervisor"], note="看看")


def test_the_case_is_never_given_to_the_withheld_organisation_or_a_sub_unit(world):
    pw = build_petition_world(world)
    with at(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)):
        case = petition_case(pw, withheld=True)
        for unit in (pw.respondent, pw.respondent_sub):
            with pytest.raises(ValidationFailed, match="回避"):
                svc.case_assign(case, actor=pw.clerk, lead_org=unit)
        with pytest.raises(ValidationFailed, match="回避"):
            svc.case_assign(case, actor=pw.clerk, lead_org=pw.lead, co_orgs=[pw.respondent_sub])
    assert Case.objects.get(pk=case.pk).lead_org_id is None


def test_nobody_of_the_withheld_organisation_is_told(cases, django_capture_on_commit_callbacks):
    pw, withheld, twin = cases
    # An escalation tells the escalation target and every supervisor of the city.
    with django_capture_on_commit_callbacks(execute=True):
        for case in (withheld, twin):
            notify.case_escalated(Case.objects.get(pk=case.pk), level=EscalationLevel.SUPERVISED)
    inside = {user.pk for user in pw.withheld_users.values()}
    told_of = {
        case.pk: set(Notification.objects.filter(object_id=str(case.pk)).values_list("recipient", flat=True))
        for case in (withheld, twin)
    }
    assert told_of[twin.pk] & inside  # they would be told of the twin
    assert not told_of[withheld.pk] & inside


def test_the_rankings_leave_petitions_out(cases):
    _pw, withheld, twin = cases
    Case.objects.filter(pk__in=[withheld.pk, twin.pk]).update(
        resolved_at=dt.datetime(2026, 3, 20, 10, 0, tzinfo=SH)
    )
    c = counted("unit", Month.of(dt.date(2026, 3, 1)))
    assert not c.resolved.filter(pk__in=[withheld.pk, twin.pk]).exists()
    assert not c.escalated.filter(pk__in=[withheld.pk, twin.pk]).exists()
