"""Uploads and imports in a real browser: a file over the limit is refused before it is
sent, a small import is uploaded (with its progress) and checked, a big one shows its
progress bar with the upload button disabled until the job ends, then its report."""

from __future__ import annotations

import io

from openpyxl import Workbook
from playwright.sync_api import expect

from yancheng.core.kit import imports
from yancheng.core.models import Enterprise, ImportJob
from yancheng.lib.uscc import complete
from yancheng.testing.world import PERSONA_PASSWORD

from .conftest import login, screenshot


def _workbook(rows: int) -> bytes:
    book = Workbook()
    book.active.append(["统一社会信用代码*", "企业名称*", "所在区划*"])
    for n in range(rows):
        book.active.append([complete(f"91430426MA4K{n:05d}"), f"浏览器导入{n}有限公司", "430426"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_file_over_the_limit_is_refused_before_it_is_sent(phone, browser_world, monkeypatch, tmp_path):
    monkeypatch.setattr(imports, "MAX_FILE_BYTES", 2_000)  # read when the form is made
    login(phone, "system_admin", PERSONA_PASSWORD)
    phone.goto(phone.base_url + "/enterprises/import/")
    assert phone.get_attribute("#id_file", "data-max-bytes") == "2000"
    big = tmp_path / "企业名单.xlsx"
    big.write_bytes(_workbook(200))
    phone.set_input_files("#id_file", str(big))
    refusal = phone.locator(".upload-refused")
    assert "“企业名单.xlsx”有" in refusal.inner_text() and "超过 2 KB 的上限，没有上传" in refusal.inner_text()
    posts: list[str] = []
    phone.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    phone.click("button:has-text('上传并校验')")
    phone.wait_for_timeout(300)
    assert posts == [] and not ImportJob.objects.exists()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "import-too-big-phone")


def test_a_small_import_is_uploaded_checked_and_confirmed(page, browser_world, tmp_path):
    login(page, "system_admin", PERSONA_PASSWORD)
    page.goto(page.base_url + "/enterprises/import/")
    path = tmp_path / "三家企业.xlsx"
    path.write_bytes(_workbook(3))
    page.set_input_files("#id_file", str(path))
    with page.expect_request(lambda r: r.method == "POST" and r.resource_type == "xhr"):
        page.click("button:has-text('上传并校验')")  # sent by uploads.js, with its progress bar
    page.wait_for_selector("text=全部通过，可导入 3 家企业。")
    assert page.locator("a:has-text('下载校验结果')").count() == 1
    screenshot(page, "import-checked")
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=已导入 3 家企业。")
    assert Enterprise.objects.filter(name__startswith="浏览器导入").count() == 3


def test_a_background_import_shows_its_progress_and_holds_the_button_until_it_ends(page, browser_world):
    user = browser_world.system_admin
    job = ImportJob.objects.create(
        user=user, importer="yancheng.core.importers.enterprises_import", permission="core.import_enterprises",
        file_name="全市企业.xlsx", state=ImportJob.State.RUNNING, rows_total=3000, rows_done=1200, language="zh-hans",
    )
    login(page, "system_admin", PERSONA_PASSWORD)
    page.goto(page.base_url + "/enterprises/import/")
    bar = page.locator("progress.import-bar")
    assert bar.get_attribute("value") == "1200" and bar.get_attribute("max") == "3000"
    assert page.locator("button:has-text('上传并校验')").is_disabled()
    screenshot(page, "import-progress")

    ImportJob.objects.filter(pk=job.pk).update(rows_done=2400)
    expect(page.locator("progress.import-bar")).to_have_attribute("value", "2400")  # polled
    assert "已处理 2400 / 3000 行（80%）" in page.inner_text("[data-import-job]")

    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.DONE, rows_done=3000, created=2999, error_count=1,
        errors=[[7, "所在区划", "找不到区划“999999”。"]],
    )
    page.wait_for_selector("text=发现 1 处错误，未导入任何数据。")  # the page reloaded with the report
    assert page.locator("button:has-text('上传并校验')").is_enabled()
    assert page.locator("progress.import-bar").count() == 0
    assert "找不到区划“999999”。" in page.inner_text("table.list")
    screenshot(page, "import-done")


def test_on_a_phone_a_photo_over_the_cap_is_refused_at_once_and_a_small_one_is_uploaded(
    phone, browser_world, settings, tmp_path
):
    from tests.attachments.samples import png

    settings.YANCHENG_ATTACHMENT_MAX_BYTES = 50_000
    login(phone, "system_admin", PERSONA_PASSWORD)
    phone.goto(phone.base_url + f"/enterprises/{browser_world.enterprise_a.pk}/")
    file_input = "input[type=file][data-max-bytes]"
    assert phone.get_attribute(file_input, "data-max-bytes") == "50000"
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"0" * 120_000)
    phone.set_input_files(file_input, str(photo))
    assert "超过 49 KB 的上限，没有上传" in phone.inner_text(".upload-refused")
    posts: list[str] = []
    phone.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    phone.click("button:has-text('上传')")
    phone.wait_for_timeout(300)
    assert posts == []
    screenshot(phone, "attachment-too-big-phone")

    small = tmp_path / "营业执照.png"
    small.write_bytes(png())
    phone.set_input_files(file_input, str(small))
    assert phone.locator(".upload-refused").is_hidden()
    with phone.expect_request(lambda r: r.method == "POST" and r.resource_type == "xhr"):
        phone.click("button:has-text('上传')")
    phone.wait_for_selector("a:has-text('营业执照.png')")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    screenshot(phone, "attachment-uploaded-phone")
