"""A 招商 lead's stages (pure: no database). This table says which step moves a lead from which
stage to which, and who may take it; ``services/leads.py`` applies it.

    接触 ──推进──▶ 洽谈 ──推进──▶ 签约 ──推进──▶ 落地
      │  ◀──更正──   │  ◀──更正──   │  ◀──更正──
      └──────────────┴──────────────┴──终止（须写原因）──▶ 终止 ──重新激活──▶ 接触 / 洽谈

- 推进 (``advance``): one stage forward; the chain's office and the owner unit's staff.
- 终止 (``drop``): from any open stage (接触, 洽谈, 签约), with a reason; the office only.
- 重新激活 (``reopen``): a dropped lead back to 接触 or 洽谈; the office only.
- 更正 (``correct``): one stage back (a stage entered by mistake), with a note; the office only.

A lead converted into a project (``lead.project``) is followed in ``projects`` from then on:
it is neither dropped nor corrected below 签约."""

from __future__ import annotations

from dataclasses import dataclass

from .models.leads import LeadStage

L = LeadStage

FORWARD: tuple[str, ...] = (L.CONTACT, L.NEGOTIATING, L.SIGNED, L.LANDED)
OPEN: tuple[str, ...] = (L.CONTACT, L.NEGOTIATING, L.SIGNED)
CLOSED: tuple[str, ...] = (L.LANDED, L.DROPPED)
REOPEN_TO: tuple[str, ...] = (L.CONTACT, L.NEGOTIATING)
ACTIONS: tuple[str, ...] = ("advance", "drop", "reopen", "correct")


@dataclass(frozen=True)
class LeadStanding:
    """What the user is to this lead, computed from the database by ``permissions``."""

    is_office: bool = False  # the chain's own office (链办)
    is_owner: bool = False  # staff of the lead's owner unit (责任单位)


def next_stage(stage: str) -> str | None:
    """The stage ``advance`` leads to, or None at the end (or from 终止)."""
    if stage not in FORWARD or stage == FORWARD[-1]:
        return None
    return FORWARD[FORWARD.index(stage) + 1]


def previous_stage(stage: str) -> str | None:
    """The stage ``correct`` goes back to, or None from 接触 (or 终止)."""
    if stage not in FORWARD or stage == FORWARD[0]:
        return None
    return FORWARD[FORWARD.index(stage) - 1]


def target_of(stage: str, action: str, to: str | None = None, *, converted: bool = False) -> str | None:
    """The stage ``action`` moves a lead in ``stage`` to (``to`` chooses where ``reopen``
    goes), or None when the table does not allow it."""
    if action == "advance":
        return next_stage(stage)
    if action == "drop":
        return L.DROPPED if stage in OPEN and not converted else None
    if action == "reopen":
        if stage != L.DROPPED:
            return None
        chosen = to or L.CONTACT
        return chosen if chosen in REOPEN_TO else None
    if action == "correct":
        back = previous_stage(stage)
        if back is None or (converted and FORWARD.index(back) < FORWARD.index(L.SIGNED)):
            return None
        return back
    return None


def may(action: str, standing: LeadStanding) -> bool:
    """Who may take the step (whatever the stage)."""
    if action == "advance":
        return standing.is_office or standing.is_owner
    return action in ACTIONS and standing.is_office


def allowed_actions(stage: str, standing: LeadStanding, *, converted: bool = False) -> list[str]:
    return [a for a in ACTIONS if may(a, standing) and target_of(stage, a, converted=converted) is not None]
