"""Provisional deadlines: a clock that ran into a year without its holiday table got
weekend-only deadlines; once the year is imported they are computed again, each case in
its own transaction with its audit record."""

from __future__ import annotations

from django.db import transaction

from yancheng.core.audit.services import audit_batch, audit_record

from .clocks import policy_for, set_clocks
from .models import Case


def case_deadlines_recompute_provisional(year: int) -> int:
    """Recompute every provisional deadline (whatever year it falls in: the import of
    ``year`` may settle days a clock counted across); returns how many cases changed."""
    count = 0
    for pk in Case.objects.filter(deadlines_provisional=True, clock_started_at__isnull=False).values_list(
        "pk", flat=True
    ):
        with transaction.atomic(), audit_batch():
            case = Case.objects.select_for_update().get(pk=pk)
            fields = set_clocks(case, policy_for(case.kind, case.urgency))
            before = Case.objects.filter(pk=pk).values(*fields).get()
            case.version += 1
            case.save(update_fields=[*fields, "version", "updated_at"])
            audit_record(
                "case.deadlines_recomputed",
                case,
                before=before,
                after={**{name: getattr(case, name) for name in fields}, "holiday_year": year},
            )
            count += 1
    return count
