"""The escalation job works set-based (one statement per kind of row and batch, not per
case) and still writes exactly what the case-by-case job wrote: the same case fields, case
events, inbox notifications, deliveries and audit records (content and order), once, with a
chain that verifies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from yancheng.cases import notify
from yancheng.cases import services as svc
from yancheng.cases.escalation import escalation_tick
from yancheng.cases.models import CLOCK_STATUSES, Case, CaseEvent, EscalationLevel
from yancheng.core.audit.models import AuditEvent
from yancheng.core.audit.services import audit_record
from yancheng.core.audit.verify import verify_chain
from yancheng.core.models import Role, User
from yancheng.core.notifications.models import Delivery, Notification
from yancheng.core.notifications.services import channel_create
from yancheng.core.services import user_create
from yancheng.testing.world import PERSONA_PASSWORD

SH = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)


def _reference_tick(now: dt.datetime) -> list[int]:
    """The job as it was before it went set-based: case by case through the single-row
    services (kept here as the specification of what the batch job must write)."""
    done: list[int] = []
    for level, due_field in ((1, "solve_due_at"), (2, "supervise_at"), (3, "report_at")):
        ids = list(
            Case.objects.filter(status__in=CLOCK_STATUSES, suspended_at__isnull=True, escalation_level=level - 1,
                                **{f"{due_field}__lte": now}).order_by("pk").values_list("pk", flat=True)
        )
        for case in Case.objects.filter(pk__in=ids).order_by("pk").select_related("lead_org", "dispatch_org"):
            case.escalation_level = level
            fields = ["escalation_level", "version", "updated_at"]
            if level == EscalationLevel.PRESSED:
                case.pressed_at = now
                fields.append("pressed_at")
            elif level == EscalationLevel.SUPERVISED:
                case.supervised_at = now
                case.escalated_to = svc.escalation_target(case)
                fields += ["supervised_at", "escalated_to"]
            else:
                case.reported_at = now
                fields.append("reported_at")
            case.version += 1
            case.save(update_fields=fields)
            action = {1: "press", 2: "supervise", 3: "report"}[level]
            CaseEvent.objects.create(case=case, at=now, action=action, from_status=case.status,
                                     to_status=case.status, data={"level": level, "escalated_to": case.escalated_to_id})
            audit_record(f"case.{action}", case, actor=None, after={"level": level})
            notify.case_escalated(case, level=level)
            done.append(case.pk)
    return done


def _written_since(audit_seq: int, notification_pk: int, delivery_pk: int, event_pk: int) -> dict[str, Any]:
    audit = list(
        AuditEvent.objects.filter(seq__gt=audit_seq).order_by("seq").values_list(
            "actor_id", "actor_repr", "organisation_id", "organisation_repr", "action", "object_type", "object_id",
            "object_repr", "before", "after", "ip", "request_id", "outcome")
    )
    notifications = list(
        Notification.objects.filter(pk__gt=notification_pk).order_by("pk").values_list(
            "recipient_id", "verb", "title", "body", "url", "object_type", "object_id")
    )
    deliveries = list(
        Delivery.objects.filter(pk__gt=delivery_pk).order_by("pk").values_list(
            "notification__recipient_id", "organisation_channel_id", "channel", "target", "verb", "title", "body",
            "url", "status")
    )
    events = list(
        CaseEvent.objects.filter(pk__gt=event_pk).order_by("pk").values_list(
            "case_id", "at", "action", "from_status", "to_status", "data", "actor_id", "internal")
    )
    cases = list(
        Case.objects.order_by("pk").values_list("pk", "escalation_level", "pressed_at", "supervised_at",
                                                 "reported_at", "escalated_to_id", "version")
    )
    return {"audit": audit, "notifications": notifications, "deliveries": deliveries, "events": events,
            "cases": cases}


def _marks() -> tuple[int, int, int, int]:
    return (
        AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0,
        Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        Delivery.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
    )


def _run_and_undo(job: Any, now: dt.datetime) -> tuple[Any, dict[str, Any]]:
    marks = _marks()
    with transaction.atomic():
        result = job(now)
        written = _written_since(*marks)
        transaction.set_rollback(True)
    return result, written


def _open_cases(world, count: int, *, lead_orgs: list[Any]) -> list[Case]:
    cases = []
    with time_machine.travel(MONDAY, tick=False):
        for n in range(count):
            case = svc.case_submit(actor=world.users["enterprise_a"], title=f"逾期事项{n}", description="尚未办结。")
            svc.case_assign(case, actor=world.dispatcher, lead_org=lead_orgs[n % len(lead_orgs)], solve_days=5)
            cases.append(case)
    for case in cases:
        case.refresh_from_db()
    return cases


@pytest.fixture
def richer_world(world):
    """Recipients with mail addresses, a group robot on the lead unit, a second supervisor,
    a handler of the supervising government: every kind of delivery the job queues."""
    User.objects.filter(pk__in=[world.handler_power.pk, world.dispatcher.pk]).update(email="x@example.cn")
    user_create(actor=None, username="supervisor_two", password=PERSONA_PASSWORD, role=Role.SUPERVISOR,
                organisation=world.justice_bureau, email="s2@example.cn", must_change_password=False)
    user_create(actor=None, username="gov_handler", password=PERSONA_PASSWORD, role=Role.HANDLER,
                organisation=world.city_gov, must_change_password=False)
    channel_create(organisation=world.power_company, kind="wecom", name="供电群",
                   webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", actor=None)
    return world


def test_the_batch_job_writes_what_the_case_by_case_job_wrote(richer_world):
    world = richer_world
    cases = _open_cases(world, 4, lead_orgs=[world.power_company, world.qidong_ndrc])
    moments = [cases[0].solve_due_at, cases[0].supervise_at, cases[0].report_at]
    for now in moments:
        reference_ids, expected = _run_and_undo(_reference_tick, now)
        report, got = _run_and_undo(escalation_tick, now)
        assert reference_ids and sorted(report.pressed + report.supervised + report.reported) == sorted(reference_ids)
        for kind in expected:
            assert got[kind] == expected[kind], kind
        # Move on to the next level the way the job does it, for real.
        escalation_tick(now)
    assert {c.escalation_level for c in Case.objects.filter(pk__in=[c.pk for c in cases])} == {3}


def test_running_the_job_twice_escalates_once_and_the_chain_verifies(richer_world):
    world = richer_world
    cases = _open_cases(world, 3, lead_orgs=[world.power_company])
    now = cases[0].report_at  # every level is due: the job takes one step per level and run
    first = escalation_tick(now)
    assert sorted(first.pressed) == sorted(first.supervised) == sorted(first.reported) == sorted(c.pk for c in cases)
    head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    second = escalation_tick(now)
    assert second.total == 0
    assert AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() == head
    assert CaseEvent.objects.filter(case__in=cases, action__in=["press", "supervise", "report"]).count() == 9
    # One audit record per step and one per notification sent about it.
    assert AuditEvent.objects.filter(action__in=["case.press", "case.supervise", "case.report"]).count() == 9
    report = verify_chain()
    assert report.ok, report


def _queries_for(world, count: int) -> int:
    cases = _open_cases(world, count, lead_orgs=[world.power_company, world.qidong_ndrc])
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        report = escalation_tick(cases[0].report_at)
        transaction.set_rollback(True)
    assert len(report.reported) == count
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(status="closed")
    return len(captured.captured_queries)


def test_the_jobs_query_count_does_not_grow_with_the_number_of_cases(richer_world):
    few = _queries_for(richer_world, 2)
    many = _queries_for(richer_world, 12)
    assert few == many
    assert many == PINNED_QUERIES[connection.vendor]


# Per level (3), one batch: its savepoint (2), lock the due cases (1), [督办: the supervising
# units (2)], one UPDATE (1), the case events (1), the staff to tell (1) [通报: and every
# supervisor (1)], notify's active check (1), robots (1), inbox rows and deliveries (ids and
# INSERT/COPY: 2 + 2), the audit append — [PostgreSQL: chain lock (1)], chain head (1),
# ids (1), INSERT/COPY (1).
PINNED_QUERIES = {"postgresql": 54, "sqlite": 51}


def test_the_batch_finds_the_supervising_unit_escalation_target_finds(world):
    from yancheng.cases.escalation import escalation_targets
    from yancheng.core.models import Organisation

    units = list(Organisation.objects.exclude(kind=Organisation.Kind.ENTERPRISE))
    assert len(units) > 10
    found = escalation_targets(units)
    for unit in units:
        assert found[unit.pk] == getattr(svc.escalation_target(Case(lead_org=unit)), "pk", None), unit
