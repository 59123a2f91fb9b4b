"""pytest plugin loaded with ``-p`` (pyproject addopts) so the test environment is set
before pytest-django reads the settings. An explicit environment (CI's DATABASE_URL) wins."""

import os

# The checkout's .env (``yancheng demo`` writes one: demo mode, no second factor) is the
# local demo's, never the tests': a run after the demo, and the manage.py subprocesses the
# tests start, read none.
os.environ.setdefault("YANCHENG_ENV_FILE", os.devnull)
os.environ.setdefault("YANCHENG_ENV", "test")
os.environ.setdefault("YANCHENG_TOTP_REQUIRED", "false")
os.environ.setdefault("YANCHENG_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("YANCHENG_AUDIT_KEY", "test-audit-checkpoint-key-not-secret")

# Imports in progress, keys and the like of a test run never land in ./var. Each process
# of a parallel run (pytest-xdist worker) gets a folder of its own: the workers inherit the
# controller's environment, so a folder this plugin made is replaced, one given is kept.
_MADE_HERE = "_YANCHENG_TEST_DATA_DIR_MADE"
if "YANCHENG_DATA_DIR" not in os.environ or (
    os.environ.get(_MADE_HERE) and os.environ.get("PYTEST_XDIST_WORKER")
):
    import tempfile

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    os.environ["YANCHENG_DATA_DIR"] = tempfile.mkdtemp(prefix=f"yancheng-test-{worker}")
    os.environ[_MADE_HERE] = "1"
