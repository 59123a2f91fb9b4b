"""Background tasks of core (django-tasks; run by `yancheng worker`), and how services put
tasks on the queue together with their change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, router
from django_tasks import task

from .jobs import SCHEDULER_TICK_SECONDS, register_periodic


@task(priority=50)
def audit_checkpoint_task() -> int | None:
    """Sign the head of the audit chain when new records arrived since the last checkpoint
    (nothing otherwise), so records appended or cut after it are detectable (SPEC §2.4).
    Ahead of other tasks in the queue (priority): the interval is a promise."""
    from .audit.services import audit_checkpoint_create

    checkpoint = audit_checkpoint_create()
    return checkpoint.seq if checkpoint is not None else None


def audit_checkpoint_every() -> timedelta:
    """The job's interval: YANCHENG_AUDIT_CHECKPOINT_SECONDS less two scheduler ticks, so a
    record waits at most that long for its checkpoint (a tick to be enqueued, the worker's
    poll to start it)."""
    from django.conf import settings

    seconds = int(getattr(settings, "YANCHENG_AUDIT_CHECKPOINT_SECONDS", 60))
    return timedelta(seconds=max(SCHEDULER_TICK_SECONDS, seconds - 2 * SCHEDULER_TICK_SECONDS))


def register() -> None:
    register_periodic("audit.checkpoint", every=audit_checkpoint_every(), task=audit_checkpoint_task)


def enqueue_in_transaction(queued: Any, calls: Sequence[tuple[Any, ...]], *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Queue ``queued`` (a django-tasks Task) once per argument tuple in ``calls`` inside
    the caller's open transaction on ``using``, in one INSERT, when the queue is a table of
    that same database (``django_tasks_db.DatabaseBackend``): the tasks then commit or roll
    back with the change that asked for them (no task for a rolled-back change, no change
    without its task) and cost no commit of their own.

    Returns False, queuing nothing, for any other backend (a broker, or the immediate
    backend of the tests, which would run the task before the change is visible) or
    outside a transaction: the caller then queues on commit as before."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import normalize_json, task_enqueued
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend = queued.get_backend()
    if not isinstance(backend, DatabaseBackend) or not connections[using].in_atomic_block:
        return False
    if router.db_for_write(DBTaskResult) != using:
        return False
    if not calls:
        return True
    backend.validate_task(queued)
    # What DatabaseBackend.enqueue writes for one call (its pre_save handler turns a
    # missing run_after into "whenever"; bulk_create sends no pre_save, so it is done here).
    rows = DBTaskResult.objects.using(using).bulk_create(
        [
            DBTaskResult(
                id=backend._get_id(),
                args_kwargs=normalize_json({"args": list(args), "kwargs": {}}),
                priority=queued.priority,
                task_path=queued.module_path,
                queue_name=queued.queue_name,
                run_after=queued.run_after if queued.run_after is not None else get_date_max(),
                backend_name=backend.alias,
            )
            for args in calls
        ]
    )
    for row in rows:
        task_enqueued.send(type(backend), task_result=row.task_result)
    return True
