"""The refusal of a checked code or number (统一社会信用代码, 公民身份号码 …)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(eq=False)
class CodeRefused(ValueError):
    """Why a code was refused, in the user's language, with the position that is wrong (1-based).
    Not frozen: Python sets an exception's traceback as it travels (a frozen one became a
    FrozenInstanceError when raised through a @contextmanager); eq=False keeps it hashable."""

    message: str
    code: str
    position: int | None = None

    def __str__(self) -> str:
        return self.message
