"""pytest plugin loaded with ``-p`` (pyproject addopts) so the test environment is set
before pytest-django reads the settings. An explicit environment (CI's DATABASE_URL) wins."""

import os

os.environ.setdefault("YANCHENG_ENV", "test")
os.environ.setdefault("YANCHENG_TOTP_REQUIRED", "false")
os.environ.setdefault("YANCHENG_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("YANCHENG_AUDIT_KEY", "test-audit-checkpoint-key-not-secret")

if "YANCHENG_DATA_DIR" not in os.environ:
    import tempfile

    # Imports in progress, keys and the like of a test run never land in ./var.
    os.environ["YANCHENG_DATA_DIR"] = tempfile.mkdtemp(prefix="yancheng-test-")
