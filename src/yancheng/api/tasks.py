"""Background tasks of the API."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from yancheng.core.jobs import register_periodic


@task()
def idempotency_prune_task() -> int:
    """Forget idempotency records older than 24 hours (hourly)."""
    from .idempotency import idempotency_prune

    return idempotency_prune()


def register() -> None:
    register_periodic("api.idempotency_prune", every=timedelta(hours=1), task=idempotency_prune_task)
