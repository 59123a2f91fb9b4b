"""Removing files that no attachment row points to.

A file is written before its row commits; when the surrounding transaction rolls back
(a later file in the same request was refused, a crash) the file stays behind. The
periodic job removes such orphans once they are old enough that no upload can still be
in flight."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django_tasks import task

from yancheng.core.jobs import register_periodic

from .models import Attachment

GRACE = timedelta(hours=1)


def sweep_orphan_files(*, grace: timedelta = GRACE, now: float | None = None) -> list[Path]:
    root = Path(settings.YANCHENG_ATTACHMENT_ROOT)
    if not root.is_dir():
        return []
    cutoff = (now if now is not None else time.time()) - grace.total_seconds()
    candidates: dict[uuid.UUID, Path] = {}
    for path in root.glob("??/*"):
        if not path.is_file() or path.stat().st_mtime > cutoff:
            continue
        try:
            candidates[uuid.UUID(path.name)] = path
        except ValueError:
            continue  # not one of ours: leave it alone
    if not candidates:
        return []
    known = set(Attachment.objects.filter(pk__in=list(candidates)).values_list("pk", flat=True))
    removed = []
    for key, path in candidates.items():
        if key not in known:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


@task()
def sweep_orphan_files_task() -> int:
    return len(sweep_orphan_files())


def register() -> None:
    register_periodic("attachments.sweep_orphans", every=timedelta(hours=6), task=sweep_orphan_files_task)
