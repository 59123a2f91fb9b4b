"""Password validators required by 等保 level 3 (filled in by the security work)."""

from __future__ import annotations

from typing import Any


class _NoOp:
    def validate(self, password: str, user: Any = None) -> None:
        return None

    def get_help_text(self) -> str:
        return ""


class CharacterClassValidator(_NoOp):
    pass


class ContextWordValidator(_NoOp):
    pass


class MaximumLengthValidator(_NoOp):
    pass
