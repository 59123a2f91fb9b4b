"""Background tasks of notifications (django-tasks; run by `yancheng worker`) and how
deliveries are put on the queue: with the change that asks for them, again when a failed
attempt falls due, and by the periodic job that picks up what is due and not queued."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from yancheng.core.jobs import register_periodic
from yancheng.core.tasks import enqueue_in_transaction

from .models import Delivery
from .sending import delivery_attempt

logger = logging.getLogger("yancheng.notifications")

# A task queued this long ago whose delivery is still waiting was lost: queue another.
STALE_QUEUE = timedelta(hours=1)


@task()
def deliver(delivery_id: int) -> str:
    """Make one attempt at one delivery (email, group robot or SMS). A failed attempt is
    queued again for its next try where the queue can defer a task."""
    requeue = _requeue_later if deliver.get_backend().supports_defer else None
    return delivery_attempt(delivery_id, requeue=requeue)


def _requeue_later(delivery_id: int, when: datetime | None) -> None:
    enqueue_deliveries([delivery_id], run_after=when)


@task()
def retry_due_deliveries() -> int:
    """Queue the deliveries whose next attempt is due (every five minutes)."""
    return deliveries_retry_due()


def register() -> None:
    register_periodic("notifications.retry", every=timedelta(minutes=5), task=retry_due_deliveries)


def queue_deliveries(ids: list[int]) -> None:
    """Queue one task per delivery with the caller's transaction: in it when the task queue
    is a table of the same database (one INSERT, committed with the deliveries), else on
    commit (nothing is sent for a change that was rolled back)."""
    if not enqueue_in_transaction(deliver, [(pk,) for pk in ids]):
        transaction.on_commit(lambda: enqueue_deliveries(ids))


def enqueue_deliveries(ids: list[int], *, run_after: datetime | None = None) -> None:
    """Put one task per delivery on the queue (called on commit)."""
    task = deliver.using(run_after=run_after) if run_after is not None else deliver
    for pk in ids:
        try:
            task.enqueue(pk)
        except Exception:
            # The periodic retry job picks it up once the queue works again.
            logger.exception("could not queue delivery %s", pk)
            Delivery.objects.filter(pk=pk).update(enqueued_at=None)


def due_deliveries(now: datetime) -> Any:
    """Deliveries waiting for an attempt that is due, held by no worker and with no task
    on the queue (or one queued so long ago that it was evidently lost)."""
    stale = now - STALE_QUEUE
    return Delivery.objects.filter(
        Q(status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED]),
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now),
        Q(enqueued_at__isnull=True)
        | (Q(enqueued_at__lt=stale) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=stale))),
    )


def deliveries_retry_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Queue a task for every due delivery, once (the periodic job `notifications.retry`)."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(due_deliveries(now).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        if not ids:
            return 0
        # Re-check the condition in the UPDATE: a concurrent run takes the others.
        due_deliveries(now).filter(pk__in=ids).update(enqueued_at=now)
        transaction.on_commit(lambda: enqueue_deliveries(ids))
    return len(ids)
