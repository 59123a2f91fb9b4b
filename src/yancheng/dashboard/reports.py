"""The monthly ranking as the offices circulate it: a printable 月排名通报 (.docx) and a
spreadsheet (.xlsx), both made from the frozen snapshot only."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.lib.xlsx import write_workbook

from .models import METRICS, RankingKind, RankingSnapshot


def ranking_columns() -> list[tuple[str, str]]:
    """(row key, header) of the ranking table, in the order of the formula."""
    return [
        ("rank", _("名次")),
        ("name", _("单位")),
        *[(key, str(label) + ("" if key == "escalations" else "（%）" if "rate" in key else "")) for
          _field, key, label, _sign in METRICS],
        ("attracted", _("引资（万元）")),
        ("won", _("争资（万元）")),
        ("score", _("得分")),
    ]


def snapshot_title(snapshot: RankingSnapshot) -> str:
    return _("%(city)s%(year)d年%(month)d月重大项目%(kind)s月排名通报") % {
        "city": settings.YANCHENG_CITY_NAME,
        "year": snapshot.month.year,
        "month": snapshot.month.month,
        "kind": RankingKind(snapshot.kind).label,
    }


def _cell(value: Any) -> Any:
    return "—" if value is None else value


def ranking_xlsx(snapshot: RankingSnapshot) -> bytes:
    columns = ranking_columns()
    rows = [[_cell(row.get(key)) for key, _header in columns] for row in snapshot.rows]
    rows.append([])
    rows.append([_("计分办法"), snapshot.formula.get("text", "")])
    rows.append([_("版本"), snapshot.version, _("生成时间"), timezone.localtime(snapshot.created_at)])
    return write_workbook(_("月排名"), [header for _key, header in columns], rows, filter_rows=len(snapshot.rows))


def ranking_docx(snapshot: RankingSnapshot) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    title = document.add_heading(snapshot_title(snapshot), level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    issued = timezone.localtime(snapshot.created_at)
    meta = document.add_paragraph(
        _("生成日期：%(date)s　　版本：第 %(version)d 版") % {"date": f"{issued:%Y年%m月%d日}", "version": snapshot.version}
    )
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_heading(_("计分办法"), level=2)
    document.add_paragraph(snapshot.formula.get("text", ""))
    document.add_heading(_("排名情况"), level=2)
    columns = ranking_columns()
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, (_key, header) in zip(table.rows[0].cells, columns, strict=True):
        cell.text = header
        for run in cell.paragraphs[0].runs:
            run.bold = True
            run.font.size = Pt(9)
    for row in snapshot.rows:
        cells = table.add_row().cells
        for cell, (key, _header) in zip(cells, columns, strict=True):
            cell.text = str(_cell(row.get(key)))
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(9)
    if snapshot.note:
        document.add_paragraph(_("说明：%(note)s") % {"note": snapshot.note})
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
