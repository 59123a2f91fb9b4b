"""Caps, grades, exemptions, quiet periods, high-frequency alerts and joint inspections: the
rules of 衡政办发〔2025〕6号 and 国办发〔2024〕54号 as registrations meet them.

The world's cap matrix for grade B: food safety at most 2 a year, every department at most
3, all departments together at most 4; the high-frequency alert at 3 visits in 30 days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.inspections.counting import (
    caps_for,
    count_by_department,
    count_by_item,
    count_total,
    recent_visits,
    usage,
)
from yancheng.inspections.models import (
    CapRule,
    ExemptionReason,
    Inspection,
    InspectionAlert,
    InspectionPlan,
    InspectionPolicy,
    JointProposal,
    PlanEntry,
    QuietPeriod,
)
from yancheng.inspections.registration.notices import AcknowledgementRequired
from yancheng.inspections.registration.preview import registration_preview
from yancheng.inspections.registration.register import inspection_register
from yancheng.testing.world import CERTIFICATES

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 5, 12, 10, 0, tzinfo=SHANGHAI)
MARKET = [CERTIFICATES["inspector"], CERTIFICATES["inspector2"]]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def register(iw, **kw):
    args = {
        "actor": iw.world.inspector, "enterprise": iw.world.enterprise_a, "found_by": "code", "code": iw.code_a,
        "kind": "enforcement", "items": [iw.food], "inspectors": MARKET, "outside_plan_reason": "superior",
    }
    args.update(kw)
    return inspection_register(**args)


def alerts(kind):
    return InspectionAlert.objects.filter(kind=kind)


def set_policy(iw, **fields):
    InspectionPolicy.objects.filter(pk=iw.policy.pk).update(**fields)


def grade(enterprise, value):
    type(enterprise).objects.filter(pk=enterprise.pk).update(grade=value)
    enterprise.refresh_from_db()


# --- caps ---------------------------------------------------------------------------------------------


def test_reaching_a_cap_raises_an_alert_for_the_supervisor(iw):
    register(iw)
    assert not alerts("cap_reached").exists()
    second = register(iw)
    reached = alerts("cap_reached").get()
    assert reached.cap_rule == iw.caps["food_B"] and (reached.count, reached.limit) == (2, 2)
    assert reached.inspection == second and reached.department == iw.world.market_regulation
    assert [w["code"] for w in second.warnings] == ["cap_reached"]
    assert "食品生产经营监督检查" in second.warnings[0]["message"]


def test_exceeding_a_cap_needs_the_inspectors_confirmation_and_alerts_when_the_rules_admit_it(iw):
    register(iw)
    register(iw)
    with pytest.raises(AcknowledgementRequired) as info:
        register(iw)
    assert [n.code for n in info.value.notices if n.needs_ack] == ["cap_exceeded"]
    assert Inspection.objects.count() == 2
    third = register(iw, acknowledge_warnings=True)
    exceeded = alerts("cap_exceeded").get()
    assert exceeded.inspection == third and (exceeded.count, exceeded.limit) == (3, 2)
    assert "cap_exceeded" in [w["code"] for w in third.warnings]
    # the department cap (3) is reached by the same registration
    assert alerts("cap_reached").filter(inspection=third, cap_rule=iw.caps["department_B"]).exists()


def test_exceeding_a_cap_is_refused_when_the_rules_say_so(iw):
    set_policy(iw, cap_exceeded="refuse")
    register(iw)
    register(iw)
    with pytest.raises(ValidationFailed, match="超过年度检查频次上限") as info:
        register(iw, acknowledge_warnings=True)
    assert info.value.code == "cap_exceeded"
    assert Inspection.objects.count() == 2 and not alerts("cap_exceeded").exists()


def test_the_total_cap_counts_every_department(iw):
    register(iw, items=[iw.equipment])
    register(iw, items=[iw.equipment])
    emergency = [CERTIFICATES["inspector_emergency"], CERTIFICATES["inspector_emergency2"]]
    register(iw, actor=iw.world.inspector_emergency, items=[iw.chemicals], inspectors=emergency)
    fourth = register(iw, actor=iw.world.inspector_emergency, items=[iw.chemicals], inspectors=emergency)
    assert alerts("cap_reached").filter(inspection=fourth, cap_rule=iw.caps["total_B"]).exists()
    assert count_total(iw.world.enterprise_a, 2026) == 4
    assert count_by_department(iw.world.enterprise_a, 2026, [iw.world.market_regulation, iw.world.emergency_bureau]) \
        == {iw.world.market_regulation.pk: 2, iw.world.emergency_bureau.pk: 2}


def test_a_department_specific_cap_replaces_the_every_department_cap(iw):
    own = CapRule.objects.create(grade="B", scope="department", department=iw.world.market_regulation, max_per_year=1)
    rules = caps_for("B", [iw.world.market_regulation], [iw.food])
    assert own in rules and iw.caps["department_B"] not in rules
    assert iw.caps["department_B"] in caps_for("B", [iw.world.emergency_bureau], [iw.chemicals])
    first = register(iw, items=[iw.equipment])
    assert alerts("cap_reached").filter(inspection=first, cap_rule=own).exists()


def test_caps_count_only_this_calendar_year(iw):
    with time_machine.travel(dt.datetime(2025, 12, 31, 22, 0, tzinfo=SHANGHAI), tick=False):
        register(iw)
        register(iw)
    assert count_by_item(iw.world.enterprise_a, 2026, [iw.food]) == {iw.food.pk: 0}
    assert count_by_item(iw.world.enterprise_a, 2025, [iw.food]) == {iw.food.pk: 2}
    register(iw)
    assert not alerts("cap_exceeded").exists()


def test_usage_answers_in_a_few_queries(iw, django_assert_max_num_queries):
    register(iw)
    with django_assert_max_num_queries(4):
        rows = usage(iw.world.enterprise_a, 2026, [iw.world.market_regulation], [iw.food, iw.equipment])
    assert {(rule.scope, used, limit) for rule, used, limit in rows} == {
        ("item", 1, 2), ("department", 1, 3), ("total", 1, 4)
    }


# --- exemptions ---------------------------------------------------------------------------------------


def test_an_exempt_inspection_needs_evidence_and_does_not_count(iw):
    with pytest.raises(ValidationFailed, match="投诉举报编号") as info:
        register(iw, exemption_reason=iw.complaint_reason)
    assert info.value.field == "exemption_evidence"
    register(iw)
    register(iw)
    exempt = register(iw, exemption_reason=iw.complaint_reason, exemption_evidence="12345工单 HY2026050001",
                      outside_plan_reason="complaint")
    assert not exempt.counts_toward_caps and exempt.exemption_evidence == "12345工单 HY2026050001"
    assert not alerts("cap_exceeded").exists()
    assert count_by_item(iw.world.enterprise_a, 2026, [iw.food]) == {iw.food.pk: 2}


def test_an_exemption_needing_an_attachment_says_so(iw):
    reason = ExemptionReason.objects.create(code="followup", name="整改复查", evidence_required="整改通知书",
                                            requires_attachment=True)
    inspection = register(iw, exemption_reason=reason, exemption_evidence="衡市监责改〔2026〕12号")
    assert "attachment_needed" in [w["code"] for w in inspection.warnings]
    assert any("上传" in n.message for n in inspection.notices)


def test_an_inactive_exemption_reason_is_refused(iw):
    ExemptionReason.objects.filter(pk=iw.complaint_reason.pk).update(is_active=False)
    with pytest.raises(ValidationFailed, match="已停用"):
        register(iw, exemption_reason=iw.complaint_reason, exemption_evidence="x")


# --- grade A (衡政办发〔2025〕6号) ----------------------------------------------------------------------


def test_a_proactive_inspection_of_a_grade_a_enterprise_is_refused_by_default(iw):
    grade(iw.world.enterprise_a, "A")
    with pytest.raises(ValidationFailed, match="A 类企业") as info:
        register(iw)
    assert info.value.code == "grade_a" and not Inspection.objects.exists()


def test_a_proactive_inspection_of_a_grade_a_enterprise_is_alerted_when_configured(iw):
    grade(iw.world.enterprise_a, "A")
    set_policy(iw, grade_a_proactive="alert")
    inspection = register(iw)
    assert inspection.grade_at_registration == "A"
    assert alerts("grade_a").filter(inspection=inspection).exists()
    assert "grade_a" in [w["code"] for w in inspection.warnings]


def test_a_complaint_driven_inspection_of_a_grade_a_enterprise_is_admitted(iw):
    grade(iw.world.enterprise_a, "A")
    for reason in ("complaint", "referral"):
        inspection = register(iw, outside_plan_reason=reason)
        assert inspection.pk and not alerts("grade_a").exists()
    assert register(iw, kind="visit", purpose="publicity", items=[]).pk  # not an inspection at all


def test_the_preview_warns_about_grade_a(iw):
    grade(iw.world.enterprise_a, "A")
    preview = registration_preview(iw.world.enterprise_a, actor=iw.world.inspector)
    assert [n.code for n in preview.warnings] == ["grade_a"]


# --- quiet periods (企业宁静期) -------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["city", "region", "enterprise"])
def test_a_quiet_period_admits_only_exempt_inspections(iw, scope):
    target = {"city": {}, "region": {"region": iw.world.city}, "enterprise": {"enterprise": iw.world.enterprise_a}}
    QuietPeriod.objects.create(name="春节宁静期", starts_on=dt.date(2026, 5, 10), ends_on=dt.date(2026, 5, 20),
                               **target[scope])
    with pytest.raises(ValidationFailed, match="春节宁静期") as info:
        register(iw)
    assert info.value.field == "exemption_reason"
    with pytest.raises(ValidationFailed):
        register(iw, kind="visit", purpose="call", items=[])
    assert not alerts("quiet_period").exists()
    exempt = register(iw, exemption_reason=iw.complaint_reason, exemption_evidence="12345工单 1",
                      outside_plan_reason="complaint")
    assert alerts("quiet_period").filter(inspection=exempt).exists()
    assert registration_preview(iw.world.enterprise_a, actor=iw.world.inspector).quiet_periods


def test_a_quiet_period_elsewhere_or_at_another_time_changes_nothing(iw):
    QuietPeriod.objects.create(name="石鼓区宁静期", starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 5, 31),
                               region=iw.world.shigu)
    QuietPeriod.objects.create(name="六月宁静期", starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 6, 30))
    assert register(iw).pk


# --- high frequency -------------------------------------------------------------------------------------


def test_high_frequency_counts_non_enforcement_visits_and_exempt_ones_too(iw):
    register(iw, kind="visit", purpose="research", items=[])
    register(iw, exemption_reason=iw.complaint_reason, exemption_evidence="工单1", outside_plan_reason="complaint")
    assert recent_visits(iw.world.enterprise_a, 30) == 2
    assert not alerts("high_frequency").exists()
    third = register(iw)
    high = alerts("high_frequency").get()
    assert high.inspection == third and high.count == 3
    assert "high_frequency" in [w["code"] for w in third.warnings]


def test_visits_older_than_the_window_do_not_count_for_high_frequency(iw):
    with time_machine.travel(NOW - dt.timedelta(days=40), tick=False):
        register(iw, kind="visit", purpose="call", items=[])
        register(iw, kind="visit", purpose="call", items=[])
    register(iw)
    assert not alerts("high_frequency").exists()


# --- joint inspections (联合检查) ------------------------------------------------------------------------


def accepted_joint(iw, *, status="accepted"):
    proposal = JointProposal.objects.create(
        enterprise=iw.world.enterprise_a, window_start=dt.date(2026, 5, 1), window_end=dt.date(2026, 5, 31),
        status=status, lead_department=iw.world.market_regulation,
    )
    for dept, item in ((iw.world.market_regulation, iw.food), (iw.world.emergency_bureau, iw.chemicals)):
        plan, _ = InspectionPlan.objects.get_or_create(department=dept, year=2026, month=None,
                                                       defaults={"status": "filed"})
        PlanEntry.objects.create(plan=plan, enterprise=iw.world.enterprise_a, item=item, legal_basis=item.legal_basis,
                                 month=5, window_start=dt.date(2026, 5, 1), window_end=dt.date(2026, 5, 31),
                                 joint_proposal=proposal)
    return proposal


def joint_register(iw, proposal, **kw):
    return register(
        iw, joint_proposal=proposal, items=[iw.food, iw.chemicals], outside_plan_reason="",
        inspectors=[*MARKET, CERTIFICATES["inspector_emergency"]], **kw,
    )


def test_a_joint_inspection_counts_once_for_each_department_and_once_in_total(iw):
    proposal = accepted_joint(iw)
    inspection = joint_register(iw, proposal)
    assert set(inspection.departments.all()) == {iw.world.market_regulation, iw.world.emergency_bureau}
    assert inspection.department == iw.world.market_regulation and inspection.joint_proposal == proposal
    assert inspection.plan_entry.plan.department == iw.world.market_regulation
    depts = [iw.world.market_regulation, iw.world.emergency_bureau]
    assert count_by_department(iw.world.enterprise_a, 2026, depts) == {d.pk: 1 for d in depts}
    assert count_total(iw.world.enterprise_a, 2026) == 1
    proposal.refresh_from_db()
    assert proposal.status == JointProposal.Status.DONE
    rows = usage(iw.world.enterprise_a, 2026, depts, [iw.food, iw.chemicals])
    per_dept = {u.department.pk: u.used for u in rows if u.rule.scope == "department"}
    assert per_dept == {d.pk: 1 for d in depts}
    # the emergency bureau's inspectors see it as theirs
    assert Inspection.objects.visible_to(iw.world.inspector_emergency).filter(pk=inspection.pk).exists()


def test_a_joint_inspection_is_registered_once(iw):
    proposal = accepted_joint(iw)
    joint_register(iw, proposal)
    with pytest.raises(ConflictError):
        joint_register(iw, proposal)


def test_a_joint_proposal_not_yet_accepted_cannot_be_used(iw):
    proposal = accepted_joint(iw, status="proposed")
    with pytest.raises(ValidationFailed, match="尚未经各部门确认"):
        joint_register(iw, proposal)


def test_a_department_outside_the_joint_proposal_cannot_use_it(iw):
    proposal = accepted_joint(iw)
    PlanEntry.objects.filter(joint_proposal=proposal, plan__department=iw.world.market_regulation).update(
        joint_proposal=None
    )
    with pytest.raises(ValidationFailed, match="本部门不在该联合检查之中"):
        joint_register(iw, proposal)


def test_the_preview_lists_the_accepted_joint_inspection(iw):
    proposal = accepted_joint(iw)
    preview = registration_preview(iw.world.enterprise_a, actor=iw.world.inspector_emergency)
    assert preview.joint_proposals == [proposal]
