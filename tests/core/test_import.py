"""Importing enterprises from .xlsx: dry run, row-level errors, all or nothing."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from yancheng.core.importers import enterprises_import
from yancheng.core.models import Enterprise, IndustryChain
from yancheng.lib.uscc import complete
from yancheng.lib.xlsx import XlsxError

HEADER = ["统一社会信用代码*", "企业名称*", "所在区划*", "所在园区", "产业链", "规上工业", "信用风险等级"]


def workbook(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_rows():
    IndustryChain.objects.get_or_create(code="textile", defaults={"name": "纺织服装"})
    return [
        [complete("91430426MA4M00001"), "导入一号有限公司", "430426", "祁东经济开发区", "纺织服装", "是", "A"],
        [complete("91430426MA4M00002"), "导入二号有限公司", "祁东县", None, None, "否", None],
    ]


def test_a_dry_run_validates_everything_and_writes_nothing(world):
    report = enterprises_import(workbook(good_rows()), actor=world.system_admin, dry_run=True)
    assert report.ok and report.created == 2
    assert not Enterprise.objects.filter(name__startswith="导入").exists()


def test_a_real_import_creates_every_row_through_the_service(world):
    report = enterprises_import(workbook(good_rows()), actor=world.system_admin, dry_run=False)
    assert report.ok and report.created == 2
    first = Enterprise.objects.get(name="导入一号有限公司")
    assert first.park == world.qidong_park and first.grade == "A" and first.is_above_scale_industry
    assert [c.name for c in first.chains.all()] == ["纺织服装"]


def test_one_bad_row_reports_every_error_by_row_and_imports_nothing(world):
    rows = [
        *good_rows(),
        [complete("91430426MA4M00003")[:17] + "Z", "坏校验", "430426", None, None, None, None],
        [complete("91430426MA4M00004"), "未知区划", "999999", None, None, None, None],
        [complete("91430426MA4M00005"), "坏等级", "430426", None, None, None, "E"],
        [complete("91430426MA4M00006"), "坏标志", "430426", None, None, "也许", None],
        [good_rows()[0][0], "文件内重复", "430426", None, None, None, None],
        [world.enterprise_a.uscc, "已登记", "430426", None, None, None, None],
    ]
    report = enterprises_import(workbook(rows), actor=world.system_admin, dry_run=False)
    assert not report.ok and report.created == 0
    by_row = {e.row: e for e in report.errors}
    assert set(by_row) == {4, 5, 6, 7, 8, 9}
    assert by_row[4].column == "统一社会信用代码"
    assert by_row[5].column == "所在区划"
    assert by_row[6].column == "信用风险等级"
    assert by_row[7].column == "规上工业"
    assert "第 2 行" in by_row[8].message
    assert by_row[9].column == "统一社会信用代码"
    assert not Enterprise.objects.filter(name__startswith="导入").exists()


def test_a_missing_column_is_reported_before_any_row(world):
    with pytest.raises(XlsxError) as info:
        enterprises_import(workbook([], header=["企业名称"]), actor=world.system_admin, dry_run=True)
    assert "统一社会信用代码" in str(info.value)


def test_a_file_that_is_not_xlsx_gets_a_clear_message(world):
    with pytest.raises(XlsxError):
        enterprises_import(b"%PDF-1.7 not a spreadsheet", actor=world.system_admin, dry_run=True)


def test_the_import_page_previews_then_confirms(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.system_admin)
    upload = SimpleUploadedFile("e.xlsx", workbook(good_rows()))
    preview = client.post(reverse("core:enterprise_import"), {"file": upload})
    assert preview.status_code == 200
    token = preview.context["token"]
    assert token and not Enterprise.objects.filter(name__startswith="导入").exists()
    confirm = client.post(reverse("core:enterprise_import_confirm"), {"token": token})
    assert confirm.status_code == 302
    assert Enterprise.objects.filter(name__startswith="导入").count() == 2
    again = client.post(reverse("core:enterprise_import_confirm"), {"token": token})
    assert again.status_code == 302
    assert Enterprise.objects.filter(name__startswith="导入").count() == 2


def test_another_user_cannot_confirm_someone_elses_import(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.system_admin)
    token = client.post(
        reverse("core:enterprise_import"), {"file": SimpleUploadedFile("e.xlsx", workbook(good_rows()))}
    ).context["token"]
    client.force_login(world.dispatcher)
    assert client.post(reverse("core:enterprise_import_confirm"), {"token": token}).status_code == 403
    assert not Enterprise.objects.filter(name__startswith="导入").exists()


@pytest.mark.parametrize("persona", ["enterprise_a_user", "handler_power", "audit_admin"])
def test_roles_without_the_right_cannot_open_the_import(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("core:enterprise_import")).status_code == 403


def _filled(template: bytes, rows) -> bytes:
    """The downloaded template with `rows` written under its header, as a clerk fills it."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_template_as_downloaded_imports_without_errors_and_says_it_is_empty(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    client.force_login(world.system_admin)
    template = client.get(reverse("core:enterprise_import_template"))
    assert template.status_code == 200
    data = b"".join(template.streaming_content) if template.streaming else template.content
    book = load_workbook(io.BytesIO(data))
    assert book.worksheets[0].max_row == 1  # the header only; the hints are comments and a sheet of their own
    assert book.worksheets[1].title == "填写说明"
    assert book.worksheets[0]["A1"].comment is not None
    report = enterprises_import(data, actor=world.system_admin, dry_run=True)
    assert report.ok and report.total_rows == 0
    page = client.post(reverse("core:enterprise_import"), {"file": SimpleUploadedFile("t.xlsx", data)})
    assert page.status_code == 200 and not page.context["token"]
    assert "文件中没有数据行" in page.content.decode()


def test_a_filled_template_imports(client, world):
    client.force_login(world.system_admin)
    template = client.get(reverse("core:enterprise_import_template"))
    data = b"".join(template.streaming_content) if template.streaming else template.content
    uscc = complete("91430426MA4M00011")
    row = [uscc, "模板填写有限公司", "祁东县", "", "", "", "", "是", "否", "", "", "小巨人", "A"]
    report = enterprises_import(_filled(data, [row]), actor=world.system_admin, dry_run=False)
    assert report.ok and report.created == 1
    assert Enterprise.objects.get(uscc=uscc).srdi_tier == Enterprise.SrdiTier.LITTLE_GIANT


def test_a_row_reports_every_wrong_column_not_only_the_first(world):
    header = [*HEADER, "专精特新梯度"]
    rows = [[complete("91430426MA4M00012"), "多处错误", "999999", "没有的园区", "没有的链", "也许", None, "大巨人"]]
    report = enterprises_import(workbook(rows, header=header), actor=world.system_admin, dry_run=True)
    assert {(e.row, e.column) for e in report.errors} == {
        (2, "所在区划"), (2, "所在园区"), (2, "产业链"), (2, "规上工业"), (2, "专精特新梯度")
    }


@pytest.mark.parametrize(
    "spelling",
    ["小巨人", "专精特新“小巨人”", '专精特新"小巨人"', "专精特新‘小巨人’", "专精特新小巨人", "专精特新　小巨人", " 小巨人企业 "],
)
def test_the_usual_spellings_of_a_tier_are_accepted(world, spelling):
    header = [*HEADER, "专精特新梯度"]
    uscc = complete("91430426MA4M00013")
    rows = [[uscc, "写法有限公司", "祁东县　", None, None, "是　", "Ａ", spelling]]
    report = enterprises_import(workbook(rows, header=header), actor=world.system_admin, dry_run=False)
    assert report.ok, report.errors
    enterprise = Enterprise.objects.get(uscc=uscc)
    assert enterprise.srdi_tier == Enterprise.SrdiTier.LITTLE_GIANT
    assert enterprise.grade == "A" and enterprise.is_above_scale_industry
