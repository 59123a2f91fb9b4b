"""Concurrent writers on PostgreSQL: appends are serialised, the chain never forks
(security checklist §9: UNIQUE(prev_hash), advisory lock)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.db.models import Count

from yancheng.core.audit.models import AuditEvent
from yancheng.core.audit.services import audit_record
from yancheng.core.audit.verify import verify_chain

THREADS = 8
PER_THREAD = 25


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_writers_leave_one_unbroken_chain(settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has a single writer (BEGIN IMMEDIATE): concurrency is tested on PostgreSQL")
    settings.YANCHENG_AUDIT_CHECKPOINT_EVERY = 40
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(PER_THREAD):
                audit_record("test.concurrent", after={"thread": n, "i": i})
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.count() == THREADS * PER_THREAD
    assert not AuditEvent.objects.values("prev_hash").annotate(n=Count("id")).filter(n__gt=1).exists()
    report = verify_chain()
    assert report.ok, report.summary()
    assert (report.records, report.checkpoints) == (200, 5)
