"""Inspection registrations (企业赋码保护: 2,000,000 at province scale) — the next stage to
write, once the inspections app's services settle: fill ``run`` the way the other stages
do (rows as the registration service leaves them, in Batches) and let ``enabled`` answer
True. Until then the generator reports it as skipped."""

from __future__ import annotations

from typing import Any

from .base import Context, Stage


class InspectionStage(Stage):
    name = "inspections"
    tables = ()

    def enabled(self, ctx: Context) -> bool:
        return False

    def planned(self, ctx: Context) -> int:
        return ctx.scale.inspections

    def run(self, ctx: Context, marks: dict[str, Any]) -> int:  # pragma: no cover - not written yet
        raise NotImplementedError("inspection registrations are a later step")
