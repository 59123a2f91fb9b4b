"""The petitions to-dos on each role's workbench: which lines each persona gets, that each
count is the list behind its link (``todo_queryset`` / the follow-up and reception lists),
the 15-day clock lights, and that a 检举控告 about an organ is never counted for it."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from yancheng.cases.models import CaseKind, ExtensionRequest
from yancheng.cases.services import case_accept, case_assign, case_submit
from yancheng.core.workbench import todos_for
from yancheng.petitions.intake import PetitionerInput
from yancheng.petitions.models import (
    FollowUp,
    LeaderReception,
    Petition,
    PetitionDocument,
    PetitionReview,
    Stage,
    TransferMode,
)
from yancheng.petitions.selectors_todos import TODO_KEYS, follow_ups_for, todo_queryset
from yancheng.testing.petitions import register

pytestmark = pytest.mark.django_db

EXPECTED = {
    "xinfang": {"petitions.register", "petitions.to_transfer", "petitions.objections", "petitions.review_requests",
                "petitions.report_overdue", "petitions.follow_ups_due"},
    "handler_housing": {"petitions.to_notify", "petitions.due_soon", "petitions.overdue", "petitions.to_serve",
                        "petitions.reviews", "petitions.follow_ups_due"},
    "head_housing": {"petitions.extensions", "petitions.led", "petitions.receptions"},
    "supervisor_housing": {"petitions.overdue_all"},
}


def _handled_case(pw, petition, org, *, accept=False):
    """The matter's handling case, submitted by the 信访局 as the system and assigned to ``org``."""
    case = case_submit(actor=None, reporter_org=pw.city_bureau, dispatch_org=pw.city_bureau, kind=CaseKind.PETITION,
                       title=f"信访事项 {petition.number}", description="信访事项办理",
                       withheld_from=petition.respondent_org if petition.is_accusation else None)
    case = case_assign(case, actor=pw.xinfang, lead_org=org)
    if accept:
        handler = pw.handler_housing if org == pw.housing else pw.handler_discipline
        case = case_accept(case, actor=handler)
    Petition.objects.filter(pk=petition.pk).update(case=case, handling_org=org, transferred_at=timezone.now(),
                                                   stage=Stage.ACCEPTED if accept else Stage.TRANSFERRED)
    return case


@pytest.fixture
def desk(pw):
    """A day's desk: one matter of each kind of waiting, for the 住建局 and the city 信访局."""
    now = timezone.now()
    today = timezone.localdate()
    fresh(pw)  # REGISTERED, 15 days to go
    late = fresh(pw)
    Petition.objects.filter(pk=late.pk).update(transfer_due_at=now - dt.timedelta(hours=1))
    to_notify = fresh(pw)
    _handled_case(pw, to_notify, pw.housing)
    accepted = fresh(pw)
    case = _handled_case(pw, accepted, pw.housing, accept=True)
    ExtensionRequest.objects.create(case=case, requested_by=pw.handler_housing, working_days=10, reason="需要听证")
    from yancheng.cases.models import Case

    Case.objects.filter(pk=case.pk).update(solve_due_at=now - dt.timedelta(hours=2),
                                           solve_yellow_at=now - dt.timedelta(days=5))
    soon = fresh(pw)
    soon_case = _handled_case(pw, soon, pw.housing, accept=True)
    Case.objects.filter(pk=soon_case.pk).update(solve_due_at=now + dt.timedelta(days=2),
                                                solve_yellow_at=now - dt.timedelta(days=1))
    assigned = fresh(pw)
    Petition.objects.filter(pk=assigned.pk).update(
        stage=Stage.ACCEPTED, handling_org=pw.housing, transfer_mode=TransferMode.ASSIGN,
        report_due_at=now - dt.timedelta(days=1),
    )
    reviewing = fresh(pw)
    Petition.objects.filter(pk=reviewing.pk).update(stage=Stage.REVIEWING, handling_org=pw.hrss)
    PetitionReview.objects.create(petition=reviewing, level="review", requested_on=today, request="不服",
                                  organ=pw.housing)
    PetitionDocument.objects.create(petition=accepted, kind="acceptance", number="衡住建信受〔2026〕1号",
                                    issuer=pw.housing, created_at=now)
    answered = fresh(pw)
    Petition.objects.filter(pk=answered.pk).update(stage=Stage.FINAL, handling_org=pw.housing, leader=pw.head_housing)
    FollowUp.objects.create(petition=answered, kind="visit", org=pw.housing, due_on=today - dt.timedelta(days=1),
                            plan="回访")
    FollowUp.objects.create(petition=answered, kind="assist", org=pw.city_bureau, due_on=today, plan="帮扶")
    FollowUp.objects.create(petition=answered, kind="assist", org=pw.city_bureau, due_on=today + dt.timedelta(days=9),
                            plan="以后")
    LeaderReception.objects.create(leader=pw.head_housing, org=pw.city_bureau, day=today + dt.timedelta(days=1),
                                   place="市信访接待中心")
    LeaderReception.objects.create(leader=pw.head_housing, org=pw.city_bureau, day=today - dt.timedelta(days=7),
                                   place="市信访接待中心")
    # A 检举控告 about the 住建局 on every clock: never counted for the 住建局's people.
    for stage in (Stage.REGISTERED, Stage.ACCEPTED):
        hidden = fresh(pw, petition_type="accusation", claim_route="", respondent_org=pw.housing)
        Petition.objects.filter(pk=hidden.pk).update(transfer_due_at=now - dt.timedelta(days=1))
        if stage == Stage.ACCEPTED:
            _handled_case(pw, hidden, pw.discipline, accept=True)
    return pw


def fresh(pw, **overrides):
    """A matter of a new person (no ID number: never a 重复信访 of another)."""
    overrides.setdefault("petitioners", [PetitionerInput("王五")])
    return register(pw, **overrides).petition


def items(user):
    return {item.key: item for item in todos_for(user)}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_petition_persona_gets_its_lines(desk, persona):
    found = items(desk.users[persona])
    assert EXPECTED[persona] <= set(found), set(found)
    others = set().union(*(keys for name, keys in EXPECTED.items() if name != persona)) - EXPECTED[persona]
    assert not others & set(found), others & set(found)


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_every_count_is_the_list_behind_its_link(desk, persona):
    user = desk.users[persona]
    for item in items(user).values():
        if item.count is None or not item.key.startswith("petitions."):
            continue
        parts = urlsplit(item.url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == reverse("petitions:petition_list"):
            assert query["todo"] in TODO_KEYS
            assert item.count == todo_queryset(user, query["todo"]).count(), item.key
        elif parts.path == reverse("petitions:follow_up_list"):
            assert item.count == follow_ups_for(user, due=query["due"], mine=query.get("mine") == "1").count()
        else:
            assert parts.path == reverse("petitions:reception_list")


def test_the_counts_of_a_day(desk):
    counts = {key: item.count for key, item in items(desk.xinfang).items()}
    # registered by the city 信访局 and not sent on: waiting, late, and the accusation not yet sent
    assert counts["petitions.to_transfer"] == 3
    assert counts["petitions.report_overdue"] == 1
    assert counts["petitions.follow_ups_due"] == 1  # its own unit's, due today; not the later one
    handler = {key: item.count for key, item in items(desk.handler_housing).items()}
    assert handler["petitions.to_notify"] == 1
    assert handler["petitions.overdue"] == 1 and handler["petitions.due_soon"] == 1
    assert handler["petitions.to_serve"] == 1
    assert handler["petitions.reviews"] == 1
    assert handler["petitions.follow_ups_due"] == 1
    head = {key: item.count for key, item in items(desk.head_housing).items()}
    assert head["petitions.extensions"] == 1 and head["petitions.led"] == 1 and head["petitions.receptions"] == 1
    assert items(desk.supervisor_housing)["petitions.overdue_all"].count == 2  # late transfer, late handling


def test_the_transfer_clock_lights_red_when_one_is_late_and_yellow_in_its_last_five_days(pw):
    first = fresh(pw)
    assert items(pw.xinfang)["petitions.to_transfer"].light == "green"
    Petition.objects.filter(pk=first.pk).update(transfer_due_at=timezone.now() + dt.timedelta(days=6))
    assert items(pw.xinfang)["petitions.to_transfer"].light == "green"
    Petition.objects.filter(pk=first.pk).update(transfer_due_at=timezone.now() + dt.timedelta(days=4))
    assert items(pw.xinfang)["petitions.to_transfer"].light == "yellow"
    Petition.objects.filter(pk=first.pk).update(transfer_due_at=timezone.now() - dt.timedelta(minutes=1))
    assert items(pw.xinfang)["petitions.to_transfer"].light == "red"


def test_an_accusation_is_never_counted_for_the_organ_complained_about(desk):
    hidden = set(Petition.objects.filter(petition_type="accusation").values_list("pk", flat=True))
    assert hidden
    for persona in ("handler_housing", "head_housing", "supervisor_housing", "handler_housing_office"):
        user = desk.users[persona]
        for key in TODO_KEYS:
            assert not set(todo_queryset(user, key).values_list("pk", flat=True)) & hidden, (persona, key)
    # the 信访局 and the organ handling it do count it
    assert set(todo_queryset(desk.xinfang, "to_transfer").values_list("pk", flat=True)) & hidden
    assert set(todo_queryset(desk.supervisor, "overdue_all").values_list("pk", flat=True)) & hidden


def test_a_unit_without_petition_work_gets_no_petition_lines(desk):
    for user in (desk.world.handler_power, desk.world.leader, desk.world.handler_other):
        assert not [key for key in items(user) if key.startswith("petitions.")], user.username


def test_the_home_page_shows_the_lines_and_the_list_link_carries_the_key(client, desk):
    client.force_login(desk.xinfang)
    response = client.get(reverse("core:home"))
    html = response.content.decode()
    assert 'data-todo="petitions.to_transfer"' in html
    assert "?todo=to_transfer" in html


def test_an_unknown_key_is_an_empty_list(desk):
    assert todo_queryset(desk.xinfang, "nothing").count() == 0


def test_each_count_is_the_total_of_the_list_it_opens(client, desk):
    """The link of every counted line opens the petitions list showing exactly that many."""
    import re

    for persona in ("xinfang", "handler_housing", "head_housing", "supervisor_housing"):
        user = getattr(desk, persona)
        client.force_login(user)
        for item in todos_for(user):
            if item.count is None or not item.key.startswith("petitions.") or "todo=" not in item.url:
                continue
            page = client.get(item.url)
            assert page.status_code == 200, (persona, item.key)
            found = re.search(r'data-total="(\d+)"', page.content.decode())
            assert found, (persona, item.key, item.url, page.content.decode()[:300])
            total = int(found.group(1))
            assert total == item.count, (persona, item.key, total, item.count)
