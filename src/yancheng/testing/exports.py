"""Checks every list export's test makes on the file it gets back: an .xlsx download with the
list's name in ``filename*``, one sheet whose header is frozen and filtered, and its rows."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from yancheng.core.kit.exports import XLSX


@dataclass
class Export:
    sheet: Worksheet
    header: tuple[Any, ...]
    rows: list[tuple[Any, ...]]

    def column(self, name: str) -> list[Any]:
        index = self.header.index(name)
        return [row[index] for row in self.rows]

    def cell(self, row: int, name: str) -> Any:
        """The cell of data row `row` (0 is the first under the header) in column `name`."""
        return self.sheet.cell(row=row + 2, column=self.header.index(name) + 1)


def read_export(response: Any, name: str) -> Export:
    """The sheet of an export answered 200, named `name` (its file name starts with it),
    the header frozen at A2 and an autofilter over the header and every row."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    assert f"filename*=UTF-8''{quote(name + '-', safe='')}" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:")
    assert sheet.auto_filter.ref.endswith(str(len(values)))
    return Export(sheet=sheet, header=values[0], rows=values[1:])
