"""Imports as jobs: every upload of an .xlsx import (its dry run, and its confirmed write)
is an `ImportJob` — who, which importer, the file, queued/running/done/failed, rows done
of rows total, the errors and the result sheet (the uploaded sheet with an error column).
A file of up to ``YANCHENG_IMPORT_BACKGROUND_ROWS`` rows runs in the request; a bigger
one runs as the `import_job_task` background task while the page polls its progress.
`yancheng.core.kit.imports` starts the jobs; this module runs them and serves their
progress and result to the uploader (and to a system administrator holding the
importer's permission) — to anyone else a job does not exist (404).

Progress and the one transaction. The write of an import stays one transaction (all or
nothing), so no progress is written inside it: on PostgreSQL an update made in it is
invisible to the polling page until the commit, and on SQLite no other connection can
write at all while it holds the database's write lock. Progress is written where no
transaction is open instead, which works the same on both databases: `import_rows`
reads and checks every row first (the long part: each cell parsed and looked up),
outside any transaction, calling `report_progress` after each row; every
``PROGRESS_EVERY`` rows that is one UPDATE of the job in autocommit, visible at once to
the page. Then the job shows every row done (the page says 正在写入) while the bulk service
writes them all in one transaction, and the outcome is saved after that transaction has
ended, committed or rolled back. A crash inside the write rolls all of it back — the
task catches the exception and marks the job failed with a message; if the worker
process itself dies, the database rolls the open transaction back and the job, silent
since, counts as failed (`ImportJob.stale`).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_tasks import task

from yancheng.core.kit.exports import download
from yancheng.core.models import ImportJob, Role
from yancheng.core.typing import Actor, AuthenticatedHttpRequest
from yancheng.lib.xlsx import XlsxError, with_error_column

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 100
# A finished job (its report and result sheet) stays downloadable this long.
KEEP_FINISHED = timedelta(days=30)
# A stored file no job names is left this long: an upload being checked may not have its job yet.
ORPHAN_GRACE = timedelta(days=1)

_progress: ContextVar[Callable[[int], None] | None] = ContextVar("yancheng_import_progress", default=None)


class _Error(Protocol):
    row: int
    column: str
    message: str


class _Report(Protocol):
    total_rows: int
    created: int
    errors: list[Any]

    @property
    def ok(self) -> bool: ...


def report_progress(rows_done: int) -> None:
    """Called by `import_rows` after each row it read; a no-op outside a job."""
    callback = _progress.get()
    if callback is not None:
        callback(rows_done)


@contextmanager
def _progress_of(job: ImportJob) -> Iterator[None]:
    def save(rows_done: int) -> None:
        if rows_done % PROGRESS_EVERY == 0 or rows_done == job.rows_total:
            job.rows_done = rows_done
            ImportJob.objects.filter(pk=job.pk).update(rows_done=rows_done, updated_at=timezone.now())

    token = _progress.set(save)
    try:
        yield
    finally:
        _progress.reset(token)


def import_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_file(data: bytes) -> str:
    """Store an uploaded file under a random name; returns the name (letters and digits)."""
    name = secrets.token_hex(16)
    (import_dir() / f"{name}.xlsx").write_bytes(data)
    return name


def file_path(name: str) -> Path:
    if not name.isalnum():
        raise Http404
    return import_dir() / f"{name}.xlsx"


def importer_path(run: Callable[..., Any]) -> str:
    """The dotted path the task imports the importer by (a module-level function)."""
    path = f"{run.__module__}.{run.__qualname__}"
    if "<" in path:
        raise TypeError(f"an importer must be a module-level function, not {path}")
    return path


def start(
    request: AuthenticatedHttpRequest, *, run: Callable[..., Any], permission: str, dry_run: bool,
    file_name: str, rows_total: int, source: str,
) -> ImportJob:
    return ImportJob.objects.create(
        user=request.user, importer=importer_path(run), permission=permission, dry_run=dry_run,
        file_name=file_name[:255], rows_total=rows_total, source=source,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )


def in_background(job: ImportJob) -> bool:
    """Whether the job is big enough for the task queue; if so, it is queued."""
    if job.rows_total <= settings.YANCHENG_IMPORT_BACKGROUND_ROWS:
        return False
    transaction.on_commit(lambda: import_job_task.enqueue(str(job.pk)))
    return True


def run_job(job: ImportJob, data: bytes | None = None) -> Any:
    """Run the job's importer on its file (or on `data`), recording progress and outcome;
    returns the importer's report. An unreadable file fails the job with the reader's
    message; any other exception fails it with a general one and is raised again."""
    job.state, job.started_at = ImportJob.State.RUNNING, timezone.now()
    job.save(update_fields=["state", "started_at", "updated_at"])
    try:
        if data is None:
            data = file_path(job.source).read_bytes()
        run = import_string(job.importer)
        with _progress_of(job), translation.override(job.language):
            report = run(data, actor=job.user, dry_run=job.dry_run)
    except (XlsxError, FileNotFoundError) as exc:
        message = str(exc) if isinstance(exc, XlsxError) else _("上传的文件已不在服务器上，请重新上传。")
        _finish_failed(job, message)
        return None
    except BaseException:
        logger.exception("import job %s failed", job.pk)
        _finish_failed(job, _("导入失败：处理时发生系统错误，没有写入任何数据。请稍后重试；仍然失败请联系系统管理员。"))
        raise
    _finish(job, data, report)
    return report


def _finish_failed(job: ImportJob, message: str) -> None:
    job.state, job.message, job.finished_at = ImportJob.State.FAILED, message, timezone.now()
    job.save(update_fields=["state", "message", "finished_at", "updated_at"])


def _finish(job: ImportJob, data: bytes, report: _Report) -> None:
    job.rows_total, job.rows_done, job.created = report.total_rows, report.total_rows, report.created
    job.error_count = len(report.errors)
    job.errors = [[e.row, e.column, str(e.message)] for e in report.errors]
    try:
        with translation.override(job.language):
            first = [e for e in report.errors if not getattr(e, "sheet", "")]
            named: dict[str, list[Any]] = {}
            for error in report.errors:
                if getattr(error, "sheet", ""):
                    named.setdefault(error.sheet, []).append(error)
            sheet = with_error_column(data, _row_texts(first), header=_("校验结果"),
                                      by_sheet={name: _row_texts(errors) for name, errors in named.items()})
    except XlsxError:  # the importer read it, so this is unexpected; the report is still shown
        logger.exception("import job %s: no result sheet", job.pk)
    else:
        job.result = "r" + job.pk.hex
        file_path(job.result).write_bytes(sheet)
    if job.source and not (job.dry_run and report.ok and report.total_rows):
        file_path(job.source).unlink(missing_ok=True)  # only a file that can still be confirmed is kept
    job.state, job.finished_at = ImportJob.State.DONE, timezone.now()
    job.save()


def _row_texts(errors: list[_Error]) -> dict[int, str]:
    texts: dict[int, list[str]] = {}
    for error in errors:
        texts.setdefault(error.row, []).append(f"{error.column}：{error.message}" if error.column else str(error.message))
    return {row: "；".join(parts) for row, parts in texts.items()}


@task()
def import_job_task(job_id: str) -> str:
    """The background run of a big import (the worker imports it by this path); runs a
    queued job once."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.state != ImportJob.State.QUEUED:
        return str(job.state)
    run_job(job)
    return str(job.state)


# --- who sees a job --------------------------------------------------------------------------------


def job_for(request: HttpRequest, pk: Any, *, importer: str | None = None) -> ImportJob:
    """The job, for its uploader or a system administrator holding its importer's
    permission; 404 for anyone else, as for a job that does not exist."""
    user: Actor = request.user  # type: ignore[assignment]
    job = ImportJob.objects.filter(pk=pk).first() if _is_uuid(pk) else None
    if job is None or (importer is not None and job.importer != importer):
        raise Http404
    if job.user_id == user.pk:
        return job
    if user.role == Role.SYSTEM_ADMIN and job.permission and user.has_perm(job.permission):
        return job
    raise Http404


def _is_uuid(value: Any) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def active_job(request: AuthenticatedHttpRequest, run: Callable[..., Any]) -> ImportJob | None:
    """The user's job of this importer still queued or running, if any."""
    jobs = ImportJob.objects.filter(
        user=request.user, importer=importer_path(run), state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING]
    )
    return next((job for job in jobs if not job.stale), None)


@login_required
@require_GET
def job_progress(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The progress fragment the import page polls."""
    job = job_for(request, pk)
    response = render(request, "_partials/import_progress.html", {"job": job})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def job_result(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The uploaded sheet with the error column."""
    job = job_for(request, pk)
    if not job.result:
        raise Http404
    path = file_path(job.result)
    if not path.exists():
        raise Http404
    stem = job.file_name.rsplit(".", 1)[0] or _("导入文件")
    return download(path.read_bytes(), _("%(name)s-校验结果.xlsx") % {"name": stem})


# --- pruning: a city's imports do not pile up for years ------------------------------------------------


def prune_import_jobs(*, keep: timedelta = KEEP_FINISHED, grace: timedelta = ORPHAN_GRACE,
                      now: datetime | None = None) -> int:
    """Delete jobs finished more than `keep` ago with their stored files, and any file in the
    folder that no job names once it is older than `grace`; returns the number of jobs
    deleted. The imported data itself, and its audit records, are not touched."""
    now = now or timezone.now()
    old = ImportJob.objects.filter(finished_at__lt=now - keep)
    for source, result in old.values_list("source", "result"):
        for name in (source, result):
            if name and name.isalnum():
                file_path(name).unlink(missing_ok=True)
    deleted, _by_model = old.delete()
    named = {name for pair in ImportJob.objects.values_list("source", "result") for name in pair if name}
    cutoff = (now - grace).timestamp()
    for path in import_dir().glob("*.xlsx"):
        if path.stem not in named and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
    return deleted


@task()
def prune_import_jobs_task() -> int:
    return prune_import_jobs()


def register() -> None:
    """The daily prune (called from the core app's ready())."""
    from yancheng.core.jobs import register_periodic

    register_periodic("imports.prune", every=timedelta(days=1), task=prune_import_jobs_task)
