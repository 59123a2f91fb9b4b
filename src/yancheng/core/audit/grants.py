"""PostgreSQL roles and privileges for the audit trail (SPEC §2.4; 等保 8.1.4.3 c/d): the
application's login may read and append audit records but never delete or truncate them;
only the archive's login, a member of ``yancheng_audit_archiver``, may delete, and only
through the archive operation (the trigger refuses everyone else, see migration 0005).

Three roles: the owner (runs migrations, owns the tables), the application (``DATABASE_URL``
of the web server and the worker) and the archive (``YANCHENG_AUDIT_ARCHIVE_DATABASE_URL``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .gate import ARCHIVER_ROLE

AUDIT_TABLES = ("audit_auditevent", "audit_auditcheckpoint")
AUDIT_SEQUENCES = ("audit_auditevent_id_seq", "audit_auditcheckpoint_id_seq")


# (ARCHIVER_ROLE spelled out: the migrations' triggers name it too.)
_CREATE_ARCHIVER = (
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'yancheng_audit_archiver') "
    'THEN CREATE ROLE "yancheng_audit_archiver" NOLOGIN; END IF; END $$'
)


def _ident(name: str) -> str:
    if not name or '"' in name or "\x00" in name:
        raise ValueError(f"not a usable role name: {name!r}")
    return '"' + name + '"'


@dataclass(frozen=True)
class Roles:
    owner: str = "yancheng_owner"
    app: str = "yancheng_app"
    archive: str = "yancheng_archive"
    schema: str = "public"


def grant_statements(roles: Roles, *, database: str) -> list[str]:
    """The statements, in order, for a superuser (or the owner with CREATEROLE) to run after
    every ``migrate``. The login roles themselves (with their passwords) are created by the
    operator first (docs/operations.md)."""
    owner, app, archive, schema = (_ident(roles.owner), _ident(roles.app), _ident(roles.archive), _ident(roles.schema))
    archiver = _ident(ARCHIVER_ROLE)
    tables = ", ".join(AUDIT_TABLES)
    sequences = ", ".join(AUDIT_SEQUENCES)
    return [
        _CREATE_ARCHIVER,
        f"GRANT CONNECT ON DATABASE {_ident(database)} TO {app}, {archive}",
        f"GRANT USAGE ON SCHEMA {schema} TO {app}, {archiver}",
        # The application: everything it needs on the product's tables ...
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {app}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema} FROM {app}",
        # ... but on the audit trail only reading and appending.
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {tables} FROM {app}",
        f"REVOKE {archiver} FROM {app}",
        # The archive: its login may take the archiver role, which reads, appends and deletes.
        f"GRANT SELECT, INSERT, DELETE ON {tables} TO {archiver}",
        f"GRANT USAGE, SELECT ON SEQUENCE {sequences} TO {archiver}",
        f"GRANT {archiver} TO {archive}",
    ]
