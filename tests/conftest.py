import os

os.environ.setdefault("YANCHENG_ENV", "test")
os.environ.setdefault("YANCHENG_TOTP_REQUIRED", "false")
os.environ.setdefault("YANCHENG_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
