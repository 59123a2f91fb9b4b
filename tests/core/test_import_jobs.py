"""Imports as jobs (core/kit/import_jobs.py): a file of more than
YANCHENG_IMPORT_BACKGROUND_ROWS rows is checked and written by a background task whose
progress the page polls; every job's result is the uploaded sheet with an error column;
a crash in the middle of the write leaves nothing and the job failed; only the uploader
(and a system administrator holding the importer's permission) sees a job."""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from yancheng.core.jobs import registered_jobs
from yancheng.core.kit import import_jobs
from yancheng.core.kit.imports import RowInvalid, import_rows
from yancheng.core.models import Enterprise, ImportJob, Region
from yancheng.core.models.imports import STALE_AFTER
from yancheng.lib.uscc import complete
from yancheng.lib.xlsx import read_rows

HEADER = ["统一社会信用代码*", "企业名称*", "所在区划*"]


def workbook(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def enterprise_rows(count: int) -> list[list[object]]:
    return [[complete(f"91430426MA4J{n:05d}"), f"后台导入{n}有限公司", "430426"] for n in range(count)]


def upload(client, data: bytes, name: str = "企业.xlsx"):
    return client.post(reverse("core:enterprise_import"), {"file": SimpleUploadedFile(name, data)})


def test_a_file_of_1001_rows_is_checked_and_imported_in_the_background(client, world,
                                                                      django_capture_on_commit_callbacks):
    client.force_login(world.system_admin)
    with django_capture_on_commit_callbacks(execute=True):  # the task is queued on commit
        checked = upload(client, workbook(enterprise_rows(1001)))
    # The page comes back at once with the job; the (here immediate) task has run it.
    assert checked.status_code == 302 and "?job=" in checked["Location"]
    job = ImportJob.objects.get(user=world.system_admin, dry_run=True)
    assert job.state == ImportJob.State.DONE and job.rows_total == job.rows_done == 1001
    assert job.created == 1001 and job.error_count == 0 and job.result
    assert not Enterprise.objects.filter(name__startswith="后台导入").exists()  # a dry run writes nothing

    page = client.get(checked["Location"])
    assert page.status_code == 200 and page.context["token"]
    assert reverse("core:import_job_result", args=[job.pk]) in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("core:enterprise_import_confirm"), {"token": page.context["token"]})
    assert done.status_code == 302 and "?job=" in done["Location"]
    write = ImportJob.objects.get(user=world.system_admin, dry_run=False)
    assert write.state == ImportJob.State.DONE and write.created == 1001
    assert Enterprise.objects.filter(name__startswith="后台导入").count() == 1001
    result = client.get(done["Location"]).content.decode()
    assert "已全部导入，共 1001 行。" in result


def test_a_small_file_runs_in_the_request_and_offers_the_same_result_sheet(client, world):
    client.force_login(world.system_admin)
    rows = [*enterprise_rows(2), [complete("91430426MA4J99999"), "未知区划有限公司", "999999"], [complete("91430426MA4J99998"), "两处错误", "999999", "没有的园区"]]
    page = upload(client, workbook(rows, header=[*HEADER, "所在园区"]))
    assert page.status_code == 200  # no redirect: it ran here
    job = page.context["job"]
    assert job.state == ImportJob.State.DONE and job.error_count == 3 and not page.context["token"]

    sheet = client.get(reverse("core:import_job_result", args=[job.pk]))
    assert sheet.status_code == 200
    assert "filename*=UTF-8''%E4%BC%81%E4%B8%9A-" in sheet["Content-Disposition"]  # 企业-校验结果.xlsx
    book = load_workbook(io.BytesIO(sheet.content)).worksheets[0]
    assert [c.value for c in book[1]] == [*HEADER, "所在园区", "校验结果"]
    assert [c.value for c in book[2]][:3] == rows[0] and book.cell(2, 5).value is None  # the row that passed
    assert book.cell(4, 5).value == "所在区划：找不到区划“999999”。"
    assert book.cell(5, 5).value == "所在区划：找不到区划“999999”。；所在园区：找不到园区“没有的园区”。"


def test_progress_is_saved_while_the_rows_are_read_and_seen_from_another_connection(transactional_db, world,
                                                                                     monkeypatch, tmp_path):
    monkeypatch.setattr(import_jobs, "PROGRESS_EVERY", 10)
    seen: list[tuple[str, int]] = []

    def look() -> None:  # another thread: another database connection
        try:
            job = ImportJob.objects.get()
            seen.append((job.state, job.rows_done))
        finally:
            connections.close_all()

    def read(row):
        if row.number == 2 + 25:  # the 26th row: 20 reported
            other = threading.Thread(target=look)
            other.start()
            other.join()
        return {"code": str(row.values["代码"])}

    monkeypatch.setattr(sys.modules[__name__], "_READ", read)
    job = _job(world.system_admin, "tests.core.test_import_jobs.region_import", [[f"98{n:04d}"] for n in range(40)],
               header=["代码"])
    import_jobs.run_job(job)
    assert seen == [(ImportJob.State.RUNNING, 20)]
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.rows_done == 40 and job.created == 40
    assert Region.objects.filter(code__startswith="98").count() == 40


def test_a_crash_in_the_middle_of_the_write_leaves_nothing_and_the_job_failed(client, world):
    job = _job(world.system_admin, "tests.core.test_import_jobs.crashing_import", [[f"97{n:04d}"] for n in range(30)],
               header=["代码"])
    import_jobs.import_job_task.enqueue(str(job.pk))
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED and "没有写入任何数据" in job.message
    assert not Region.objects.filter(code__startswith="97").exists()  # the 15 created before the crash are gone
    client.force_login(world.system_admin)
    fragment = client.get(reverse("core:import_job_progress", args=[job.pk])).content.decode()
    assert "没有写入任何数据" in fragment and "data-running" not in fragment


def test_a_job_silent_for_too_long_shows_as_failed(client, world):
    job = _job(world.system_admin, "tests.core.test_import_jobs.region_import", [["960001"]], header=["代码"])
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.RUNNING,
                                               updated_at=job.created_at - STALE_AFTER)
    client.force_login(world.system_admin)
    fragment = client.get(reverse("core:import_job_progress", args=[job.pk])).content.decode()
    assert "导入中断" in fragment and "data-running" not in fragment


def test_a_running_job_shows_its_bar_and_disables_the_upload(client, world):
    job = _job(world.system_admin, "yancheng.core.importers.enterprises_import", enterprise_rows(3))
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.RUNNING, rows_total=3000, rows_done=1200)
    client.force_login(world.system_admin)
    page = client.get(reverse("core:enterprise_import")).content.decode()  # the running job is found again
    assert '<progress class="import-bar" max="3000" value="1200">' in page
    assert "已处理 1200 / 3000 行（40%）" in page
    assert '<button type="submit" disabled>' in page


@pytest.mark.parametrize("persona", ["dispatcher", "handler_power", "leader", "enterprise_a_user", "security_admin"])
def test_nobody_but_the_uploader_and_the_importers_administrator_sees_a_job(client, world, persona):
    client.force_login(world.system_admin)
    job = upload(client, workbook([["", "", "430426"]])).context["job"]
    assert job.result
    urls = [reverse("core:import_job_progress", args=[job.pk]), reverse("core:import_job_result", args=[job.pk]),
            reverse("core:enterprise_import") + f"?job={job.pk}"]
    for url in urls:
        assert client.get(url).status_code == 200
    client.force_login(getattr(world, persona))
    for url in urls[:2]:
        assert client.get(url).status_code == 404
    if persona == "dispatcher":  # may import enterprises, but not look at another's file
        assert client.get(urls[2]).status_code == 404


def test_the_system_administrator_holding_the_permission_sees_a_dispatchers_job(client, world):
    client.force_login(world.dispatcher)
    job = upload(client, workbook([["", "", "430426"]])).context["job"]
    client.force_login(world.system_admin)
    assert client.get(reverse("core:import_job_result", args=[job.pk])).status_code == 200


def test_a_job_of_another_importer_is_not_shown_on_this_page(client, world):
    job = _job(world.system_admin, "tests.core.test_import_jobs.region_import", [["960002"]], header=["代码"])
    client.force_login(world.system_admin)
    assert client.get(reverse("core:enterprise_import") + f"?job={job.pk}").status_code == 404
    assert client.get(reverse("core:enterprise_import") + "?job=not-a-uuid").status_code == 404


# --- importers of the tests (module level: the task imports them by path) -------------------------

_READ = None


def _job(user, importer: str, rows, header=HEADER) -> ImportJob:
    data = workbook(rows, header=header)
    return ImportJob.objects.create(
        user=user, importer=importer, file_name="t.xlsx", dry_run=False, rows_total=len(read_rows(data, required=())),
        source=import_jobs.keep_file(data), language="zh-hans",
    )


def _read_code(row):
    if not row.values.get("代码"):
        raise RowInvalid("代码", "必填。")
    return {"code": str(row.values["代码"])}


def _create(batch, *, crash_after: int | None = None):
    created = []
    for index, arguments in enumerate(batch):
        if crash_after is not None and index == crash_after:
            raise RuntimeError("the worker fell over")
        created.append(Region.objects.create(code=arguments["code"], name="测试", kind="district"))
    return created


def region_import(source, *, actor, dry_run):
    return import_rows(
        read_rows(source, required=["代码"]), read=_READ or _read_code, key_column="代码", key=lambda a: a["code"],
        create_many=_create, validate_many=lambda batch: {}, field_columns={}, dry_run=dry_run,
    )


def crashing_import(source, *, actor, dry_run):
    return import_rows(
        read_rows(source, required=["代码"]), read=_read_code, key_column="代码", key=lambda a: a["code"],
        create_many=lambda batch: _create(batch, crash_after=15), validate_many=lambda batch: {}, field_columns={},
        dry_run=dry_run,
    )


def test_old_jobs_and_stray_files_are_pruned_and_recent_ones_kept(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    now = timezone.now()
    old = _job(world.system_admin, "tests.core.test_import_jobs.region_import", [["960001"]])
    old.result = import_jobs.keep_file(b"result")
    old.state, old.finished_at = ImportJob.State.DONE, now - dt.timedelta(days=31)
    old.save()
    recent = _job(world.system_admin, "tests.core.test_import_jobs.region_import", [["960002"]])
    recent.state, recent.finished_at = ImportJob.State.DONE, now - dt.timedelta(days=29)
    recent.save()
    running = _job(world.system_admin, "tests.core.test_import_jobs.region_import", [["960003"]])  # not finished
    stray_old = import_jobs.keep_file(b"left behind")
    stray_new = import_jobs.keep_file(b"being checked")
    two_days_ago = (now - dt.timedelta(days=2)).timestamp()
    os.utime(import_jobs.file_path(stray_old), (two_days_ago, two_days_ago))

    assert import_jobs.prune_import_jobs(now=now) == 1

    assert set(ImportJob.objects.values_list("pk", flat=True)) == {recent.pk, running.pk}
    assert not import_jobs.file_path(old.source).exists() and not import_jobs.file_path(old.result).exists()
    assert import_jobs.file_path(recent.source).exists() and import_jobs.file_path(running.source).exists()
    assert not import_jobs.file_path(stray_old).exists()
    assert import_jobs.file_path(stray_new).exists()  # younger than a day: its job may be on its way
    assert "imports.prune" in {job.name for job in registered_jobs()}
