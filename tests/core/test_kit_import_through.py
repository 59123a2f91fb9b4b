"""``import_through``: an importer whose rows go one by one through a single-row service —
every refused row reported by its own number, nothing written unless all pass."""

from __future__ import annotations

from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.imports import RowError, RowInvalid, check_each, import_through
from yancheng.core.models import Region
from yancheng.lib.xlsx import SheetRow


def sheet(*rows):
    return [SheetRow(number=n, values=values) for n, values in enumerate(rows, start=2)]


def read(row):
    if not row.values.get("code"):
        raise RowInvalid("代码", "必填。")
    return {"code": row.values["code"], "name": row.values.get("name", "")}


def write(arguments):
    if arguments["name"] == "坏":
        raise ValidationFailed("名称不行。", field="name")
    return Region.objects.create(code=arguments["code"], name=arguments["name"], kind="district")


def run(rows, *, dry_run=False):
    return import_through(rows, read=read, key_column="代码", key=lambda a: a["code"], write=write,
                          field_columns={"name": "名称"}, dry_run=dry_run)


def test_every_row_is_written_through_the_service(db):
    report = run(sheet({"code": "990001", "name": "一"}, {"code": "990002", "name": "二"}))
    assert report.ok and report.created == 2
    assert Region.objects.filter(code__startswith="99").count() == 2


def test_each_refused_row_is_reported_by_its_number_and_nothing_is_kept(db):
    report = run(sheet({"code": "990001", "name": "坏"}, {"code": "990002", "name": "二"},
                       {"code": "990003", "name": "坏"}))
    assert report.errors == [RowError(2, "名称", "名称不行。"), RowError(4, "名称", "名称不行。")]
    assert report.created == 0 and not Region.objects.filter(code__startswith="99").exists()


def test_the_readable_rows_are_checked_when_others_cannot_be_read(db):
    report = run(sheet({"code": "", "name": "一"}, {"code": "990002", "name": "坏"}, {"code": "990003", "name": "三"}))
    assert {(e.row, e.column) for e in report.errors} == {(2, "代码"), (3, "名称")}
    assert not Region.objects.filter(code__startswith="99").exists()
    assert check_each([{"code": "990004", "name": "四"}], write) == {}
    assert not Region.objects.filter(code="990004").exists()
