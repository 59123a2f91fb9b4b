"""`yancheng worker`: run background tasks from the database queue, and enqueue the
periodic jobs when they are due (safe to run on several machines at once)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from yancheng.core.audit.shutdown import checkpoint_at_shutdown
from yancheng.core.jobs import start_scheduler_thread


class Command(BaseCommand):
    help = "Run the background task worker (django-tasks database queue) with the periodic job scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls of the queue")
        parser.add_argument("--batch", action="store_true", help="run what is queued now, then exit")
        parser.add_argument("--no-scheduler", action="store_true", help="do not enqueue periodic jobs")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"]:
            if not options["no_scheduler"]:
                from yancheng.core.jobs import enqueue_due_jobs

                enqueue_due_jobs()
            try:
                call_command("db_worker", "--batch", "--no-startup-delay")
            finally:
                checkpoint_at_shutdown("worker")
            return
        stop = None if options["no_scheduler"] else start_scheduler_thread()
        try:
            call_command("db_worker", "--interval", str(options["interval"]))
        finally:
            if stop is not None:
                stop.set()
            # Stopped (SIGTERM, SIGINT, an error): sign what the last tasks appended.
            checkpoint_at_shutdown("worker")
