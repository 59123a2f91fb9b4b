"""The audit tables are append-only in the database itself (SPEC §2.4; 等保 8.1.4.3c/d)."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction

from yancheng.core.audit.models import AppendOnlyError, AuditCheckpoint, AuditEvent
from yancheng.core.audit.services import audit_checkpoint_create, audit_record
from yancheng.core.models import Enterprise
from yancheng.core.services import enterprise_create
from yancheng.lib.uscc import complete


def _refused(sql: str, params: list[object] | None = None) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_raw_sql_cannot_update_an_audit_record(world):
    _refused("UPDATE audit_auditevent SET action = 'forged' WHERE seq = 1")
    _refused("UPDATE audit_auditevent SET actor_repr = 'nobody'")
    assert AuditEvent.objects.get(seq=1).action != "forged"


def test_raw_sql_cannot_delete_an_audit_record(world):
    count = AuditEvent.objects.count()
    _refused("DELETE FROM audit_auditevent WHERE seq = 1")
    _refused("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == count


def test_raw_sql_cannot_update_or_delete_a_checkpoint(world):
    checkpoint = audit_checkpoint_create()
    assert checkpoint is not None
    _refused("UPDATE audit_auditcheckpoint SET hash = 'x' WHERE seq = %s", [checkpoint.seq])
    _refused("DELETE FROM audit_auditcheckpoint")
    assert AuditCheckpoint.objects.get(seq=checkpoint.seq).hash == checkpoint.hash


def test_postgresql_refuses_to_truncate_the_audit_tables(world, postgres_only):
    _refused("TRUNCATE audit_auditevent")
    audit_checkpoint_create()
    _refused("TRUNCATE audit_auditcheckpoint")


def test_setting_the_archive_flag_does_not_allow_updates(world, postgres_only):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL yancheng.audit_archive = 'on'")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute("UPDATE audit_auditevent SET action = 'forged' WHERE seq = 1")


def test_orm_save_of_an_existing_record_raises(world):
    event = AuditEvent.objects.get(seq=1)
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_orm_bulk_update_and_delete_raise(world):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=1).update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditCheckpoint.objects.all().delete()
    assert AuditEvent.objects.get(seq=1).action != "forged"


def test_a_failing_audit_insert_rolls_back_the_business_change(world, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise DatabaseError("audit storage unavailable")

    monkeypatch.setattr(AuditEvent, "save", broken_save)
    uscc = complete("91430426MA4L0000C")
    with pytest.raises(DatabaseError):
        enterprise_create(uscc=uscc, name="不应留下的企业", region=world.qidong, actor=world.system_admin)
    assert not Enterprise.objects.filter(uscc=uscc).exists()


def test_every_record_links_to_the_one_before(world):
    audit_record("test.ping", actor=world.dispatcher)
    rows = list(AuditEvent.objects.order_by("seq").values_list("seq", "prev_hash", "hash"))
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    for (_, _, previous), (_, prev_hash, _) in itertools.pairwise(rows):
        assert prev_hash == previous


def test_flushing_a_real_database_does_not_wipe_the_audit_trail(world, settings):
    settings.YANCHENG_ENV = "production"
    count = AuditEvent.objects.count()
    with pytest.raises(CommandError):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == count


@pytest.mark.django_db(transaction=True)
def test_test_databases_are_still_flushed_between_transactional_tests():
    # The assertion is the teardown: Django flushes the database after this test, which
    # would fail on the append-only triggers if the test-only purge did not run first.
    audit_record("test.transactional")
    audit_checkpoint_create()
    assert AuditEvent.objects.count() == 1


INSERT_RECORD = (
    "INSERT INTO audit_auditevent (seq, ts, action, object_type, object_id, prev_hash, hash, actor_repr,"
    " organisation_repr, object_repr, ip, request_id, outcome)"
    " VALUES (%s, %s, 'forged', '', '', %s, %s, '', '', '', '', '', 'success')"
)


def _insert_copy_of(event: AuditEvent, *, prev_hash: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(INSERT_RECORD, [10**9, event.ts, prev_hash, "e" * 64])


def test_the_chain_cannot_fork(world):
    """UNIQUE(prev_hash) holds in the database (a constraint without the LIKE-pattern index
    a unique CharField would bring on PostgreSQL)."""
    head = AuditEvent.objects.order_by("-seq").first()
    assert head is not None
    with pytest.raises(IntegrityError):
        _insert_copy_of(head, prev_hash=head.prev_hash)
    assert not AuditEvent.objects.filter(action="forged").exists()


def test_the_audit_table_carries_only_the_indexes_its_queries_use(db, postgres_only):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'audit_auditevent'")
        definitions = [row[0] for row in cursor.fetchall()]
    assert not [d for d in definitions if "pattern_ops" in d]
    assert len(definitions) == 7  # pk, seq, ts, (object_type, object_id), (actor, ts), action, prev_hash


def test_the_triggers_survive_the_migration_that_rebuilds_the_table_on_sqlite(db):
    """Migration 0004 makes SQLite rebuild audit_auditevent (dropping a UNIQUE), which drops
    a table's triggers: it must put the append-only ones back."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'")
            expected = {"audit_auditevent_no_update", "audit_auditevent_no_delete"}
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass"
                           " AND NOT tgisinternal")
            expected = {"audit_auditevent_append_only", "audit_auditevent_no_truncate"}
        assert {row[0] for row in cursor.fetchall()} == expected
