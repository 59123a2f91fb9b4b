"""Background work of the case engine."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from yancheng.core.jobs import register_periodic


@task()
def escalation_tick_task() -> int:
    from .escalation import escalation_tick

    return escalation_tick().total


@task()
def revisit_task() -> int:
    from .escalation import send_revisits

    return len(send_revisits())


def recompute_provisional(year: int) -> int:
    """After a year's holidays are imported, recompute the deadlines that were provisional."""
    from django.db import transaction

    from .clocks import policy_for, set_clocks
    from .models import Case

    count = 0
    for pk in Case.objects.filter(deadlines_provisional=True, clock_started_at__isnull=False).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            fields = set_clocks(case, policy_for(case.kind, case.urgency))
            case.version += 1
            case.save(update_fields=[*fields, "version", "updated_at"])
            count += 1
    return count


def register() -> None:
    from yancheng.core.calendar import register_provisional_recompute

    register_periodic("cases.escalation_tick", every=timedelta(minutes=30), task=escalation_tick_task)
    register_periodic("cases.revisit", every=timedelta(hours=1), task=revisit_task)
    register_provisional_recompute(recompute_provisional)
