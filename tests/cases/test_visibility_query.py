"""A handler's cases: 主办, 协办 (any task, open or done) or escalated to the unit, written
so PostgreSQL can answer it from indexes (core.lookups.AnyOfSubquery)."""

from __future__ import annotations

from django.db import connection

from yancheng.cases import services as svc
from yancheng.cases.models import Case, CaseTask


def _submit(world, title):
    return svc.case_submit(actor=world.users["enterprise_a"], title=title, description="说明")


def test_a_handler_sees_lead_co_and_escalated_cases_and_nothing_else(world):
    lead, co, escalated, other = (_submit(world, f"事项{n}") for n in range(4))
    unit = world.handler_power.organisation
    Case.objects.filter(pk=lead.pk).update(lead_org=unit)
    Case.objects.filter(pk=co.pk).update(lead_org=world.market_regulation)
    CaseTask.objects.create(case=co, org=unit, status=CaseTask.TaskStatus.DONE, assigned_at=co.created_at)
    Case.objects.filter(pk=escalated.pk).update(escalated_to=unit)
    Case.objects.filter(pk=other.pk).update(lead_org=world.market_regulation)
    seen = set(Case.objects.visible_to(world.handler_power).values_list("pk", flat=True))
    assert seen == {lead.pk, co.pk, escalated.pk}


def test_any_of_means_in_on_every_database_and_is_an_array_on_postgresql(world):
    cases = [_submit(world, f"事项{n}") for n in range(3)]
    CaseTask.objects.create(case=cases[1], org=world.market_regulation, assigned_at=cases[1].created_at)
    subquery = CaseTask.objects.filter(org=world.market_regulation).order_by().values("case_id")
    chosen = Case.objects.filter(pk__any_of=subquery)
    assert list(chosen.values_list("pk", flat=True)) == list(
        Case.objects.filter(pk__in=subquery).values_list("pk", flat=True)) == [cases[1].pk]
    sql = str(chosen.query)
    assert ("= ANY(ARRAY(SELECT" in sql) == (connection.vendor == "postgresql")
