"""`yancheng serve`: gunicorn in production, Django's own server elsewhere."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Yancheng over HTTP (gunicorn in production, Django's server otherwise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addr", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("YANCHENG_WEB_WORKERS", "2")))

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            gunicorn = shutil.which("gunicorn") or "gunicorn"
            argv = [
                gunicorn, "yancheng.wsgi:application", "--bind", options["addr"],
                "--workers", str(options["workers"]), "--access-logfile", "-",
                # worker_exit: each web worker signs the audit chain's head as it stops.
                "--config", "python:yancheng.core.audit.shutdown",
            ]
            os.execv(gunicorn, argv)  # noqa: S606 - replace this process with gunicorn
        # Development and demo: one process. Tasks run in-process (the demo's immediate
        # backend), and a thread enqueues the periodic jobs when they are due.
        from yancheng.core.audit.shutdown import checkpoint_at_shutdown
        from yancheng.core.jobs import start_scheduler_thread

        stop = start_scheduler_thread()
        sys.stdout.flush()
        try:
            call_command("runserver", options["addr"], use_reloader=False, insecure_serving=True)
        finally:
            stop.set()
            checkpoint_at_shutdown("web server")
