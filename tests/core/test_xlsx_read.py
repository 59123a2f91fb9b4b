"""lib.xlsx.read_rows: the values the importers get, and the row numbers people see in Excel."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook

from yancheng.lib.xlsx import XlsxError, read_rows


def _book(*rows: list[object]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_values_come_as_excel_shows_them_with_excel_row_numbers():
    data = _book(
        [],
        ["代码", "金额", "日期", "时间", "规上", "备注"],
        [430406, 12.5, dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 10, 30), True, "  保留文字  "],
        [None, None, None, None, None, None],
        ["91430406MD0000000F", 1_000_000, None, None, False, "   "],
    )
    rows = read_rows(data, required=["代码", "金额"])
    assert [row.number for row in rows] == [3, 5]  # the empty rows are skipped, not renumbered
    first, second = rows[0].values, rows[1].values
    assert first == {"代码": 430406, "金额": 12.5, "日期": dt.datetime(2026, 3, 1), "时间": dt.datetime(2026, 3, 1, 10, 30),
                     "规上": True, "备注": "保留文字"}
    assert isinstance(first["代码"], int) and str(first["代码"]) == "430406"  # a code typed as a number
    assert second == {"代码": "91430406MD0000000F", "金额": 1_000_000, "日期": None, "时间": None, "规上": False,
                      "备注": None}


def test_headers_take_aliases_and_ignore_required_marks():
    rows = read_rows(_book(["统一社会信用代码*", "名称"], ["X", "Y"]), required=["统一社会信用代码", "企业名称"],
                     aliases={"名称": "企业名称"})
    assert rows[0].values == {"统一社会信用代码": "X", "企业名称": "Y"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a zip at all", r"不是有效的 \.xlsx 文件"),
        (_book(["只有这一列"]), "表头缺少列"),
        (_book(), "文件是空的"),
    ],
)
def test_bad_files_are_refused_with_a_reason(data, message):
    with pytest.raises(XlsxError, match=message):
        read_rows(data, required=["代码"])


def test_a_zip_that_is_no_workbook_is_refused_without_a_crash():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "不是表格")
    with pytest.raises(XlsxError, match=r"无法读取该 \.xlsx 文件"):
        read_rows(buffer.getvalue(), required=["代码"])
