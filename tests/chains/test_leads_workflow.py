"""The lead stage table (pure)."""

import pytest

from yancheng.chains import leads_workflow as flow
from yancheng.chains.models import LeadStage as L

OFFICE = flow.LeadStanding(is_office=True)
OWNER = flow.LeadStanding(is_owner=True)
NOBODY = flow.LeadStanding()


@pytest.mark.parametrize(("stage", "target"), [
    (L.CONTACT, L.NEGOTIATING), (L.NEGOTIATING, L.SIGNED), (L.SIGNED, L.LANDED), (L.LANDED, None), (L.DROPPED, None),
])
def test_advance_goes_one_stage_forward(stage, target):
    assert flow.target_of(stage, "advance") == target


@pytest.mark.parametrize(("stage", "target"), [
    (L.CONTACT, L.DROPPED), (L.NEGOTIATING, L.DROPPED), (L.SIGNED, L.DROPPED), (L.LANDED, None), (L.DROPPED, None),
])
def test_a_lead_is_dropped_from_any_open_stage(stage, target):
    assert flow.target_of(stage, "drop") == target


def test_reopen_goes_back_to_contact_or_negotiation_only_from_dropped():
    assert flow.target_of(L.DROPPED, "reopen") == L.CONTACT
    assert flow.target_of(L.DROPPED, "reopen", L.NEGOTIATING) == L.NEGOTIATING
    assert flow.target_of(L.DROPPED, "reopen", L.SIGNED) is None
    assert flow.target_of(L.CONTACT, "reopen") is None


@pytest.mark.parametrize(("stage", "target"), [
    (L.CONTACT, None), (L.NEGOTIATING, L.CONTACT), (L.SIGNED, L.NEGOTIATING), (L.LANDED, L.SIGNED), (L.DROPPED, None),
])
def test_a_correction_goes_back_one_step(stage, target):
    assert flow.target_of(stage, "correct") == target


def test_a_converted_lead_is_neither_dropped_nor_corrected_below_signed():
    assert flow.target_of(L.SIGNED, "drop", converted=True) is None
    assert flow.target_of(L.SIGNED, "correct", converted=True) is None
    assert flow.target_of(L.LANDED, "correct", converted=True) == L.SIGNED
    assert flow.target_of(L.SIGNED, "advance", converted=True) == L.LANDED


def test_the_owner_unit_only_advances_and_the_office_does_everything():
    assert flow.allowed_actions(L.NEGOTIATING, OWNER) == ["advance"]
    assert flow.allowed_actions(L.NEGOTIATING, OFFICE) == ["advance", "drop", "correct"]
    assert flow.allowed_actions(L.DROPPED, OFFICE) == ["reopen"]
    assert flow.allowed_actions(L.DROPPED, OWNER) == []
    assert flow.allowed_actions(L.CONTACT, NOBODY) == []
