"""Background tasks of notifications (django-tasks; run by `yancheng worker`)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from yancheng.core.jobs import register_periodic


@task()
def deliver(delivery_id: int) -> str:
    """Make one attempt at one delivery (email, group robot or SMS)."""
    from .services import delivery_attempt

    return delivery_attempt(delivery_id)


@task()
def retry_due_deliveries() -> int:
    """Queue the deliveries whose next attempt is due (every five minutes)."""
    from .services import deliveries_retry_due

    return deliveries_retry_due()


def register() -> None:
    register_periodic("notifications.retry", every=timedelta(minutes=5), task=retry_due_deliveries)
