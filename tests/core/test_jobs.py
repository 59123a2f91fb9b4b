"""Periodic jobs and the database task worker."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from yancheng.core.audit.models import AuditCheckpoint, AuditEvent
from yancheng.core.jobs import enqueue_due_jobs, registered_jobs
from yancheng.core.models import PeriodicJobRun

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_core_and_api_register_their_periodic_jobs():
    names = {job.name for job in registered_jobs()}
    assert {"audit.checkpoint", "api.idempotency_prune"} <= names


@pytest.mark.django_db(transaction=True)
def test_a_due_job_is_enqueued_once_however_often_the_scheduler_runs(world):
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DB_TASKS):
        now = timezone.now()
        first = enqueue_due_jobs(now)
        again = enqueue_due_jobs(now + timedelta(minutes=5))
        # An hourly job (the audit checkpoint now comes round every 40 s: tests/audit).
        assert "api.idempotency_prune" in first
        assert "api.idempotency_prune" not in again
        assert DBTaskResult.objects.filter(task_path__endswith="idempotency_prune_task").count() == 1
        next_day = enqueue_due_jobs(now + timedelta(days=1, minutes=1))
        assert "api.idempotency_prune" in next_day
        assert PeriodicJobRun.objects.get(name="api.idempotency_prune").last_enqueued_at == now + timedelta(
            days=1, minutes=1
        )


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_queued_tasks_from_the_database(world):
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DB_TASKS):
        before = AuditCheckpoint.objects.count()
        call_command("worker", "--batch")
        # The periodic checkpoint ran, and the worker signed the head again as it stopped
        # (the other jobs may have appended records after the first).
        assert AuditCheckpoint.objects.count() > before
        head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
        assert AuditCheckpoint.objects.order_by("-seq").values_list("seq", flat=True).first() == head
        assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
