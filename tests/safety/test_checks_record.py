"""Recording checks: a department's check on the inspector's own registration (never another
inspector's, never another department's, never without one), the self-check for the own
enterprise and its mapped systems, the grid patrol of the park's enterprises, hazards from
failed items all or nothing, the task a check counts for, and the inspection caps."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from yancheng.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.inspections.counting import count_by_department
from yancheng.inspections.models import InspectionAlert
from yancheng.inspections.registration.register import inspection_register
from yancheng.safety.models import CheckKind, CheckResult, CheckTask, Hazard, HazardLevel, SafetyCheck
from yancheng.safety.selectors_checks import annotate_tasks
from yancheng.safety.services.checks import (
    CheckInput,
    ItemResult,
    safety_check_record_department,
    safety_check_record_grid,
    safety_check_record_self,
)
from yancheng.safety.services.checks_generation import check_tasks_generate
from yancheng.testing.inspections import build_inspection_world
from yancheng.testing.world import CERTIFICATES

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 5, 12, 10, 0, tzinfo=SHANGHAI)
EMERGENCY = [CERTIFICATES["inspector_emergency"], CERTIFICATES["inspector_emergency2"]]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def iw(sw):
    return build_inspection_world(sw.world)


def visit(iw, enterprise=None, **kw):
    enterprise = enterprise or iw.world.enterprise_b
    args = {
        "actor": iw.world.inspector_emergency, "enterprise": enterprise, "found_by": "code",
        "code": iw.code_b if enterprise == iw.world.enterprise_b else iw.code_a,
        "kind": "enforcement", "items": [iw.chemicals], "inspectors": EMERGENCY, "outside_plan_reason": "superior",
    }
    args.update(kw)
    return inspection_register(**args)


def industry(sw, enterprise=None, fail=(), hazards=None, **kw):
    hazards = hazards or {}
    results = [
        ItemResult(item.pk, "fail" if code in fail else "pass", note="现场发现" if code in fail else "",
                   hazard_level=hazards.get(code, ("", ""))[0], hazard_description=hazards.get(code, ("", ""))[1])
        for code, item in sw.items.items() if item.system_id == sw.industry.pk
    ]
    return CheckInput(system=sw.industry, enterprise=enterprise or sw.enterprise_b, results=results, **kw)


def test_an_inspector_records_a_check_on_their_own_registration(sw, iw):
    registration = visit(iw)
    recorded = safety_check_record_department(actor=sw.world.inspector_emergency, inspection_id=registration.pk,
                                              data=industry(sw, summary="总体良好"))
    check = recorded.check
    assert (check.kind, check.inspection_id, check.organisation, check.performed_on) == (
        CheckKind.DEPARTMENT, registration.pk, sw.emergency_bureau, dt.date(2026, 5, 12))
    assert check.number.startswith("AJ2026-") and check.results.count() == 4 and not recorded.hazards
    # the second inspector on the same registration may not record the same system again
    with pytest.raises(ValidationFailed) as info:
        safety_check_record_department(actor=sw.world.inspector_emergency2, inspection_id=registration.pk,
                                       data=industry(sw))
    assert info.value.code == "already_recorded"


def test_a_department_check_needs_an_own_registration(sw, iw):
    market = inspection_register(
        actor=sw.world.inspector, enterprise=sw.enterprise_b, found_by="code", code=iw.code_b, kind="enforcement",
        items=[iw.food], inspectors=[CERTIFICATES["inspector"], CERTIFICATES["inspector2"]],
        outside_plan_reason="superior",
    )
    # another department's registration (the emergency inspector was not on it)
    with pytest.raises(PermissionDeniedError) as info:
        safety_check_record_department(actor=sw.world.inspector_emergency, inspection_id=market.pk, data=industry(sw))
    assert info.value.code == "no_registration"
    # the department's safety staff member was not on the emergency registration either
    registration = visit(iw)
    with pytest.raises(PermissionDeniedError):
        safety_check_record_department(actor=sw.safety_emergency, inspection_id=registration.pk, data=industry(sw))
    # the registration is of enterprise B, not A
    with pytest.raises(ValidationFailed):
        safety_check_record_department(actor=sw.world.inspector_emergency, inspection_id=registration.pk,
                                       data=industry(sw, enterprise=sw.enterprise_a))
    # too old: outside the findings window
    with time_machine.travel(NOW + dt.timedelta(days=11), tick=False), pytest.raises(PermissionDeniedError):
        safety_check_record_department(actor=sw.world.inspector_emergency, inspection_id=registration.pk,
                                       data=industry(sw))
    # neither grid nor enterprise users record department checks
    for user in (sw.grid_park, sw.world.users["enterprise_a"], sw.anweiban):
        with pytest.raises(PermissionDeniedError):
            safety_check_record_department(actor=user, inspection_id=registration.pk, data=industry(sw))
    assert not SafetyCheck.objects.exists()


def test_every_item_needs_a_result(sw, iw):
    registration = visit(iw)
    data = industry(sw)
    data.results = data.results[:-1]
    with pytest.raises(ValidationFailed, match="GM-04"):
        safety_check_record_department(actor=sw.world.inspector_emergency, inspection_id=registration.pk, data=data)
    wrong = industry(sw)
    wrong.results = [ItemResult(sw.items["XF-01"].pk, "pass"), *wrong.results]
    with pytest.raises(ValidationFailed):
        safety_check_record_department(actor=sw.world.inspector_emergency, inspection_id=registration.pk, data=wrong)


def test_failed_items_are_reported_as_hazards_in_the_same_transaction(sw, iw):
    registration = visit(iw)
    data = industry(sw, fail=("GM-02", "GM-03"), hazards={
        "GM-02": (HazardLevel.GENERAL, "两名电焊工无证上岗"), "GM-03": (HazardLevel.MAJOR, "除尘器未设泄爆装置"),
    })
    recorded = safety_check_record_department(actor=sw.world.inspector_emergency, inspection_id=registration.pk,
                                              data=data)
    hazards = sorted(recorded.hazards, key=lambda h: h.item.code)
    assert [(h.item.code, h.level, h.found_in_id, h.supervising_org) for h in hazards] == [
        ("GM-02", HazardLevel.GENERAL, recorded.check.pk, sw.emergency_bureau),
        ("GM-03", HazardLevel.MAJOR, recorded.check.pk, sw.emergency_bureau),
    ]
    assert CheckResult.objects.filter(check_record=recorded.check, outcome="fail").count() == 2


def test_one_bad_hazard_records_nothing(sw, iw):
    registration = visit(iw)
    data = industry(sw, fail=("GM-02", "GM-03"), hazards={"GM-02": (HazardLevel.GENERAL, "无证上岗"),
                                                          "GM-03": (HazardLevel.MAJOR, "")})
    data.results = [r if r.item_id != sw.items["GM-03"].pk else ItemResult(r.item_id, "fail", "", "major", "")
                    for r in data.results]
    with pytest.raises(ValidationFailed):
        safety_check_record_department(actor=sw.world.inspector_emergency, inspection_id=registration.pk, data=data)
    assert not SafetyCheck.objects.exists() and not Hazard.objects.exists() and not CheckResult.objects.exists()
    passed = industry(sw, hazards={"GM-01": (HazardLevel.GENERAL, "x")})
    with pytest.raises(ValidationFailed, match="只有不符合"):
        safety_check_record_department(actor=sw.world.inspector_emergency, inspection_id=registration.pk, data=passed)


def test_a_self_check_is_for_the_own_enterprise_and_its_mapped_systems(sw):
    user_a = sw.world.users["enterprise_a"]
    recorded = safety_check_record_self(actor=user_a, data=industry(sw, enterprise=sw.enterprise_a,
                                                                    fail=("GM-01",),
                                                                    hazards={"GM-01": ("general", "缺安全员")}))
    assert recorded.check.kind == CheckKind.SELF and recorded.check.task is None
    assert recorded.hazards[0].source == "self_check"
    with pytest.raises(PermissionDeniedError):
        safety_check_record_self(actor=user_a, data=industry(sw, enterprise=sw.enterprise_b))
    fire_for_b = CheckInput(system=sw.fire, enterprise=sw.enterprise_b,
                            results=[ItemResult(sw.items[c].pk, "pass") for c in ("XF-01", "XF-02")])
    with pytest.raises(ValidationFailed, match="覆盖范围"):
        safety_check_record_self(actor=sw.world.users["enterprise_b"], data=fire_for_b)
    with pytest.raises(PermissionDeniedError):
        safety_check_record_self(actor=sw.safety_emergency, data=industry(sw))


def test_a_grid_patrol_covers_the_parks_enterprises_only(sw):
    recorded = safety_check_record_grid(actor=sw.grid_park, data=industry(sw, enterprise=sw.enterprise_a))
    assert (recorded.check.kind, recorded.check.organisation) == (CheckKind.GRID, sw.qidong_park)
    with pytest.raises(NotFoundError):
        safety_check_record_grid(actor=sw.grid_park, data=industry(sw, enterprise=sw.enterprise_b))
    with pytest.raises(PermissionDeniedError):
        safety_check_record_grid(actor=sw.safety_emergency, data=industry(sw, enterprise=sw.enterprise_a))


def test_a_check_counts_for_the_units_task_and_turns_it_done(sw, iw):
    check_tasks_generate(year=2026, month=5, actor=None)
    task = CheckTask.objects.get(unit=sw.emergency_bureau, system=sw.industry)
    assert annotate_tasks(CheckTask.objects.filter(pk=task.pk)).get().light == "green"
    recorded = safety_check_record_department(actor=sw.world.inspector_emergency, inspection_id=visit(iw).pk,
                                              data=industry(sw))
    assert recorded.check.task == task
    done = annotate_tasks(CheckTask.objects.filter(pk=task.pk)).get()
    assert (done.done, done.light, done.last_on) == (1, "ontime", dt.date(2026, 5, 12))


def test_lights_of_open_tasks_and_late_ones(sw, iw):
    check_tasks_generate(year=2026, month=5, actor=None)
    qs = CheckTask.objects.filter(unit=sw.qidong_emergency, system=sw.industry)
    task = qs.get()
    assert task.due_on == dt.date(2026, 5, 29)  # 30-31 May 2026 are a weekend
    assert annotate_tasks(qs, today=task.yellow_on - dt.timedelta(days=1)).get().light == "green"
    assert annotate_tasks(qs, today=task.yellow_on).get().light == "yellow"
    assert annotate_tasks(qs, today=dt.date(2026, 5, 30)).get().light == "red"
    # a check by the task's unit after the due date, still in the period: done late
    SafetyCheck.objects.create(number="AJ-test", kind=CheckKind.DEPARTMENT, enterprise=sw.enterprise_a,
                               system=sw.industry, organisation=sw.qidong_emergency, performed_by=sw.safety_qidong,
                               performed_on=dt.date(2026, 5, 31), recorded_at=NOW,
                               inspection=visit(iw, enterprise=sw.enterprise_a))
    assert annotate_tasks(qs, today=dt.date(2026, 6, 2)).get().light == "late"


def test_a_safety_check_counts_against_the_inspection_caps_and_an_exempt_one_does_not(sw, iw):
    """The world's grade-B cap: a department at most 3 a year. The department's safety checks
    are its registrations: two checked visits and a third registration reach the cap; a
    complaint-driven visit with its safety check counts for nothing."""
    for _ in range(2):
        registration = visit(iw)
        safety_check_record_department(actor=sw.world.inspector_emergency, inspection_id=registration.pk,
                                       data=industry(sw))
    assert count_by_department(sw.enterprise_b, 2026, [sw.emergency_bureau]) == {sw.emergency_bureau.pk: 2}
    exempt = visit(iw, exemption_reason=iw.complaint_reason, exemption_evidence="12345工单 HY2026050001",
                   outside_plan_reason="complaint")
    safety_check_record_department(actor=sw.world.inspector_emergency, inspection_id=exempt.pk, data=industry(sw))
    assert not exempt.counts_toward_caps
    assert count_by_department(sw.enterprise_b, 2026, [sw.emergency_bureau]) == {sw.emergency_bureau.pk: 2}
    assert not InspectionAlert.objects.filter(kind="cap_reached").exists()
    third = visit(iw)
    assert InspectionAlert.objects.filter(kind="cap_reached", inspection=third, cap_rule=iw.caps["department_B"]).exists()
    assert SafetyCheck.objects.filter(kind=CheckKind.DEPARTMENT).count() == 3
