"""Reading and writing .xlsx: exports of lists (openpyxl), imports with row numbers.

Imports are read with python-calamine (a Rust reader): openpyxl took 33 s to read a
100,000-row sheet on the benchmark machine, calamine 2.5 s. Its values are normalised to
what openpyxl gives (empty cells None, whole numbers int, dates as datetimes), so the
importers see the same values either way."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from itertools import chain, islice
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

MAX_IMPORT_ROWS = 200_000
# A .xlsx is a zip: refuse archive bombs before the reader inflates them.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000


class XlsxError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why, in the user's language."""


@dataclass(frozen=True)
class SheetRow:
    number: int  # the row number the user sees in Excel
    values: dict[str, Any]


def _cell_value(value: Any) -> Any:
    """A calamine cell as openpyxl gives it, text stripped."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time())
    return value


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise XlsxError(_("文件结构异常（条目过多），已拒绝。"))
            if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
                raise XlsxError(_("文件解压后过大，已拒绝。"))
    except zipfile.BadZipFile as exc:
        raise XlsxError(_("不是有效的 .xlsx 文件（请用 Excel 或 WPS 另存为 .xlsx 格式）。")) from exc


def sheet_names(source: bytes) -> list[str]:
    """The names of a workbook's sheets, in order."""
    _check_zip(source)
    try:
        return list(CalamineWorkbook.from_filelike(io.BytesIO(source)).sheet_names)
    except Exception as exc:  # the reader raises several kinds for a broken file
        raise XlsxError(_("无法读取该 .xlsx 文件：%(err)s") % {"err": type(exc).__name__}) from exc


def read_rows(source: IO[bytes] | bytes, *, required: Sequence[str], aliases: dict[str, str] | None = None,
              sheet_name: str | None = None) -> list[SheetRow]:
    """Read the first sheet (or the sheet named ``sheet_name``): the first non-empty row is the
    header. Headers are matched against ``required`` and ``aliases`` (alias → canonical name).
    Empty rows are skipped."""
    data = source if isinstance(source, bytes) else source.read()
    _check_zip(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0) if sheet_name is None else book.get_sheet_by_name(sheet_name)
        # From A1 (skip_empty_area=False), so the row numbers are the ones Excel shows.
        table = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # the reader raises several kinds for a broken file
        raise XlsxError(_("无法读取该 .xlsx 文件：%(err)s") % {"err": type(exc).__name__}) from exc
    aliases = aliases or {}
    rows: list[SheetRow] = []
    header: list[str | None] | None = None
    for number, raw in enumerate(table, start=1):
        values = [_cell_value(v) for v in raw]
        if all(v in (None, "") for v in values):
            continue
        if header is None:
            header = []
            for v in values:
                name = str(v).strip().rstrip("*＊").strip() if v not in (None, "") else None
                header.append(aliases.get(name, name) if name else None)
            missing = [r for r in required if r not in header]
            if missing:
                raise XlsxError(_("表头缺少列：%(cols)s") % {"cols": "、".join(missing)})
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            raise XlsxError(_("一次最多导入 %(n)d 行。") % {"n": MAX_IMPORT_ROWS})
        rows.append(SheetRow(number, {h: v for h, v in zip(header, values, strict=False) if h}))
    if header is None:
        raise XlsxError(_("文件是空的。"))
    return rows


# Number formats of the typed cells: money and scores keep their decimals, days read as days.
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# Column widths are measured on the header and the first rows (the rest are streamed).
WIDTH_SAMPLE_ROWS = 500
MIN_WIDTH = 8
MAX_WIDTH = 60


def display_width(text: str) -> int:
    """The width of `text` in Excel's character units: a CJK (wide) character counts two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _decimal_format(value: Decimal) -> str:
    """Two decimals (amounts in 万元, scores), more if the value has them (at most 4): the same
    format down a column whether or not the database kept a sum's trailing zeros."""
    exponent = value.as_tuple().exponent
    places = min(max(-exponent, 2), 4) if isinstance(exponent, int) else 2
    return "#,##0." + "0" * places


def _excel_value(value: Any) -> tuple[Any, str | None]:
    """The value a cell holds and its number format (None: General)."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0), DATETIME_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    if isinstance(value, bool):
        return (_("是") if value else _("否")), None
    if isinstance(value, Decimal):
        return (value, _decimal_format(value)) if value.is_finite() else (None, None)
    if value is None or isinstance(value, int | float | str):
        return value, None
    return str(value), None


def _shown_width(value: Any, number_format: str | None) -> int:
    if value is None:
        return 0
    if number_format in (DATE_FORMAT, DATETIME_FORMAT):
        return len(number_format)
    if isinstance(value, Decimal):
        places = len(number_format.partition(".")[2]) if number_format else 0
        return len(f"{value:,.{places}f}")
    if isinstance(value, float):
        return len(f"{value:.10g}")
    return max(display_width(line) for line in str(value).splitlines() or [""])


def write_workbook(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    header_notes: Sequence[str] = (),
    notes: tuple[str, Sequence[str], Iterable[Sequence[Any]]] | None = None,
    filter_rows: int | None = None,
) -> bytes:
    """One sheet with a bold, frozen header row and an autofilter; streams rows (write-only mode).

    Values keep their type: numbers (int, float, Decimal) are number cells (a Decimal shows two
    decimals, or the more it has, with thousands separators), a date is a date cell
    (yyyy-mm-dd), a datetime a date-and-time cell in local time (yyyy-mm-dd hh:mm), a bool
    是/否; anything else is text.
    Columns are as wide as the header and the first rows need (a CJK character counts two).
    The autofilter covers the header and the first `filter_rows` rows (all rows when None, none
    when 0): a sheet that has other blocks below its table filters only the table.

    `header_notes` are shown as comments on the header cells; `notes` (title, headers,
    rows) adds a second sheet after the first, e.g. the instructions of an import
    template, which must not sit among the rows the import reads."""
    workbook = Workbook(write_only=True)
    _write_sheet(workbook, title, headers, rows, header_notes, filter_rows)
    if notes is not None:
        _write_sheet(workbook, *notes, (), 0)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(
    workbook: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
    header_notes: Sequence[str], filter_rows: int | None,
) -> None:
    sheet = workbook.create_sheet(title=title[:31] or "Sheet1")
    sheet.freeze_panes = "A2"
    source = iter(rows)
    sample = [[_excel_value(v) for v in row] for row in islice(source, WIDTH_SAMPLE_ROWS)]
    widths = [display_width(str(header)) + 4 for header in headers]  # bold, and the filter's button
    for row in sample:
        for index, (value, number_format) in enumerate(row):
            width = _shown_width(value, number_format) + 2
            if index < len(widths):
                widths[index] = max(widths[index], width)
            else:
                widths.append(width)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(MIN_WIDTH, min(MAX_WIDTH, width))

    header_cells = []
    for index, header in enumerate(headers):
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF1F4")
        note = str(header_notes[index]) if index < len(header_notes) else ""
        if note:
            cell.comment = Comment(note, "")
        header_cells.append(cell)
    sheet.append(header_cells)

    def cells(row: list[tuple[Any, str | None]]) -> list[Any]:
        out: list[Any] = []
        for value, number_format in row:
            if number_format is None:
                out.append(value)
            else:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                out.append(cell)
        return out

    count = 0
    for converted in chain(sample, ([_excel_value(v) for v in row] for row in source)):
        sheet.append(cells(converted))
        count += 1
    shown = count if filter_rows is None else min(filter_rows, count)
    if headers and filter_rows != 0:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{shown + 1}"


def iter_chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def with_error_column(data: bytes, errors: dict[int, str], *, header: str,
                      by_sheet: dict[str, dict[int, str]] | None = None) -> bytes:
    """The uploaded workbook as it was, with one column added after the last on its first
    sheet: `header` in the header row (the first non-empty row, as `read_rows` takes it) and,
    on each row numbered in `errors`, that row's problems. A workbook imported sheet by sheet
    (``read_rows(sheet_name=…)``) gives each named sheet's errors in `by_sheet`, marked on that
    sheet the same way (a name the workbook lacks is passed over). The other sheets and the
    cells are kept; the file has already been read by `read_rows`, so it is a checked .xlsx."""
    from openpyxl import load_workbook

    _check_zip(data)
    try:
        workbook = load_workbook(io.BytesIO(data))
    except Exception as exc:  # openpyxl raises several kinds for a broken file
        raise XlsxError(_("无法读取该 .xlsx 文件：%(err)s") % {"err": type(exc).__name__}) from exc
    marks: list[tuple[Any, dict[int, str]]] = [(workbook.worksheets[0], errors)]
    marks += [(workbook[name], texts) for name, texts in (by_sheet or {}).items() if name in workbook.sheetnames]
    for sheet, texts in marks:
        if texts or sheet is workbook.worksheets[0]:
            _mark_errors(sheet, texts, header)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _mark_errors(sheet: Any, errors: dict[int, str], header: str) -> None:
    header_row = next(
        (number for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
         if any(value not in (None, "") for value in values)),
        1,
    )
    column = (sheet.max_column or 0) + 1
    title = sheet.cell(row=header_row, column=column, value=header)
    title.font = Font(bold=True, color="B00020")
    title.fill = PatternFill("solid", fgColor="FDECEA")
    red = Font(color="B00020")
    longest = display_width(header)
    for number, text in errors.items():
        cell = sheet.cell(row=number, column=column, value=text)
        cell.font = red
        longest = max(longest, display_width(text))
    sheet.column_dimensions[get_column_letter(column)].width = max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))


def write_sheets(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """Several sheets in one workbook, each (title, headers, rows) written as `write_workbook`
    writes its one (typed cells, frozen header, autofilter); titles are cut to Excel's 31
    characters and made unique."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for title, headers, rows in sheets:
        name = "".join(c for c in str(title) if c not in '[]:*?/\\')[:31] or "Sheet"
        base, n = name, 1
        while name in used:
            n += 1
            name = f"{base[:28]}({n})"
        used.add(name)
        _write_sheet(workbook, name, headers, rows, (), None)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
