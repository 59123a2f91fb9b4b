"""The project stage machine (SPEC §3): 在谈 → 签约 → 落地开工 → 在建实施 → 竣工 → 达产.

A project advances one stage at a time, recording the day it got there; going back to an
earlier stage is a correction of a wrong record (the service asks for a note and clears the
dates of the stages undone). Pure functions over stage values — testable without a
database, used by ``services.registry.project_advance`` and by the project page to show the
stage form only to those who may use it."""

from __future__ import annotations

import itertools
from enum import StrEnum

from .models import STAGE_ORDER, Stage

# The date field each stage sets when a project reaches it (在建实施 continues from 开工).
STAGE_DATE_FIELD: dict[str, str | None] = {
    Stage.NEGOTIATING: None,
    Stage.SIGNED: "signed_on",
    Stage.STARTED: "started_on",
    Stage.CONSTRUCTION: None,
    Stage.COMPLETED: "completed_on",
    Stage.PRODUCING: "producing_on",
}

# The transition table: each stage and the one stage it advances to.
ADVANCES: dict[str, str] = dict(itertools.pairwise(STAGE_ORDER))


class Move(StrEnum):
    """What asking for ``target`` from ``current`` means."""

    ADVANCE = "advance"  # the next stage: a step forward
    CORRECT = "correct"  # an earlier stage: a correction of the record
    SAME = "same"  # refused: the project is already there
    SKIP = "skip"  # refused: stages are not skipped


def next_stage(stage: str) -> str | None:
    return ADVANCES.get(stage)


def can_advance(current: str, target: str) -> bool:
    return ADVANCES.get(current) == target


def can_correct(current: str, target: str) -> bool:
    return target in STAGE_ORDER and current in STAGE_ORDER and STAGE_ORDER.index(target) < STAGE_ORDER.index(current)


def move(current: str, target: str) -> Move:
    """Classify a requested stage change; both stages must be known stages."""
    if target == current:
        return Move.SAME
    if can_advance(current, target):
        return Move.ADVANCE
    if can_correct(current, target):
        return Move.CORRECT
    return Move.SKIP


def allowed_targets(current: str) -> list[str]:
    """The stages a project in ``current`` may be moved to: the next one, or an earlier one."""
    return [s for s in STAGE_ORDER if move(current, s) in {Move.ADVANCE, Move.CORRECT}]


def undone_stages(current: str, target: str) -> list[str]:
    """The stages a correction from ``current`` back to ``target`` undoes (their dates are cleared)."""
    return STAGE_ORDER[STAGE_ORDER.index(target) + 1 : STAGE_ORDER.index(current) + 1]


def can_change_stage(current: str, *, may_change_project: bool) -> bool:
    """May a user press the stage form's button? The right to change the project (a ``rules``
    permission, checked by the caller) and a stage that can move at all."""
    return may_change_project and bool(allowed_targets(current))
