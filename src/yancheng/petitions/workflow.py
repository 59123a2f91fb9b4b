"""The matter's stages (SPEC §8) as a pure table: which move takes a petition from which
stage to which. The handling case's own steps (签收, 退回, 延期, 挂起) stay in the case
engine; these are the matter's."""

from __future__ import annotations

from dataclasses import dataclass

from .models import OPEN_STAGES, PetitionType, Stage

S = Stage

# The stages after a written answer (处理意见书) or an end: 稳控 runs from here on.
AFTER_ANSWER: tuple[str, ...] = (S.ANSWERED, S.REVIEWING, S.REVIEWED, S.RECHECKING, S.FINAL, S.CLOSED)


@dataclass(frozen=True)
class Move:
    name: str
    sources: tuple[str, ...]
    target: str | None  # None: the stage does not change


MOVES: dict[str, Move] = {
    m.name: m
    for m in [
        Move("classify", (S.REGISTERED,), None),
        # 第三十一条(一)–(五), a matter outside the 信访 channel, or one refused by the organ.
        Move("not_accept", (S.REGISTERED, S.TRANSFERRED), S.NOT_ACCEPTED),
        # 第三十六条第三款: the same facts after 复核 are not accepted again.
        Move("refuse_again", (S.REGISTERED,), S.NOT_ACCEPTED),
        Move("transfer", (S.REGISTERED,), S.TRANSFERRED),
        Move("reassign", (S.TRANSFERRED,), S.TRANSFERRED),  # an objection upheld (第二十三条)
        Move("accept", (S.TRANSFERRED,), S.ACCEPTED),
        Move("answer", (S.ACCEPTED,), S.ANSWERED),
        Move("request_review", (S.ANSWERED,), S.REVIEWING),
        Move("decide_review", (S.REVIEWING,), S.REVIEWED),
        Move("request_recheck", (S.REVIEWED,), S.RECHECKING),
        Move("decide_recheck", (S.RECHECKING,), S.FINAL),
        # No 复查 asked within 30日, no 复核 asked within 30日, or a matter without reviews
        # (建议意见, 检举控告) answered: the matter leaves the books.
        Move("close", (S.ANSWERED, S.REVIEWED), S.CLOSED),
        # 稳控 (第三十七条): a risk level may be assessed at any stage; follow-up visits and
        # care tasks are planned once the matter is answered, and continue after 终结.
        Move("set_risk", tuple(S.values), None),
        Move("follow_up", AFTER_ANSWER, None),
        # 包案: a leader takes a matter personally at any stage (积案 after 终结 too).
        Move("take_personally", tuple(v for v in S.values if v != S.NOT_ACCEPTED), None),
        # 第二十五条: a matter still being handled is marked 重大紧急 and reported upward.
        Move("mark_urgent", OPEN_STAGES, None),
    ]
}


def can_move(stage: str, move: str) -> bool:
    m = MOVES.get(move)
    return m is not None and stage in m.sources


def target_of(stage: str, move: str) -> str:
    m = MOVES[move]
    return m.target if m.target is not None else stage


def has_reviews(petition_type: str, claim_route: str) -> bool:
    """Only a 申诉求决 matter handled under 第三十一条(六) has a 处理意见书 and its 复查/复核."""
    return petition_type == PetitionType.CLAIM and claim_route == "petition"


def answered_stage(petition_type: str, claim_route: str) -> str:
    """Where an answer leaves the matter: open for 复查 (申诉求决 (六)) or closed."""
    return S.ANSWERED if has_reviews(petition_type, claim_route) else S.CLOSED
