"""`yancheng db grants`: print (or, with --apply, run) the PostgreSQL roles' privileges:
the application may not delete or truncate audit records; only the archive's login may,
through the archiver role (docs/operations.md, "Database roles")."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from yancheng.core.audit.grants import Roles, grant_statements


class Command(BaseCommand):
    help = "Print or apply the PostgreSQL GRANTs for the owner, application and archive roles."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = Roles()
        parser.add_argument("--owner", default=defaults.owner, help="the role that owns the tables (runs migrate)")
        parser.add_argument("--app", default=defaults.app, help="the application's login (DATABASE_URL)")
        parser.add_argument(
            "--archive", default=defaults.archive, help="the archive's login (YANCHENG_AUDIT_ARCHIVE_DATABASE_URL)"
        )
        parser.add_argument("--database", default="", help="database name (default: the configured one)")
        parser.add_argument("--apply", action="store_true", help="run them now (as a superuser or the owner)")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("db grants is for PostgreSQL; SQLite has no roles (see docs/audit.md)")
        database = options["database"] or str(connection.settings_dict["NAME"])
        try:
            statements = grant_statements(
                Roles(owner=options["owner"], app=options["app"], archive=options["archive"]), database=database
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not options["apply"]:
            for sql in statements:
                self.stdout.write(sql + ";")
            return
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
        except Exception as exc:
            raise CommandError(f"grants not applied: {str(exc).splitlines()[0]}") from exc
        self.stdout.write(f"applied {len(statements)} statements")
