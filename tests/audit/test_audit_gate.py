"""The delete gate of the audit tables opens for the archive only (issue 10 §3; SPEC §2.4).

The probe passed the DELETE trigger without dropping it: by inserting a row into
``audit_archivegate`` (SQLite) or ``SET LOCAL yancheng.audit_archive = 'on'`` (PostgreSQL)
while the application's role kept DELETE. These tests take the attacker's side: the
application's own connection (on PostgreSQL: the application's role, made with the GRANTs
``yancheng db grants`` prints), a foreign SQLite connection, the old tricks."""

from __future__ import annotations

import importlib
import sqlite3
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from yancheng.core.audit.archive import ArchiveRefused, audit_archive
from yancheng.core.audit.gate import ARCHIVER_ROLE, GateRefused, delete_gate
from yancheng.core.audit.grants import Roles, grant_statements
from yancheng.core.audit.models import AuditCheckpoint, AuditEvent
from yancheng.core.audit.services import audit_checkpoint_create, audit_record
from yancheng.core.audit.verify import verify_chain

_migration = importlib.import_module("yancheng.core.audit.migrations.0005_archive_gate_by_role_and_function")

APP_ROLE = "yc_test_app"
ARCHIVE_LOGIN = "yc_test_archive"


@pytest.fixture
def trail(db):
    """Records 300 days old with a checkpoint, and today's records with one."""
    with time_machine.travel(timezone.now() - timedelta(days=300), tick=False):
        for n in range(6):
            audit_record("test.old", after={"n": n})
        audit_checkpoint_create()
    for n in range(3):
        audit_record("test.recent", after={"n": n})
    audit_checkpoint_create()


def _attempt(sql: str) -> str:
    """Run ``sql`` in a savepoint as the current role; the error it raised ("" if none)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as exc:
        return str(exc)
    return ""


@pytest.fixture
def roles(trail, postgres_only):
    """The application's and the archive's roles, as `yancheng db grants` makes them, inside
    the test's transaction (rolled back with it). The roles are NOLOGIN stand-ins for the
    logins; the test takes them with SET ROLE as its connection's session user may."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database()")
        owner, database = cursor.fetchone()
        for role in (APP_ROLE, ARCHIVE_LOGIN):
            cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        for sql in grant_statements(Roles(owner=owner, app=APP_ROLE, archive=ARCHIVE_LOGIN), database=database):
            cursor.execute(sql)
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def _set_role(role: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")


# --- PostgreSQL ---------------------------------------------------------------------------------


def test_the_old_archive_setting_no_longer_opens_the_trigger(trail, postgres_only):
    # Even the tables' owner, who holds DELETE, is refused: the trigger trusts no setting.
    count = AuditEvent.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SET yancheng.audit_archive = 'on'")
    try:
        assert "append-only" in _attempt("DELETE FROM audit_auditevent")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL yancheng.audit_archive = 'on'")
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute("DELETE FROM audit_auditcheckpoint")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET yancheng.audit_archive")
    assert AuditEvent.objects.count() == count


@pytest.mark.parametrize("old_setting", [False, True])
def test_the_application_role_cannot_delete_or_truncate_audit_rows(roles, old_setting, tmp_path):
    count, checkpoints = AuditEvent.objects.count(), AuditCheckpoint.objects.count()
    _set_role(APP_ROLE)
    if old_setting:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL yancheng.audit_archive = 'on'")
    for sql in (
        "DELETE FROM audit_auditevent",
        "DELETE FROM audit_auditevent WHERE seq > 6",
        "DELETE FROM audit_auditcheckpoint",
        "TRUNCATE audit_auditevent",
        "TRUNCATE audit_auditcheckpoint",
        "UPDATE audit_auditevent SET action = 'forged'",
    ):
        assert "permission denied" in _attempt(sql), sql
    # Nor is it a member of the archiver's role (SET ROLE itself is checked against the
    # login, here the test's superuser), so the archive refuses to run.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", [ARCHIVER_ROLE])
        assert cursor.fetchone()[0] is False
    with pytest.raises(ArchiveRefused, match="YANCHENG_AUDIT_ARCHIVE_DATABASE_URL"):
        audit_archive(before=timezone.localdate() - timedelta(days=200), out=tmp_path / "a.jsonl")
    assert not (tmp_path / "a.jsonl").exists()
    # What it must do still works: read and append.
    audit_record("test.after_the_attempts")
    assert AuditEvent.objects.count() == count + 1
    assert AuditCheckpoint.objects.count() == checkpoints


def test_the_archive_works_under_its_own_role(roles, tmp_path):
    _set_role(ARCHIVE_LOGIN)
    result = audit_archive(before=timezone.localdate() - timedelta(days=200), out=tmp_path / "a.jsonl")
    assert (result.cut_seq, result.records) == (6, 6)
    assert not AuditEvent.objects.filter(seq__lte=6).exists()
    assert verify_chain().ok
    # The gate closed behind it: the same login, outside the archive, deletes nothing.
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == ARCHIVE_LOGIN
    assert "append-only" in _attempt("DELETE FROM audit_auditevent")


def test_the_grants_command_prints_the_statements(db, postgres_only, capsys):
    call_command("db_grants", "--app", "city_app", "--archive", "city_archive")
    out = capsys.readouterr().out
    assert "REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent, audit_auditcheckpoint FROM \"city_app\";" in out
    assert f'GRANT "{ARCHIVER_ROLE}" TO "city_archive";' in out


# --- SQLite -------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_only(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's gate")


def test_the_old_gate_table_is_gone_and_the_delete_still_refused(trail, sqlite_only):
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_archivegate (opened_at) VALUES ('2026-01-01')")
    assert "append-only" in _attempt("DELETE FROM audit_auditevent")
    assert "append-only" in _attempt("DELETE FROM audit_auditcheckpoint")
    assert AuditEvent.objects.count() == count


def test_the_application_connection_gets_false_from_the_gate_function(trail, sqlite_only):
    with connection.cursor() as cursor:
        cursor.execute("SELECT yancheng_audit_archive_open()")
        assert cursor.fetchone()[0] == 0
        with transaction.atomic(), delete_gate():
            cursor.execute("SELECT yancheng_audit_archive_open()")
            assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT yancheng_audit_archive_open()")
        assert cursor.fetchone()[0] == 0
    assert "append-only" in _attempt("DELETE FROM audit_auditevent")


def test_a_foreign_connection_lacks_the_gate_function(tmp_path, sqlite_only):
    """The sqlite3 shell or any other program: the trigger calls a function it does not have."""
    foreign = sqlite3.connect(tmp_path / "copy.sqlite3")
    try:
        foreign.execute("CREATE TABLE audit_auditevent (seq INTEGER)")
        foreign.execute("CREATE TABLE audit_auditcheckpoint (seq INTEGER)")
        for sql in _migration.SQLITE_FORWARD:
            foreign.execute(sql)
        foreign.execute("INSERT INTO audit_auditevent VALUES (1)")
        foreign.commit()
        with pytest.raises(sqlite3.OperationalError, match="yancheng_audit_archive_open"):
            foreign.execute("DELETE FROM audit_auditevent")
        assert foreign.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] == 1
    finally:
        foreign.close()


# --- both ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_gate_opens_only_inside_a_transaction():
    audit_record("test.autocommit")
    with pytest.raises(GateRefused), delete_gate():
        pass  # pragma: no cover - never reached
    assert "append-only" in _attempt("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 1


def test_the_gate_closes_behind_the_archive(trail, tmp_path):
    audit_archive(before=timezone.localdate() - timedelta(days=200), out=tmp_path / "a.jsonl")
    assert "append-only" in _attempt("DELETE FROM audit_auditevent")
    assert "append-only" in _attempt("DELETE FROM audit_auditcheckpoint")


def test_an_archive_url_to_another_database_is_refused(db, postgres_only, settings):
    from yancheng.core.audit.archive import use_archive_database

    settings.YANCHENG_AUDIT_ARCHIVE_DATABASE_URL = "postgres://yancheng_archive@127.0.0.1:5432/some_other_db"
    with pytest.raises(ArchiveRefused, match="YANCHENG_AUDIT_ARCHIVE_DATABASE_URL"):
        use_archive_database()
    assert connection.settings_dict["USER"] != "yancheng_archive"


def test_without_an_archive_url_the_connection_is_left_as_it_is(db, settings):
    from yancheng.core.audit.archive import use_archive_database

    settings.YANCHENG_AUDIT_ARCHIVE_DATABASE_URL = ""
    user = connection.settings_dict.get("USER")
    assert use_archive_database() is False
    assert connection.settings_dict.get("USER") == user
