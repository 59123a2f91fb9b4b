"""Background tasks of core (django-tasks; run by `yancheng worker`)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from .jobs import register_periodic


@task()
def audit_checkpoint_task() -> int | None:
    """Sign the head of the audit chain (daily), so a cut-off tail is detectable."""
    from .audit.services import audit_checkpoint_create

    checkpoint = audit_checkpoint_create()
    return checkpoint.seq if checkpoint is not None else None


def register() -> None:
    register_periodic("audit.checkpoint", every=timedelta(days=1), task=audit_checkpoint_task)
