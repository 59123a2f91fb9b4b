"""The project stage machine, without a database: the table is the single source of which
stage change is a step forward, a correction, or refused."""

from __future__ import annotations

import pytest

from yancheng.projects.models import STAGE_ORDER, Stage
from yancheng.projects.workflow import (
    ADVANCES,
    STAGE_DATE_FIELD,
    Move,
    allowed_targets,
    can_advance,
    can_change_stage,
    can_correct,
    move,
    next_stage,
    undone_stages,
)

S = Stage


def test_the_table_walks_the_six_stages_in_order_and_ends_at_producing():
    assert ADVANCES == {
        S.NEGOTIATING: S.SIGNED,
        S.SIGNED: S.STARTED,
        S.STARTED: S.CONSTRUCTION,
        S.CONSTRUCTION: S.COMPLETED,
        S.COMPLETED: S.PRODUCING,
    }
    assert next_stage(S.PRODUCING) is None


@pytest.mark.parametrize("current", STAGE_ORDER)
def test_no_stage_may_be_skipped(current):
    index = STAGE_ORDER.index(current)
    for later in STAGE_ORDER[index + 2 :]:
        assert not can_advance(current, later)
        assert not can_correct(current, later)
        assert move(current, later) is Move.SKIP


def test_asking_for_the_current_stage_is_neither_a_step_nor_a_correction():
    for stage in STAGE_ORDER:
        assert move(stage, stage) is Move.SAME
        assert stage not in allowed_targets(stage)


def test_going_back_is_a_correction_and_undoes_the_stages_in_between():
    assert move(S.COMPLETED, S.SIGNED) is Move.CORRECT
    assert not can_advance(S.COMPLETED, S.SIGNED)
    assert undone_stages(S.COMPLETED, S.SIGNED) == [S.STARTED, S.CONSTRUCTION, S.COMPLETED]


def test_the_form_offers_the_next_stage_and_every_earlier_one():
    assert allowed_targets(S.NEGOTIATING) == [S.SIGNED]
    assert allowed_targets(S.CONSTRUCTION) == [S.NEGOTIATING, S.SIGNED, S.STARTED, S.COMPLETED]
    assert allowed_targets(S.PRODUCING) == [S.NEGOTIATING, S.SIGNED, S.STARTED, S.CONSTRUCTION, S.COMPLETED]


def test_unknown_stages_are_never_allowed():
    assert move(S.SIGNED, "built") is Move.SKIP
    assert not can_correct("built", S.SIGNED)
    assert allowed_targets("built") == []
    assert not can_change_stage("built", may_change_project=True)


def test_the_stage_button_needs_the_right_to_change_the_project():
    for stage in STAGE_ORDER:
        assert can_change_stage(stage, may_change_project=True)
        assert not can_change_stage(stage, may_change_project=False)


def test_each_dated_stage_records_its_own_day():
    assert set(STAGE_DATE_FIELD) == set(STAGE_ORDER)
    dated = {stage: field for stage, field in STAGE_DATE_FIELD.items() if field}
    assert dated == {S.SIGNED: "signed_on", S.STARTED: "started_on", S.COMPLETED: "completed_on",
                     S.PRODUCING: "producing_on"}
