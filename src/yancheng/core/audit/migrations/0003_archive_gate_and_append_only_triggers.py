"""Append-only audit tables (SPEC §2.4; 等保 8.1.4.3c): the database itself refuses UPDATE and
DELETE on audit_auditevent and audit_auditcheckpoint, on SQLite and PostgreSQL alike.

The one exception is the audited archive operation (core/audit/archive.py), which opens a
gate that only lives inside its own transaction:
- PostgreSQL: ``SET LOCAL yancheng.audit_archive = 'on'``, read with current_setting(..., true);
- SQLite: a row in audit_archivegate, inserted and removed within the archive transaction.
UPDATE is refused even then. On PostgreSQL TRUNCATE is refused too, unless the table is
already empty (emptying an empty table loses nothing; test databases are flushed that way).
"""

from django.db import migrations, models

TABLES = ("audit_auditevent", "audit_auditcheckpoint")

SQLITE_FORWARD = [
    sql
    for table in TABLES
    for sql in (
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, 'yancheng: UPDATE on {table} refused: the audit trail is append-only'); END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        WHEN NOT EXISTS (SELECT 1 FROM audit_archivegate)
        BEGIN SELECT RAISE(ABORT, 'yancheng: DELETE on {table} refused: the audit trail is append-only'); END""",
    )
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {table}_{kind}" for table in TABLES for kind in ("no_update", "no_delete")
]

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION yancheng_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    is_empty boolean;
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(current_setting('yancheng.audit_archive', true), '') = 'on' THEN
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
POSTGRES_FORWARD = [
    POSTGRES_FUNCTION,
    *[
        sql
        for table in TABLES
        for sql in (
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION yancheng_audit_append_only()""",
            f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION yancheng_audit_append_only()""",
        )
    ],
]
POSTGRES_BACKWARD = [
    *[
        f"DROP TRIGGER IF EXISTS {table}_{kind} ON {table}"
        for table in TABLES
        for kind in ("append_only", "no_truncate")
    ],
    "DROP FUNCTION IF EXISTS yancheng_audit_append_only()",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"audit append-only triggers are not written for {vendor}")
        for sql in statements[vendor]:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditArchiveGate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("opened_at", models.DateTimeField()),
            ],
            options={
                "db_table": "audit_archivegate",
                "default_permissions": (),
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
