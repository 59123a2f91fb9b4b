"""Background work of the petitions module."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from yancheng.core.jobs import register_periodic


@task()
def close_expired_task() -> int:
    from .reviews import petition_close_expired

    return petition_close_expired()


def register() -> None:
    register_periodic("petitions.close_expired", every=timedelta(hours=6), task=close_expired_task)
