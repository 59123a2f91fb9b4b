"""The `yancheng` command: a thin front over Django's management commands.

    yancheng demo                 migrate SQLite, load the Hengyang demo, serve, print logins
    yancheng serve [ADDR:PORT]    serve (gunicorn in production, Django's server otherwise)
    yancheng worker               run the background task worker
    yancheng migrate              apply database migrations
    yancheng holidays import FILE load a year's holiday notice (CSV or YAML)
    yancheng audit verify         check the audit trail's hash chain and checkpoints
    yancheng backup [--output FILE]  one archive: database, uploads, key files, checksums
    yancheng restore FILE         restore an archive into an empty database and verify it
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
    ("db", "grants"): "db_grants",
    ("holidays", "import"): "holidays_import",
    ("enterprises", "import"): "enterprises_import",
    ("projects", "import"): "projects_import",
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
        for key, value in DEMO_ENVIRONMENT.items():
            os.environ.setdefault(key, value)
        _remember_demo_environment()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yancheng.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["yancheng", *translate(args)])
    except ImproperlyConfigured as exc:
        print(f"配置错误：{exc}\n（查看 .env.example；要操作演示数据库，先运行 yancheng demo 或设置 YANCHENG_ENV=demo）",
              file=sys.stderr)
        sys.exit(2)


DEMO_ENVIRONMENT = {
    "YANCHENG_ENV": "demo",
    "YANCHENG_TOTP_REQUIRED": "false",
    "YANCHENG_TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
}


def _remember_demo_environment() -> None:
    """Write a .env with the demo settings when there is none, so that later commands in
    this folder (`yancheng audit verify`, `yancheng holidays import` …) use the same demo
    database instead of asking for production settings."""
    path = os.path.join(os.getcwd(), ".env")
    if os.path.exists(path) or "YANCHENG_ENV_FILE" in os.environ:
        return
    lines = ["# Written by `yancheng demo`: this folder runs the local demo. Delete it to configure production."]
    lines += [f"{key}={os.environ[key]}" for key in DEMO_ENVIRONMENT]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
