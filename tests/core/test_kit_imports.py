"""The kit's import flow: rows read one by one with their errors by row number, a key given
twice refused, all or nothing in one transaction, dry runs that write nothing, and the
command's output and exit status."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.imports import RowError, RowInvalid, import_rows
from yancheng.core.models import Enterprise, Region
from yancheng.lib.uscc import complete
from yancheng.lib.xlsx import SheetRow


def sheet(*rows):
    return [SheetRow(number=n, values=values) for n, values in enumerate(rows, start=2)]


def read(row):
    if not row.values.get("code"):
        raise RowInvalid("代码", "必填。")
    return {"code": row.values["code"], "name": row.values.get("name", "")}


def create_many(batch):
    created = [Region.objects.create(code=a["code"], name=a["name"], kind="district") for a in batch]
    for index, arguments in enumerate(batch):
        if arguments["name"] == "坏":
            raise ValidationFailed(f"第 {index} 个不行。", field="name")
    return created


def validate_many(batch):
    return {i: ValidationFailed("名称不行。", field="name") for i, a in enumerate(batch) if a["name"] == "坏"}


def run(rows, *, dry_run=False):
    return import_rows(
        rows, read=read, key_column="代码", key=lambda a: a["code"].upper(), create_many=create_many,
        validate_many=validate_many, field_columns={"name": "名称"}, dry_run=dry_run,
    )


def test_good_rows_are_created_together(db):
    report = run(sheet({"code": "990001", "name": "一"}, {"code": "990002", "name": "二"}))
    assert report.ok and report.created == 2 and report.total_rows == 2 and not report.dry_run
    assert Region.objects.filter(code__startswith="99").count() == 2


def test_a_dry_run_counts_the_rows_and_keeps_nothing(db):
    report = run(sheet({"code": "990001", "name": "一"}), dry_run=True)
    assert report.ok and report.created == 1 and report.dry_run
    assert not Region.objects.filter(code__startswith="99").exists()


def test_a_row_refused_by_the_service_keeps_nothing_and_is_reported_by_its_row(db):
    report = run(sheet({"code": "990001", "name": "一"}, {"code": "990002", "name": "坏"}))
    assert not report.ok and report.created == 0
    assert report.errors == [RowError(2, "名称", "第 1 个不行。")]  # a batch error: once, on the first row
    assert not Region.objects.filter(code__startswith="99").exists()


def test_unreadable_and_duplicate_rows_are_listed_with_every_other_problem(db):
    report = run(sheet(
        {"code": "990001", "name": "一"},
        {"code": "", "name": "无码"},
        {"code": "990001", "name": "重复"},
        {"code": "990003", "name": "坏"},
    ), dry_run=True)
    assert report.errors == [
        RowError(3, "代码", "必填。"),
        RowError(4, "代码", "与第 2 行重复。"),
        RowError(5, "名称", "名称不行。"),
    ]
    assert report.created == 1  # on a dry run: the rows that passed
    assert not Region.objects.filter(code__startswith="99").exists()


def _workbook(rows):
    book = Workbook()
    book.active.append(["统一社会信用代码*", "企业名称*", "所在区划*"])
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_command_prints_each_error_and_fails_with_nothing_imported(world, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(_workbook([[complete("91430426MA4M00011"), "好企业", "430426"],
                                [complete("91430426MA4M00012"), "坏区划", "999999"]]))
    with pytest.raises(CommandError, match="共 2 行，1 处错误，未导入任何数据。"):
        call_command("enterprises_import", str(path), "--as", world.system_admin.username)
    assert "第 3 行 所在区划：找不到区划“999999”。" in capsys.readouterr().err
    assert not Enterprise.objects.filter(name="好企业").exists()


def test_the_command_reports_what_it_imported(world, tmp_path, capsys):
    path = tmp_path / "good.xlsx"
    path.write_bytes(_workbook([[complete("91430426MA4M00013"), "好企业", "430426"]]))
    call_command("enterprises_import", str(path), "--dry-run")
    assert capsys.readouterr().out.strip() == "共 1 行，校验通过，可导入 1 家企业。"
    call_command("enterprises_import", str(path))
    assert capsys.readouterr().out.strip() == "共 1 行，已导入 1 家企业。"
    with pytest.raises(CommandError, match="没有启用的用户：nobody"):
        call_command("enterprises_import", str(path), "--as", "nobody")
