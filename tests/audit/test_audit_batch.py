"""audit_batch(): the records a service writes in one transaction are appended together
(one chain lock, one read of the head, one INSERT) — the same records, in the same order,
chained and verifiable exactly as if each had been appended on its own."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from yancheng.core.audit.models import AuditEvent
from yancheng.core.audit.services import audit_batch, audit_record
from yancheng.core.audit.verify import verify_chain

from .conftest import head_seq


def _actions_after(seq: int) -> list[str]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values_list("action", flat=True))


def test_the_records_of_a_batch_are_appended_together_in_order_when_it_ends(world):
    start = head_seq()
    with transaction.atomic(), audit_batch():
        first = audit_record("test.first", world.enterprise_a, actor=world.dispatcher, after={"n": 1})
        audit_record("test.second", world.enterprise_b, actor=world.dispatcher, after={"n": 2})
        assert head_seq() == start  # nothing written yet
        with CaptureQueriesContext(connection) as captured:
            audit_record("test.third", actor=world.dispatcher)
        assert captured.captured_queries == []
    assert _actions_after(start) == ["test.first", "test.second", "test.third"]
    assert first.seq == start + 1 and first.pk is not None
    assert AuditEvent.objects.get(seq=start + 1).hash == first.hash
    assert verify_chain().ok


def test_a_batch_costs_one_lock_one_head_read_and_one_insert(world):
    with transaction.atomic(), CaptureQueriesContext(connection) as captured, audit_batch():
        for n in range(5):
            audit_record("test.many", actor=world.dispatcher, after={"n": n})
    statements = [q["sql"] for q in captured.captured_queries]
    assert sum("audit_auditevent" in s and s.startswith("INSERT") for s in statements) == 1
    assert sum("audit_auditevent" in s and s.startswith("SELECT") for s in statements) == 1
    assert sum("pg_advisory_xact_lock" in s for s in statements) == (1 if connection.vendor == "postgresql" else 0)
    assert verify_chain().ok


def test_nothing_is_appended_when_the_block_fails(world):
    start = head_seq()
    with pytest.raises(RuntimeError), transaction.atomic(), audit_batch():
        audit_record("test.lost", actor=world.dispatcher)
        raise RuntimeError("the change failed")
    assert head_seq() == start


def test_a_record_inside_a_savepoint_is_appended_at_once_and_rolls_back_alone(world):
    start = head_seq()
    with transaction.atomic(), audit_batch():
        audit_record("test.kept_before", actor=world.dispatcher)
        with pytest.raises(RuntimeError), transaction.atomic():
            audit_record("test.rolled_back", actor=world.dispatcher)
            raise RuntimeError("this part failed")
        with transaction.atomic():
            audit_record("test.inside_released_savepoint", actor=world.dispatcher)
        audit_record("test.kept_after", actor=world.dispatcher)
    # Appended at once (inside its savepoint), the third record comes before the batch's.
    assert _actions_after(start) == ["test.inside_released_savepoint", "test.kept_before", "test.kept_after"]
    assert verify_chain().ok


def test_outside_a_transaction_a_batch_changes_nothing(world, transactional_db):
    start = head_seq()
    with audit_batch():
        audit_record("test.at_once", actor=world.dispatcher)
        assert head_seq() == start + 1
    assert _actions_after(start) == ["test.at_once"]


def test_the_checkpoint_falling_inside_a_batch_is_signed(world, settings):
    from yancheng.core.audit.models import AuditCheckpoint

    settings.YANCHENG_AUDIT_CHECKPOINT_EVERY = 3
    start = head_seq()
    with transaction.atomic(), audit_batch():
        for n in range(4):
            audit_record("test.many", actor=world.dispatcher, after={"n": n})
    due = [seq for seq in range(start + 1, start + 5) if seq % 3 == 0]
    assert sorted(AuditCheckpoint.objects.filter(seq__in=due).values_list("seq", flat=True)) == due
    assert verify_chain().ok
