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
    """After a year's holidays are imported, recompute the deadlines that were provisional
    (the audited service; registered with the calendar below)."""
    from .provisional import case_deadlines_recompute_provisional

    return case_deadlines_recompute_provisional(year)


def register() -> None:
    from yancheng.core.calendar.services import register_provisional_recompute

    register_periodic("cases.escalation_tick", every=timedelta(minutes=30), task=escalation_tick_task)
    register_periodic("cases.revisit", every=timedelta(hours=1), task=revisit_task)
    register_provisional_recompute(recompute_provisional)
