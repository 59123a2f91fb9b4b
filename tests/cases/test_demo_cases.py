"""The demo's cases (SPEC §2.3, §3 item 3): the seed story finished, a copy in progress and
some 300 more, with a backdated history behind every status, light, escalation and inbox.

The city and the cases are loaded once for the module (inside a transaction rolled back at
the end): loading them is the slow part."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from yancheng.cases.demo import SEED_ENTERPRISE, SEED_TITLE, CaseDemo, load_case_demo
from yancheng.cases.models import (
    Case,
    CaseEvent,
    CaseTask,
    EscalationLevel,
    ExtensionRequest,
    Satisfaction,
    Status,
)
from yancheng.cases.selectors import LIGHTS
from yancheng.core.audit.models import AuditEvent
from yancheng.core.demo import load_hengyang_demo
from yancheng.core.models import User

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_hengyang_demo(enterprise_count=60)
        added = load_case_demo()
        yield added
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo, db):
    return demo


def _user(username):
    return User.objects.select_related("organisation__region").get(username=username)


def test_it_loads_at_least_300_cases_in_every_status_and_under_every_light(loaded):
    assert loaded >= 300
    assert Case.objects.count() >= 300
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    lights = set(Case.objects.with_lights().values_list("light", flat=True))
    assert lights == set(LIGHTS)
    ratings = set(Case.objects.exclude(satisfaction="").values_list("satisfaction", flat=True))
    assert ratings == set(Satisfaction.values)
    assert Case.objects.filter(reopen_count__gt=0, status=Status.CLOSED).exists()
    assert Case.objects.filter(merged_into__isnull=False).exists()


def test_the_seed_story_is_finished_and_rated_satisfied(loaded):
    case = Case.objects.with_lights().get(title=SEED_TITLE, enterprise__name=SEED_ENTERPRISE)
    assert case.status == Status.CLOSED
    assert case.satisfaction == Satisfaction.SATISFIED
    assert case.light == "ontime"
    assert case.lead_org.code == "hy-power"
    assert case.dispatch_org.code == "qd-park"
    assert case.subject == "纸箱包装生产线项目"
    assert "10kV 专线已接入送电" in case.resolution
    task = case.tasks.get()
    assert task.org.code == "qd-fgj"
    assert task.status == CaseTask.TaskStatus.DONE
    submitted = case.created_at.astimezone(SH)
    assert submitted.weekday() == 4  # a Friday
    assert timezone.now() - case.created_at > dt.timedelta(days=20)
    assert dt.timedelta(days=5) < case.resolved_at - case.created_at < dt.timedelta(days=8)
    actions = list(case.events.order_by("at", "pk").values_list("action", flat=True))
    assert actions[:7] == ["submit", "assign", "accept", "note", "complete_task", "resolve", "rate"]


def test_a_copy_of_the_story_is_in_progress_under_a_yellow_light(loaded):
    case = Case.objects.with_lights().get(title="二期厂房临时用电报装")
    assert case.status == Status.ACCEPTED
    assert case.lead_org.code == "hy-power"
    assert case.light == "yellow"


def test_the_history_is_backdated_consistently(loaded):
    now = timezone.now()
    cases = list(Case.objects.all())
    assert min(c.created_at for c in cases) < now - dt.timedelta(days=30)
    for case in cases:
        events = list(case.events.order_by("at", "pk"))
        moments = [e.at for e in events]
        # The case's own steps lie in the order they were made; escalations and merges into
        # it were made afterwards and fall in between.
        own = [e.at for e in case.events.order_by("pk") if e.action not in {"press", "supervise", "report",
                                                                             "merged_in"}]
        assert own == sorted(own), case.number
        assert events[0].action == "submit"
        assert abs(events[0].at - case.created_at) < dt.timedelta(seconds=5)
        assert all(m <= now for m in moments)
        if case.assigned_at is not None:
            assert case.created_at <= case.assigned_at <= case.clock_started_at <= now
            assert case.solve_due_at > case.clock_started_at
        if case.accepted_at is not None:
            assert case.assigned_at <= case.accepted_at
        if case.resolved_at is not None:
            assert case.accepted_at <= case.resolved_at <= now
    assert not CaseEvent.objects.filter(at__gt=now).exists()
    assert not ExtensionRequest.objects.filter(created_at__gt=now).exists()


def test_late_cases_are_escalated_at_every_level_by_the_escalation_job(loaded):
    levels = set(Case.objects.values_list("escalation_level", flat=True))
    assert {EscalationLevel.PRESSED, EscalationLevel.SUPERVISED, EscalationLevel.REPORTED} <= levels
    reported = Case.objects.filter(escalation_level=EscalationLevel.REPORTED).first()
    assert reported.pressed_at < reported.supervised_at < reported.reported_at < timezone.now()
    assert reported.events.filter(action="report").exists()
    # Nothing running and overdue was left unpressed.
    assert not Case.objects.with_lights().filter(light="red", escalation_level=0, solve_due_at__lte=timezone.now()).exists()


def test_there_are_co_unit_tasks_and_extension_requests_of_every_outcome(loaded):
    assert set(CaseTask.objects.values_list("status", flat=True)) >= {"open", "done"}
    assert set(ExtensionRequest.objects.values_list("status", flat=True)) == {"pending", "approved", "refused"}
    assert CaseEvent.objects.filter(action="urge").exists()
    assert CaseEvent.objects.filter(action="revisit").exists()


@pytest.mark.parametrize(
    "username", ["qiye", "diaodu", "diaodu2", "chengban", "chengban2", "lingdao", "ducha"]
)
def test_every_demo_login_has_cases_in_its_inbox(loaded, username):
    visible = Case.objects.visible_to(_user(username))
    assert visible.exists()
    if username in {"diaodu", "chengban", "chengban2", "diaodu2"}:
        assert visible.filter(status__in=[Status.SUBMITTED, Status.ASSIGNED, Status.ACCEPTED,
                                          Status.RETURNED]).exists()


def test_the_leader_sees_what_was_escalated(loaded):
    visible = Case.objects.visible_to(_user("lingdao"))
    assert visible.filter(escalation_level__gte=EscalationLevel.SUPERVISED).count() == visible.count() > 0


def test_running_the_loader_again_adds_nothing(loaded):
    counts = (Case.objects.count(), CaseEvent.objects.count(), User.objects.count(), AuditEvent.objects.count())
    assert load_case_demo() == 0
    assert (Case.objects.count(), CaseEvent.objects.count(), User.objects.count(),
            AuditEvent.objects.count()) == counts


def test_the_plan_is_the_same_every_time(loaded):
    def plan():
        demo = CaseDemo(300)
        demo.plan_all()
        return [(p.scenario, p.title, p.enterprise.uscc, p.lead.code) for p in demo.plans]

    first = plan()
    assert first == plan()
    assert len(first) >= 300


@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2026, 11, 26, 22, 0, tzinfo=SH),  # a Thursday night
        dt.datetime(2026, 11, 28, 8, 0, tzinfo=SH),  # a Saturday morning: no 5-day case is yellow
        dt.datetime(2026, 11, 30, 7, 0, tzinfo=SH),  # a Monday before work
        dt.datetime(2026, 10, 4, 12, 0, tzinfo=SH),  # National Day
        dt.datetime(2026, 2, 17, 15, 0, tzinfo=SH),  # Spring Festival
    ],
)
def test_the_planner_finds_a_start_for_every_running_light_whatever_the_day(db, now):
    from yancheng.cases.demo import PROBLEMS, Plan, _Planner

    planner = _Planner(now)
    for want, ks in [("green", range(0, 16)), ("yellow", range(0, 16)), ("red", range(6, 12))]:
        plan = Plan(enterprise=None, problem=PROBLEMS[0], title="", subject="", lead=None, dispatch=None,
                    via_city_office=False, scenario="")
        k, minute = planner.start_for(plan, want, 0.5, 600, accepted=True, ks=ks)
        start = planner.at(k, minute)
        assert start < now
        assert planner.light(start, plan, accepted=True) == want
