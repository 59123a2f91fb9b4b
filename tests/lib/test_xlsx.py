"""The shared .xlsx writer, checked by reopening what it wrote: typed cells with their number
formats, the frozen and filtered header, column widths that fit Chinese text."""

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from yancheng.lib.xlsx import display_width, read_rows, write_workbook

SHANGHAI_NOON = dt.datetime(2026, 12, 7, 4, 5, 30, tzinfo=dt.UTC)  # 12:05:30 in Asia/Shanghai


def reopen(data: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert isinstance(sheet, Worksheet)
    return sheet


def test_values_keep_their_types_and_formats():
    sheet = reopen(write_workbook("清单", ["名称", "总投资（万元）", "得分", "项目数", "签约日期", "提交时间", "涉密"], [
        ["甲", Decimal("82400.00"), 87.5, 3, dt.date(2026, 3, 1), SHANGHAI_NOON, True],
        ["乙", Decimal("100"), None, 0, None, None, False],
    ]))
    amount, score, count, day, moment, flag = (sheet.cell(row=2, column=c) for c in range(2, 8))
    assert (amount.data_type, amount.value, amount.number_format) == ("n", 82400, "#,##0.00")
    assert (score.data_type, score.value, score.number_format) == ("n", 87.5, "General")
    assert (count.data_type, count.value) == ("n", 3)
    assert (day.data_type, day.value, day.number_format) == ("d", dt.datetime(2026, 3, 1), "yyyy-mm-dd")
    # An aware instant is written in local time, as a date-and-time cell.
    assert (moment.data_type, moment.value, moment.number_format) == (
        "d", dt.datetime(2026, 12, 7, 12, 5, 30), "yyyy-mm-dd hh:mm")
    assert flag.value == "是" and sheet.cell(row=3, column=7).value == "否"
    whole = sheet.cell(row=3, column=2)
    assert (whole.data_type, whole.value, whole.number_format) == ("n", 100, "#,##0.00")
    assert sheet.cell(row=3, column=3).value is None


def test_the_header_is_bold_frozen_and_filtered():
    sheet = reopen(write_workbook("清单", ["编号", "名称"], [["1", "甲"], ["2", "乙"], ["3", "丙"]]))
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B4"
    assert sheet["A1"].font.b and sheet["A1"].value == "编号"


def test_a_sheet_with_blocks_below_its_table_filters_only_the_table():
    rows = [["甲", 1], ["乙", 2], [], ["计分办法", "……"]]
    assert reopen(write_workbook("排名", ["单位", "得分"], rows, filter_rows=2)).auto_filter.ref == "A1:B3"
    assert reopen(write_workbook("通报", ["通报", "标题"], rows, filter_rows=0)).auto_filter.ref is None


def test_columns_are_as_wide_as_their_chinese_text():
    long_name = "衡阳市某某高新技术产业开发区管理委员会"
    sheet = reopen(write_workbook("清单", ["统一社会信用代码", "名称", "n"], [["91430400MA4L000000", long_name, 1]]))
    widths = {key: dim.width for key, dim in sheet.column_dimensions.items()}
    assert display_width("统一社会信用代码") == 16 and display_width("A1") == 2
    assert widths["A"] >= 20  # the header: 8 CJK characters, counted double
    assert widths["B"] >= display_width(long_name) > 13  # wider than Excel's default
    assert 8 <= widths["C"] < 13


def test_an_empty_export_still_has_its_header_and_filter():
    sheet = reopen(write_workbook("清单", ["编号", "名称"], []))
    assert [c.value for c in sheet[1]] == ["编号", "名称"]
    assert sheet.auto_filter.ref == "A1:B1"


def test_what_the_writer_writes_the_importer_reads_back():
    data = write_workbook("清单", ["名称", "总投资", "开工日期"], [["甲", Decimal("12.50"), dt.date(2026, 1, 2)]])
    [row] = read_rows(data, required=["名称"])
    assert row.number == 2
    assert row.values == {"名称": "甲", "总投资": 12.5, "开工日期": dt.datetime(2026, 1, 2)}


def test_a_workbook_is_read_sheet_by_sheet_and_its_errors_marked_on_each():
    import io

    from openpyxl import load_workbook

    from yancheng.lib.xlsx import read_rows, sheet_names, with_error_column, write_sheets

    data = write_sheets([("环节", ["编码"], [["a"], ["b"]]), ("关系", ["上游", "下游"], [["a", "x"]])])
    assert sheet_names(data) == ["环节", "关系"]
    rows = read_rows(data, required=["下游"], sheet_name="关系")
    assert [(r.number, r.values) for r in rows] == [(2, {"上游": "a", "下游": "x"})]
    marked = load_workbook(io.BytesIO(with_error_column(data, {3: "重复"}, header="校验结果",
                                                        by_sheet={"关系": {2: "没有 x"}, "别的": {2: "?"}})))
    assert [c.value for c in marked["环节"]["B"]] == ["校验结果", None, "重复"]
    assert [c.value for c in marked["关系"]["C"]] == ["校验结果", "没有 x"]
