"""The hazard's stage table and its guards, without a database."""

from types import SimpleNamespace

import pytest

from yancheng.safety.models import HazardStage
from yancheng.safety.workflow import MOVES, HazardStanding, allowed, allowed_actions

SUPERVISOR = HazardStanding(is_supervisor=True)
ENTERPRISE = HazardStanding(is_rectifier=True, is_enterprise=True)


def hazard(stage: str) -> SimpleNamespace:
    return SimpleNamespace(stage=stage)


def test_a_reported_hazard_is_accepted_or_rejected_by_the_supervising_department_only():
    assert allowed_actions(hazard(HazardStage.REPORTED), SUPERVISOR) == ["accept", "reject", "complete_report", "reclassify"]
    assert allowed_actions(hazard(HazardStage.REPORTED), ENTERPRISE) == ["complete_report"]


def test_the_enterprise_submits_its_evidence_and_never_closes_its_own_hazard():
    awaiting = hazard(HazardStage.AWAITING_VERIFICATION)
    assert allowed(hazard(HazardStage.RECTIFYING), "submit_evidence", ENTERPRISE)
    assert not allowed(awaiting, "verify", ENTERPRISE)
    # Even an enterprise user who somehow supervised could not: enterprises never verify.
    assert not allowed(awaiting, "verify", HazardStanding(is_supervisor=True, is_enterprise=True))


def test_the_person_who_submitted_the_evidence_cannot_verify_it():
    awaiting = hazard(HazardStage.AWAITING_VERIFICATION)
    submitter = HazardStanding(is_supervisor=True, is_rectifier=True, submitted_pending_evidence=True)
    assert not allowed(awaiting, "verify", submitter)
    assert not allowed(awaiting, "send_back", submitter)
    assert allowed(awaiting, "verify", SUPERVISOR)
    assert allowed(awaiting, "send_back", SUPERVISOR)


@pytest.mark.parametrize("stage", [HazardStage.CLOSED, HazardStage.REJECTED])
def test_nothing_moves_a_closed_or_rejected_hazard(stage):
    everyone = HazardStanding(is_supervisor=True, is_rectifier=True)
    assert allowed_actions(hazard(stage), everyone) == []


def test_every_move_ends_in_a_stage_or_keeps_it():
    for move in MOVES.values():
        assert move.target is None or move.target in HazardStage.values
        assert all(source in HazardStage.values for source in move.sources)
