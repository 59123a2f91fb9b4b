"""The checks demo: a year of tasks, most done, some not; department checks on registrations
made through the inspections services (wired in by the caller), self-checks and patrols."""

from __future__ import annotations

import datetime as dt

import time_machine

from yancheng.inspections.models import InspectorLicence
from yancheng.inspections.registration.register import inspection_register
from yancheng.safety.demo_checks import load_checks_demo
from yancheng.safety.models import CheckKind, CheckTask, SafetyCheck
from yancheng.safety.selectors_checks import annotate_tasks
from yancheng.testing.inspections import build_inspection_world


def test_the_demo_makes_a_year_of_tasks_and_checks(sw):
    iw = build_inspection_world(sw.world)

    def register_visit(moment, inspector, enterprise):
        own = InspectorLicence.objects.filter(user=inspector).first()
        if own is None:
            return None
        second = InspectorLicence.objects.filter(department=own.department).exclude(pk=own.pk).first()
        code = iw.code_a if enterprise == sw.enterprise_a else iw.code_b
        with time_machine.travel(moment, tick=False):
            return inspection_register(
                actor=inspector, enterprise=enterprise, found_by="code", code=code, kind="enforcement",
                items=[iw.chemicals], inspectors=[own.certificate_no, second.certificate_no],
                outside_plan_reason="superior", acknowledge_warnings=True,
            ).pk

    today = dt.date(2026, 3, 16)
    with time_machine.travel(dt.datetime(2026, 3, 16, 18, 0, tzinfo=dt.UTC), tick=False):
        made = load_checks_demo(today, register_visit=register_visit)
    assert made == SafetyCheck.objects.count() > 10
    kinds = set(SafetyCheck.objects.values_list("kind", flat=True))
    assert {CheckKind.DEPARTMENT, CheckKind.SELF} <= kinds
    tasks = annotate_tasks(CheckTask.objects.all(), today)
    assert tasks.filter(period_start=dt.date(2025, 4, 1)).exists()
    # the city bureau has licensed inspectors in the test world (祁东's bureau and the brigade do not)
    lights = list(tasks.filter(unit=sw.emergency_bureau).values_list("light", flat=True))
    assert len(lights) == 12 and lights.count("ontime") > len(lights) / 2
    assert set(lights) - {"ontime", "late", "red"} <= {"green", "yellow"}
    assert all(c.performed_on < today for c in SafetyCheck.objects.all())
