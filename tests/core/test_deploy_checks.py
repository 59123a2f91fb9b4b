"""The production settings pass Django's deployment checklist with no warning."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from yancheng.core.checks import no_superuser_in_production
from yancheng.lib.fieldcrypt import new_ring, write_ring

ROOT = Path(__file__).resolve().parents[2]


def _production_env(tmp_path):
    # The browser tests allow async-unsafe ORM use in this process; a deployment never does.
    skip = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("YANCHENG_") and k not in skip}
    env.update(
        YANCHENG_ENV="production",
        YANCHENG_ENV_FILE=os.devnull,  # never the checkout's .env (the demo's: no second factor)
        YANCHENG_SECRET_KEY="k" * 20 + "Zq8!xP2#mN5$vB7&cR4^tY6*uI9(oL1)" + "j" * 10,
        YANCHENG_ALLOWED_HOSTS="yancheng.example.gov.cn",
        YANCHENG_DATA_DIR=str(tmp_path),
        YANCHENG_AUDIT_KEY="a-production-checkpoint-key-for-the-check-only",
        DJANGO_SETTINGS_MODULE="yancheng.settings",
    )
    # Field encryption keys are provisioned before a production start (docs/operations.md).
    keys = tmp_path / "keys" / "field-keys.json"
    if not keys.exists():
        write_ring(keys, new_ring("aes-256-gcm"), create_only=True)
    return env


def test_check_deploy_reports_nothing_for_the_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path), capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_without_the_field_key_file(tmp_path):
    env = _production_env(tmp_path)
    (tmp_path / "keys" / "field-keys.json").unlink()
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode != 0 and "yancheng.crypto.E001" in result.stdout + result.stderr
    assert not (tmp_path / "keys" / "field-keys.json").exists()  # never made up on the spot


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = _production_env(tmp_path)
    del env["YANCHENG_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"], env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "YANCHENG_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_an_active_superuser_is_an_error_in_production(settings):
    from yancheng.core.models import User

    settings.IS_PRODUCTION = True
    assert no_superuser_in_production(None, databases=["default"]) == []
    User.objects.create_superuser("root", password="Kp9#vWz2Lm4q")
    errors = no_superuser_in_production(None, databases=["default"])
    assert [e.id for e in errors] == ["yancheng.E001"]
