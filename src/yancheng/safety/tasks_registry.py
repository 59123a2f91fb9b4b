"""Background work of the registry family: the daily coverage refresh (by industry code)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from yancheng.core.jobs import register_periodic


@task()
def coverage_refresh_task() -> int:
    from .services.coverage import coverage_refresh

    result = coverage_refresh(actor=None)
    return result.added + result.removed


def register() -> None:
    register_periodic("safety.coverage_refresh", every=timedelta(days=1), task=coverage_refresh_task)
