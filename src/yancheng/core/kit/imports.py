"""The .xlsx import flow every importer shares.

An importer says only what is its own: its columns, how one row becomes the arguments of
its service, and its bulk service. The rest is here, once:

- `import_rows`: read every row (a row that cannot be read is reported by its number and
  every wrong column — `RowProblems` collects them — and the others are still checked), refuse a key given twice in the file, then
  write every row in one transaction through the bulk service — all or nothing. A dry run
  (and any error) rolls back, so nothing is ever half-imported;
- the page flow: upload → dry run with a row-by-row report → confirm the very same file.
  The checked file waits in ``DATA_DIR/imports`` under a random name; the confirm form
  carries a signed token naming it and its uploader, valid for an hour. Each dry run and
  each confirmed write is an `ImportJob` (`import_jobs.py`): run in the request, or — over
  ``YANCHENG_IMPORT_BACKGROUND_ROWS`` rows — as a background task whose progress the page
  polls; either way its result is the uploaded sheet with an error column;
- `ImportCommand`: ``yancheng <app> import FILE [--dry-run] [--as USERNAME]``, which
  prints each error on stderr and fails (exit code 1) when anything was refused.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yancheng.core.errors import DomainError, RowsRefused
from yancheng.core.kit.exports import download
from yancheng.core.models import ImportJob, User
from yancheng.core.typing import Actor, AuthenticatedHttpRequest
from yancheng.lib.xlsx import SheetRow, XlsxError, read_rows, write_workbook

from .forms import SiteForm, upload_attrs
from .import_jobs import (
    active_job,
    file_path,
    import_dir,
    importer_path,
    in_background,
    job_for,
    keep_file,
    report_progress,
    run_job,
)
from .import_jobs import start as start_job

TOKEN_MAX_AGE = 3600
MAX_FILE_BYTES = 20 * 1024 * 1024

Row = dict[str, Any]
_T = TypeVar("_T")


# --- rows and the report ----------------------------------------------------------------------------


@dataclass
class RowError:
    """One problem of one imported row: the row number the user sees in Excel and the column."""

    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    total_rows: int = 0
    created: int = 0
    dry_run: bool = True
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class RowInvalid(Exception):
    """Raised while reading a row: which column is wrong and why — or, with `problems`,
    every (column, message) of the row at once."""

    def __init__(self, column: str = "", message: str = "", *, problems: Sequence[tuple[str, str]] = ()) -> None:
        self.problems = list(problems) or [(column, message)]
        self.column, self.message = self.problems[0]
        super().__init__(self.message)


class RowProblems:
    """Collects the problems of one row, column by column, so the report lists them all
    and not only the first: ``value = problems.read(lambda: _region(values), None)``
    returns the reader's value or, when it raises `RowInvalid`, keeps its problem and
    returns the default; `check` then raises them together."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def read(self, reader: Callable[[], _T], default: _T) -> _T:
        try:
            return reader()
        except RowInvalid as exc:
            self.problems += exc.problems
            return default

    def check(self) -> None:
        if self.problems:
            raise RowInvalid(problems=self.problems)


_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』〝〞")


def lookup_key(value: Any) -> str:
    """How a spreadsheet cell is compared with a name or code it must match: the usual
    variants of a spelling are one key — full-width letters, digits and spaces as
    half-width (NFKC), straight or curly quotes or none, any white space, any case.
    ``专精特新“小巨人”``, ``专精特新"小巨人"`` and ``专精特新 小巨人`` are one key. Only
    for lookups: the text that is stored is never changed."""
    text = unicodedata.normalize("NFKC", str(value if value is not None else ""))
    return "".join(text.translate(_QUOTES).split()).casefold()


def refused_rows(exc: DomainError, numbers: list[int], columns: Mapping[str, str]) -> list[RowError]:
    """The row errors of a bulk service's refusal: each refused row by its number in the
    file; an error of the whole batch (no permission, a concurrent write) once, on the
    first row."""
    if isinstance(exc, RowsRefused):
        return [
            RowError(numbers[index], columns.get(error.field or "", ""), str(error.message))
            for index, error in sorted(exc.errors.items())
        ]
    return [RowError(number, columns.get(exc.field or "", ""), str(exc.message)) for number in numbers[:1]]


def import_rows(
    rows: Sequence[SheetRow],
    *,
    read: Callable[[SheetRow], Row],
    key_column: str,
    key: Callable[[Row], str],
    create_many: Callable[[list[Row]], Sized],
    validate_many: Callable[[list[Row]], Mapping[int, DomainError]],
    field_columns: Mapping[str, str],
    dry_run: bool,
) -> ImportReport:
    """Read every row with `read` (which raises `RowInvalid`), refuse a non-empty `key`
    met twice (in `key_column`), then create them all with `create_many` inside one
    transaction; roll everything back on a dry run or when any row fails. When some rows
    cannot even be read, the others are still checked with `validate_many` (without
    writing) so that the report lists every problem of the file at once. A service's
    errors are reported in the column `field_columns` names for their field."""
    report = ImportReport(total_rows=len(rows), dry_run=dry_run)
    seen: dict[str, int] = {}
    batch: list[Row] = []
    numbers: list[int] = []
    for done, row in enumerate(rows, start=1):
        report_progress(done)
        try:
            arguments = read(row)
            code = key(arguments)
            if code and code in seen:
                raise RowInvalid(key_column, _("与第 %(n)d 行重复。") % {"n": seen[code]})
            if code:
                seen[code] = row.number
        except RowInvalid as exc:
            report.errors += [RowError(row.number, column, message) for column, message in exc.problems]
            continue
        batch.append(arguments)
        numbers.append(row.number)
    with transaction.atomic():
        try:
            if report.errors:
                refused = validate_many(batch)
                if refused:
                    raise RowsRefused(dict(refused))
            else:
                report.created = len(create_many(batch))
        except DomainError as exc:
            report.errors += refused_rows(exc, numbers, field_columns)
        report.errors.sort(key=lambda error: error.row)
        if dry_run and report.errors:  # the rows that passed
            report.created = len(set(numbers) - {error.row for error in report.errors})
        if dry_run or report.errors:
            transaction.set_rollback(True)
            if not dry_run:
                report.created = 0
    return report


class Importer(Protocol):
    """An app's import function: the file's bytes in, the report out."""

    def __call__(self, source: bytes, *, actor: Actor, dry_run: bool) -> ImportReport: ...


# --- the pages: upload, dry run, confirm ----------------------------------------------------------


class StagedFileGone(Exception):
    """The token expired or its file was already imported: upload again (message for the user)."""


class ImportFileForm(SiteForm):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"accept": ".xlsx", **upload_attrs(MAX_FILE_BYTES)})

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("文件不能超过 %(mb)d MB。") % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
        return upload


def template_response(*, title: str, columns: Iterable[tuple[str, Any, bool]], filename: str) -> HttpResponse:
    """The import template: a first sheet holding only the column names (required ones
    starred, each hint as the header cell's comment), so the template as downloaded
    imports as it is, and a second sheet of instructions, which the import never reads."""
    columns = list(columns)
    headers = [name + ("*" if required else "") for name, _help, required in columns]
    hints = [str(help_text) for _name, help_text, _required in columns]
    yes, no = _("是"), _("否")
    instructions = [
        [name, yes if required else no, str(help_text)] for name, help_text, required in columns
    ]
    instructions += [
        [],
        [_("在第一个工作表的表头下方逐行填写，一行一条；不要改动表头，带 * 的列必填。本说明页不会被导入。")],
    ]
    notes = (_("填写说明"), [_("列"), _("必填"), _("说明")], instructions)
    return download(write_workbook(title, headers, [], header_notes=hints, notes=notes), filename)


def _token(request: HttpRequest, name: str, *, salt: str) -> str:
    return signing.dumps({"f": name, "u": request.user.pk}, salt=salt)


def stage(request: HttpRequest, data: bytes, *, salt: str) -> str:
    """Keep a file whose dry run passed; returns the token the confirm form posts back."""
    return _token(request, keep_file(data), salt=salt)


def staged_file(request: HttpRequest, *, salt: str) -> Path:
    """The file the posted token names. Another user's token is refused (403); an expired
    or already used one raises StagedFileGone."""
    try:
        payload = signing.loads(request.POST.get("token", ""), salt=salt, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature as exc:
        raise StagedFileGone(_("导入已过期或无效，请重新上传文件。")) from exc
    if payload.get("u") != request.user.pk:
        raise PermissionDenied
    name = str(payload.get("f", ""))
    if not name.isalnum():
        raise PermissionDenied
    path = import_dir() / f"{name}.xlsx"
    if not path.exists():
        raise StagedFileGone(_("导入已完成或已过期，请重新上传文件。"))
    return path


def job_report(job: ImportJob) -> ImportReport:
    """The report of a finished job, as the page shows it."""
    return ImportReport(
        total_rows=job.rows_total, created=job.created, dry_run=job.dry_run,
        errors=[RowError(int(row), str(column), str(message)) for row, column, message in job.errors],
    )


def _page(
    request: AuthenticatedHttpRequest, template: str, *, form: ImportFileForm, report: ImportReport | None,
    job: ImportJob | None, salt: str,
) -> HttpResponse:
    """The import page: the form, a running job's progress bar (the submit button disabled
    while it runs), a finished job's report with its result sheet and, when a dry run
    passed, the confirm button."""
    token = ""
    if job is not None and job.finished and not job.failed:
        report = report or job_report(job)
        if job.dry_run and job.ok and job.rows_total and file_path(job.source).exists():
            token = _token(request, job.source, salt=salt)
    busy = job is not None and not job.finished
    return render(request, template, {"form": form, "report": report, "token": token, "job": job, "busy": busy})


def upload_page(
    request: AuthenticatedHttpRequest, *, run: Importer, template: str, salt: str, permission: str = "",
) -> HttpResponse:
    """The upload page and its dry run: the row-by-row report, and when every row passed
    the token of the staged file for the confirm button. A file of more than
    ``YANCHENG_IMPORT_BACKGROUND_ROWS`` rows is checked in the background: the page comes
    back with ``?job=`` and shows its progress. `permission` is the importer's: a system
    administrator holding it may look at anyone's job of this importer."""
    form = ImportFileForm(request.POST or None, request.FILES or None)
    job = None
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            total = len(read_rows(data, required=()))
        except XlsxError as exc:
            form.add_error("file", str(exc))
        else:
            job = start_job(request, run=run, permission=permission, dry_run=True, file_name=upload.name,
                            rows_total=total, source=keep_file(data))
            if in_background(job):
                return redirect(f"{request.path}?job={job.pk}")
            report = run_job(job, data)
            job.refresh_from_db()
            if report is None:  # the importer could not read it (a missing column …): said on the form
                form.add_error("file", job.message)
                job = None
    elif request.method == "GET":
        if "job" in request.GET:
            job = job_for(request, request.GET["job"], importer=importer_path(run))
        else:
            job = active_job(request, run)
    return _page(request, template, form=form, report=report, job=job, salt=salt)


def confirm(
    request: AuthenticatedHttpRequest, *, run: Importer, template: str, salt: str, upload_url: str, done_url: str,
    done_message: Callable[[int], str], permission: str = "",
) -> HttpResponse:
    """Import the staged file for good (in the background when it is big); back to the
    upload page when it is gone. `upload_url` and `done_url` are route names or paths (a
    page whose route takes arguments, like the registry's per sheet, passes its path)."""
    try:
        path = staged_file(request, salt=salt)
        if ImportJob.objects.filter(source=path.stem, dry_run=False).exclude(state=ImportJob.State.FAILED).exists():
            raise StagedFileGone(_("该文件已提交导入，请勿重复提交。"))
        data = path.read_bytes()
        total = len(read_rows(data, required=()))
    except (StagedFileGone, XlsxError) as exc:
        messages.error(request, str(exc))
        return redirect(upload_url)
    job = start_job(request, run=run, permission=permission, dry_run=False, file_name=_staged_name(path),
                    rows_total=total, source=path.stem)
    if in_background(job):
        return redirect(f"{resolve_url(upload_url)}?job={job.pk}")
    report = run_job(job, data)
    if report is None:  # the file could not be read again
        job.refresh_from_db()
        messages.error(request, job.message)
        return redirect(upload_url)
    if report.ok:
        messages.success(request, done_message(report.created))
        return redirect(done_url)
    # The data changed between preview and confirm (e.g. someone registered one of the codes).
    job.refresh_from_db()
    return _page(request, template, form=ImportFileForm(), report=report, job=job, salt=salt)


def _staged_name(path: Path) -> str:
    """The name the user gave the staged file (from its dry run's job)."""
    dry = ImportJob.objects.filter(source=path.stem, dry_run=True).order_by("-created_at").first()
    return dry.file_name if dry is not None else path.name


# --- the command ------------------------------------------------------------------------------------


class ImportCommand(BaseCommand):
    """``FILE [--dry-run] [--as USERNAME]``: import as the named active user (recorded in the
    audit trail) or, without ``--as``, as the system. Subclasses name what they import
    (`noun`, as in "已导入 3 家企业") and run their importer in `run`."""

    noun = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--as", dest="username", default="", help="the user the import is done as (recorded in the audit trail)"
        )

    def run(self, data: bytes, *, actor: Actor | None, dry_run: bool, options: dict[str, Any]) -> ImportReport:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        actor = None
        if options["username"]:
            actor = User.objects.filter(username=options["username"], is_active=True).first()
            if actor is None:
                raise CommandError(f"没有启用的用户：{options['username']}")
        try:
            report = self.run(path.read_bytes(), actor=actor, dry_run=options["dry_run"], options=options)
        except XlsxError as exc:
            raise CommandError(str(exc)) from exc
        for error in report.errors:
            self.stderr.write(f"第 {error.row} 行 {error.column or ''}：{error.message}")
        if not report.ok:
            raise CommandError(f"共 {report.total_rows} 行，{len(report.errors)} 处错误，未导入任何数据。")
        if not report.total_rows:
            raise CommandError("文件中没有数据行（表头下方是空的），未导入任何数据。")
        verb = "校验通过，可导入" if report.dry_run else "已导入"
        self.stdout.write(f"共 {report.total_rows} 行，{verb} {report.created} {self.noun}。")


# --- rows written one by one through a single-row service ---------------------------------------------


def write_each(batch: list[Row], write: Callable[[Row], Any]) -> list[Any]:
    """Write every row through `write` (a single-row service, each in its own savepoint) and
    refuse them all, by row, when any fails: the bulk service of an importer whose rows go
    through the pages' own services (permissions, validation and audit as on the page)."""
    done: list[Any] = []
    errors: dict[int, DomainError] = {}
    for index, arguments in enumerate(batch):
        try:
            with transaction.atomic():
                done.append(write(arguments))
        except DomainError as exc:
            errors[index] = exc
    if errors:
        raise RowsRefused(errors)
    return done


def check_each(batch: list[Row], write: Callable[[Row], Any]) -> dict[int, DomainError]:
    """`write_each` rolled back: the refusals of every row, nothing written (the check of the
    readable rows when others could not be read)."""
    try:
        with transaction.atomic():
            write_each(batch, write)
            transaction.set_rollback(True)
    except RowsRefused as exc:
        return exc.errors
    return {}


def import_through(
    rows: Sequence[SheetRow], *, read: Callable[[SheetRow], Row], key_column: str, key: Callable[[Row], str],
    write: Callable[[Row], Any], field_columns: Mapping[str, str], dry_run: bool,
) -> ImportReport:
    """`import_rows` with each row written by the single-row service `write`."""
    return import_rows(
        rows, read=read, key_column=key_column, key=key,
        create_many=lambda batch: write_each(batch, write), validate_many=lambda batch: check_each(batch, write),
        field_columns=field_columns, dry_run=dry_run,
    )
