"""Background work of the safety module."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from yancheng.core.jobs import register_periodic


@task()
def check_tasks_generate_task() -> int:
    from .services.checks_generation import generate_current_month

    return generate_current_month().created


def register() -> None:
    register_periodic("safety.check_tasks_generate", every=timedelta(days=1), task=check_tasks_generate_task)
