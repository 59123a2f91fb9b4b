"""The named checks `inspection_register` runs (issue 11 §4), one by one: each refuses what
its rule forbids with the field to blame, and records warnings and alerts only when its
rule says so. The full registration is tested in test_registration.py."""

from __future__ import annotations

import pytest

from yancheng.core.errors import PermissionDeniedError, ValidationFailed
from yancheng.core.models import Enterprise
from yancheng.inspections.models import InspectionAlert, InspectionKind, InspectionPolicy
from yancheng.inspections.registration.checks import (
    Findings,
    check_actor,
    check_basis,
    check_exemption,
    check_grade_a,
    check_kind,
)


@pytest.mark.parametrize("persona", ["enterprise_a_user", "clerk_market", "supervisor"])
def test_only_a_licensed_inspector_passes_the_actor_check(iw, persona):
    with pytest.raises(PermissionDeniedError):
        check_actor(getattr(iw.world, persona), iw.world.enterprise_a)
    with pytest.raises(PermissionDeniedError):
        check_actor(None, iw.world.enterprise_a)
    assert check_actor(iw.world.inspector, iw.world.enterprise_a).department_id == iw.world.market_regulation.pk


def test_an_unknown_kind_is_refused_on_the_kind_field():
    with pytest.raises(ValidationFailed) as caught:
        check_kind("raid")
    assert caught.value.field == "kind"
    check_kind(InspectionKind.VISIT)


def test_an_enforcement_inspection_needs_items_and_a_plan_or_a_reason(iw):
    args = {"kind": InspectionKind.ENFORCEMENT, "purpose": "research", "legal_basis": " ", "entry": None,
            "joint": None}
    with pytest.raises(ValidationFailed) as caught:
        check_basis(outside_plan_reason="complaint", checked=[], **args)
    assert caught.value.field == "items"
    with pytest.raises(ValidationFailed) as caught:
        check_basis(outside_plan_reason="", checked=[iw.food], **args)
    assert caught.value.field == "outside_plan_reason"
    with pytest.raises(ValidationFailed):
        check_basis(outside_plan_reason="whim", checked=[iw.food], **args)
    purpose, basis, reason = check_basis(outside_plan_reason="complaint", checked=[iw.food], **args)
    assert (purpose, basis, reason) == ("", iw.food.legal_basis, "complaint")


def test_a_visit_needs_a_purpose():
    with pytest.raises(ValidationFailed) as caught:
        check_basis(InspectionKind.VISIT, "", "", "", [], None, None)
    assert caught.value.field == "purpose"
    assert check_basis(InspectionKind.VISIT, "research", "", "", [], None, None) == ("research", "", "")


def test_an_exemption_needs_its_evidence(iw):
    found = Findings()
    with pytest.raises(ValidationFailed) as caught:
        check_exemption(iw.complaint_reason, "  ", found)
    assert caught.value.field == "exemption_evidence"
    assert check_exemption(None, "ignored", found) == (None, "")
    assert check_exemption(iw.complaint_reason, " 12345-001 ", found) == (iw.complaint_reason, "12345-001")
    assert found.warnings == [] and found.alerts == []


def test_a_proactive_inspection_of_a_grade_a_enterprise_is_refused_or_alerted_by_the_policy(iw):
    grade_a = Enterprise(name="甲", grade=Enterprise.Grade.A)
    lead = iw.world.market_regulation
    found = Findings()
    with pytest.raises(ValidationFailed) as caught:
        check_grade_a(grade_a, InspectionKind.ENFORCEMENT, None, "", InspectionPolicy(grade_a_proactive="refuse"),
                      lead, found)
    assert caught.value.code == "grade_a"
    # A complaint is not proactive; a visit is not an inspection: nothing to say.
    check_grade_a(grade_a, InspectionKind.ENFORCEMENT, None, "complaint", InspectionPolicy(), lead, found)
    check_grade_a(grade_a, InspectionKind.VISIT, None, "", InspectionPolicy(), lead, found)
    assert found.alerts == []
    check_grade_a(grade_a, InspectionKind.ENFORCEMENT, None, "", InspectionPolicy(grade_a_proactive="alert"),
                  lead, found)
    assert [n.code for n in found.warnings] == ["grade_a"]
    assert [(kind, extra["department"]) for kind, _n, extra in found.alerts] == [(InspectionAlert.Kind.GRADE_A, lead)]
