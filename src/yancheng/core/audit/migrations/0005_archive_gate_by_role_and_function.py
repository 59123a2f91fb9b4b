"""The archive's delete gate can no longer be opened by the application (issue 10 §3).

0003 let a DELETE through when ``yancheng.audit_archive`` was set (PostgreSQL), a setting any
session may set, or while a row existed in ``audit_archivegate`` (SQLite), a table any
connection could insert into. Now:
- PostgreSQL: only the role ``yancheng_audit_archiver`` may delete (the trigger asks
  ``current_user``; the application's role is not a member and, with the GRANTs of
  ``yancheng db grants``, has no DELETE or TRUNCATE on the audit tables at all). This
  migration creates that NOLOGIN role and grants it what the archive needs, where the
  migrating user may create roles; otherwise ``yancheng db grants`` prints the statements.
- SQLite: the triggers ask ``yancheng_audit_archive_open()``, a function only this program
  registers on its connections and which answers true only inside the archive's gate
  (core/audit/gate.py). The gate table is dropped.
UPDATE stays refused for everyone; TRUNCATE only of an empty table (flushing test databases).
"""

import importlib

from django.db import migrations

_old = importlib.import_module("yancheng.core.audit.migrations.0003_archive_gate_and_append_only_triggers")

TABLES = ("audit_auditevent", "audit_auditcheckpoint")
ARCHIVER_ROLE = "yancheng_audit_archiver"

SQLITE_FORWARD = [
    sql
    for table in TABLES
    for sql in (
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"DROP TRIGGER IF EXISTS {table}_no_delete",
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, 'yancheng: UPDATE on {table} refused: the audit trail is append-only'); END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        WHEN NOT yancheng_audit_archive_open()
        BEGIN SELECT RAISE(ABORT, 'yancheng: DELETE on {table} refused: the audit trail is append-only'); END""",
    )
]
SQLITE_BACKWARD = [
    *[f"DROP TRIGGER IF EXISTS {table}_{kind}" for table in TABLES for kind in ("no_update", "no_delete")],
    *_old.SQLITE_FORWARD,
]

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION yancheng_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    is_empty boolean;
BEGIN
    -- Not a setting (any session can set one): the role, which only the archive's login may take.
    IF TG_OP = 'DELETE' AND current_user = '{ARCHIVER_ROLE}' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM %I.%I)', TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO is_empty;
        IF is_empty THEN
            RETURN NULL;
        END IF;
    END IF;
    RAISE EXCEPTION 'yancheng: % on % refused: the audit trail is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$
"""

POSTGRES_ROLE = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ARCHIVER_ROLE}') THEN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
            CREATE ROLE {ARCHIVER_ROLE} NOLOGIN;
        ELSE
            RAISE NOTICE 'role {ARCHIVER_ROLE} not created (no CREATEROLE): run yancheng db grants';
            RETURN;
        END IF;
    END IF;
    GRANT USAGE ON SCHEMA public TO {ARCHIVER_ROLE};
    GRANT SELECT, INSERT, DELETE ON audit_auditevent, audit_auditcheckpoint TO {ARCHIVER_ROLE};
    GRANT USAGE, SELECT ON SEQUENCE audit_auditevent_id_seq, audit_auditcheckpoint_id_seq TO {ARCHIVER_ROLE};
END
$$
"""


def _forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        schema_editor.execute(POSTGRES_ROLE, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql, params=None)
    else:
        raise RuntimeError(f"audit append-only triggers are not written for {vendor}")


def _backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_old.POSTGRES_FUNCTION, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_lean_indexes"),
    ]

    operations = [
        # Reversed: the gate table comes back first, then the old triggers that read it.
        migrations.RunPython(_forward, _backward),
        migrations.DeleteModel(name="AuditArchiveGate"),
    ]
