"""The environment every bench command runs in: which database, and production-like
settings (YANCHENG_ENV=production, DEBUG off, TOTP on) with the few switches a load test on
one machine needs. Nothing here is read by the product except through its settings."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

BENCH_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
RESULTS_DIR = BENCH_DIR / "results"

# Fixed, published values: a benchmark database is not a secret.
BENCH_SECRET_KEY = "bench-only-secret-key-never-used-in-production-0123456789abcdef"  # noqa: S105
BENCH_AUDIT_KEY = "bench-only-audit-checkpoint-key"
BENCH_PASSWORD = "Bench#Yc-2026-load"  # noqa: S105 - every generated account; printed in bench/README.md


@dataclass(frozen=True)
class Target:
    """The database a bench command works on."""

    url: str

    @property
    def vendor(self) -> str:
        return "postgresql" if self.url.startswith(("postgres://", "postgresql://")) else "sqlite"

    @property
    def name(self) -> str:
        """A short name for files: the database name or the SQLite file's stem."""
        if self.vendor == "sqlite":
            return Path(self.sqlite_path).stem
        return urlsplit(self.url).path.lstrip("/") or "postgres"

    @property
    def sqlite_path(self) -> str:
        assert self.vendor == "sqlite"
        return self.url.split("sqlite:///", 1)[1]

    @property
    def label(self) -> str:
        return "PostgreSQL" if self.vendor == "postgresql" else "SQLite"


def parse_target(raw: str) -> Target:
    """``sqlite:///relative/or/absolute.sqlite3`` or ``postgres://user@host:port/db``.
    A relative SQLite path is taken from the current directory and made absolute."""
    raw = raw.strip()
    if raw.startswith("sqlite:///"):
        path = raw[len("sqlite:///"):]
        absolute = Path(path if path.startswith("/") else Path.cwd() / path).resolve()
        absolute.parent.mkdir(parents=True, exist_ok=True)
        return Target(f"sqlite:///{absolute}")
    if raw.startswith(("postgres://", "postgresql://")):
        return Target(raw)
    raise SystemExit(f"--db must be sqlite:///PATH or postgres://USER@HOST:PORT/DB, not {raw!r}")


def bench_environment(target: Target) -> dict[str, str]:
    """Production settings as .env.example has them, plus what a benchmark on one machine
    needs: the API rate limit lifted (the load client is one caller sending thousands of
    requests a minute) and the HTTPS redirect left to the "proxy" (the client sends
    X-Forwarded-Proto: https like nginx would)."""
    data_dir = OUT_DIR / f"data-{target.vendor}-{re.sub(r'[^A-Za-z0-9_.-]', '_', target.name)}"
    return {
        "DATABASE_URL": target.url,
        "YANCHENG_ENV": "production",
        "YANCHENG_ENV_FILE": str(OUT_DIR / "no-such.env"),
        "YANCHENG_SECRET_KEY": BENCH_SECRET_KEY,
        "YANCHENG_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "YANCHENG_CSRF_TRUSTED_ORIGINS": "https://127.0.0.1",
        "YANCHENG_DB_CONN_MAX_AGE": "60",
        "YANCHENG_DATA_DIR": str(data_dir),
        "YANCHENG_AUDIT_KEY": BENCH_AUDIT_KEY,
        "YANCHENG_AUDIT_CHECKPOINT_EVERY": "1000",
        "YANCHENG_TOTP_REQUIRED": "true",
        "YANCHENG_PROXY_COUNT": "1",
        "YANCHENG_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "YANCHENG_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "YANCHENG_LOG_LEVEL": "WARNING",
        "YANCHENG_API_RATE": "10000000/m",
        "YANCHENG_DEMO_BANNER": "false",
    }


def setup_django(target: Target, *, settings_module: str = "yancheng.settings") -> None:
    """Point the product's settings at ``target`` and start Django in this process."""
    os.environ.update(bench_environment(target))
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    _field_keys()


def _field_keys() -> None:
    """The bench's own field-encryption key file (personal data is encrypted at rest), made
    once in the run's data directory as an operator does before the first start."""
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command

    if not Path(settings.YANCHENG_FIELD_KEYS_FILE).exists():
        call_command("field_keys", "init")
