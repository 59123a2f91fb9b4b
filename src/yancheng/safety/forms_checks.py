"""The checklist form of a check: for each item ``outcome_<id>`` (符合/不符合/不适用),
``note_<id>``, and for a failed item ``hazard_<id>`` (上报隐患) with ``level_<id>`` and
``desc_<id>``. The service checks every value; this only reads them and, on a redisplay,
keeps what was entered."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .models import CheckOutcome, HazardLevel, SystemChecklistItem
from .services.checks import ItemResult


def parse_results(data: Mapping[str, str], items: Sequence[SystemChecklistItem]) -> list[ItemResult]:
    results = []
    for item in items:
        outcome = (data.get(f"outcome_{item.pk}") or "").strip()
        if not outcome:
            continue
        report = data.get(f"hazard_{item.pk}") == "1" and outcome == CheckOutcome.FAIL
        level = (data.get(f"level_{item.pk}") or "").strip() if report else ""
        if report and not level:
            level = HazardLevel.MAJOR if item.is_major_criterion else HazardLevel.GENERAL
        results.append(ItemResult(
            item_id=item.pk, outcome=outcome, note=data.get(f"note_{item.pk}") or "",
            hazard_level=level, hazard_description=(data.get(f"desc_{item.pk}") or "") if report else "",
        ))
    return results


@dataclass(frozen=True)
class Row:
    item: SystemChecklistItem
    outcome: str
    note: str
    report: bool
    level: str
    description: str


def checklist_rows(items: Sequence[SystemChecklistItem], data: Mapping[str, str] | None) -> list[Row]:
    """The form's rows; a failed 重大事故隐患判定项 proposes 重大."""
    data = data or {}
    return [
        Row(item=item, outcome=data.get(f"outcome_{item.pk}") or "", note=data.get(f"note_{item.pk}") or "",
            report=data.get(f"hazard_{item.pk}") == "1",
            level=data.get(f"level_{item.pk}") or (HazardLevel.MAJOR if item.is_major_criterion else HazardLevel.GENERAL),
            description=data.get(f"desc_{item.pk}") or "")
        for item in items
    ]
