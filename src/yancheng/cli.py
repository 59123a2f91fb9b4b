"""The `yancheng` command: a thin front over Django's management commands.

    yancheng demo                 migrate SQLite, load the Hengyang demo, serve, print logins
    yancheng serve [ADDR:PORT]    serve (gunicorn in production, Django's server otherwise)
    yancheng worker               run the background task worker
    yancheng migrate              apply database migrations
    yancheng holidays import FILE load a year's holiday notice (CSV or YAML)
    yancheng audit verify         check the audit trail's hash chain and checkpoints
    yancheng <django command>     any other management command (createsuperuser, ...)
"""

from __future__ import annotations

import os
import sys

# Two-word commands map onto one management command.
COMPOUND = {
    ("audit", "verify"): "audit_verify",
    ("audit", "checkpoint"): "audit_checkpoint",
    ("audit", "archive"): "audit_archive",
    ("holidays", "import"): "holidays_import",
    ("enterprises", "import"): "enterprises_import",
}
ALIASES: dict[str, str] = {}


def translate(argv: list[str]) -> list[str]:
    if len(argv) >= 2 and (argv[0], argv[1]) in COMPOUND:
        return [COMPOUND[(argv[0], argv[1])], *argv[2:]]
    if argv and argv[0] in ALIASES:
        return [ALIASES[argv[0]], *argv[1:]]
    return argv


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return
    if args[0] == "demo":
        # The demo is a local, single-process city: SQLite, tasks run in-process, and
        # the printed passwords work without an authenticator app.
        os.environ.setdefault("YANCHENG_ENV", "demo")
        os.environ.setdefault("YANCHENG_TOTP_REQUIRED", "false")
        os.environ.setdefault("YANCHENG_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yancheng.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["yancheng", *translate(args)])


if __name__ == "__main__":
    main()
