"""A hazard's stages (pure: no database). The case engine keeps the rectification clock; this
table says which step moves the hazard from which stage, and who may take it.

    待受理 ──受理──▶ 整改中 ──提交整改──▶ 待验收 ──验收销号──▶ 已销号
       │                ▲                  │
       └─不予受理       └──────退回整改─────┘

A 重大隐患 is accepted only with its report complete, and goes 挂牌督办 on acceptance. The
verifier is never the person who submitted the evidence, and never the enterprise itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models.hazards import HazardStage

H = HazardStage


@dataclass(frozen=True)
class Move:
    action: str
    sources: tuple[str, ...]
    target: str | None  # None: the stage does not change


MOVES: dict[str, Move] = {
    m.action: m
    for m in [
        Move("accept", (H.REPORTED,), H.RECTIFYING),
        Move("reject", (H.REPORTED,), H.REJECTED),
        Move("complete_report", (H.REPORTED, H.RECTIFYING), None),
        Move("reclassify", (H.REPORTED, H.RECTIFYING), None),
        Move("submit_evidence", (H.RECTIFYING,), H.AWAITING_VERIFICATION),
        Move("verify", (H.AWAITING_VERIFICATION,), H.CLOSED),
        Move("send_back", (H.AWAITING_VERIFICATION,), H.RECTIFYING),
    ]
}


@dataclass(frozen=True)
class HazardStanding:
    """What the user is to this hazard, computed from the database by ``permissions``."""

    is_supervisor: bool = False  # safety staff or inspector of the supervising department
    is_rectifier: bool = False  # the enterprise's staff (or, without an enterprise, the department)
    is_enterprise: bool = False  # any enterprise user
    submitted_pending_evidence: bool = False  # this user submitted the evidence waiting for verification


GUARDS: dict[str, Callable[[HazardStanding], bool]] = {
    "accept": lambda s: s.is_supervisor,
    "reject": lambda s: s.is_supervisor,
    "complete_report": lambda s: s.is_supervisor or s.is_rectifier,
    "reclassify": lambda s: s.is_supervisor,
    "submit_evidence": lambda s: s.is_rectifier,
    # 销号: someone else, of the supervising department; an enterprise never closes its own hazard.
    "verify": lambda s: s.is_supervisor and not s.is_enterprise and not s.submitted_pending_evidence,
    "send_back": lambda s: s.is_supervisor and not s.is_enterprise and not s.submitted_pending_evidence,
}


def can_move(stage: str, action: str) -> bool:
    move = MOVES.get(action)
    return move is not None and stage in move.sources


def allowed(hazard: Any, action: str, standing: HazardStanding) -> bool:
    return can_move(hazard.stage, action) and GUARDS[action](standing)


def allowed_actions(hazard: Any, standing: HazardStanding) -> list[str]:
    return [action for action in MOVES if allowed(hazard, action, standing)]
