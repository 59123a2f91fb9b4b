"""The weekly dispatch notice (周调度通报) as the offices circulate it: a .docx to print
and an .xlsx to work with. Both are made from the frozen agenda and the decisions, so the
notice of a closed meeting is the same whenever it is printed."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from yancheng.lib.xlsx import write_workbook

from ..models import AgendaItem, WeeklyMeeting
from .meetings import agenda_counts, decision_cases, decision_deadline


@dataclass
class NoticeData:
    title: str
    held_on: dt.date
    organiser: str
    scope: str
    chair: str
    minutes: str
    counts: list[tuple[str, int]]
    agenda: list[list[str]]
    decisions: list[list[Any]]  # the due day stays a date: a date cell in .xlsx


def notice_data(meeting: WeeklyMeeting) -> NoticeData:
    counts = agenda_counts(meeting)
    labels = dict(AgendaItem.Source.choices)
    agenda = [
        [str(n), str(item.get_source_display()), item.project.name if item.project else "", item.title,
         item.detail, item.responsible]
        for n, item in enumerate(meeting.agenda.select_related("project"), start=1)
    ]
    cases = decision_cases(meeting)
    decisions = []
    for n, decision in enumerate(meeting.decisions.select_related("lead_org", "project"), start=1):
        case = cases.get(decision.case_id or 0)
        due = decision_deadline(decision, case)
        decisions.append([
            str(n), decision.text, decision.project.name if decision.project else "", decision.lead_org.name,
            _("%(n)d 个工作日") % {"n": decision.due_working_days}, due,
            case.number if case else "",
        ])
    return NoticeData(
        title=meeting.title,
        held_on=meeting.held_on,
        organiser=meeting.organiser.name,
        scope=meeting.region.name if meeting.region else _("全市"),
        chair=meeting.chair,
        minutes=meeting.minutes,
        counts=[(str(labels[source]), counts.get(source, 0)) for source in labels],
        agenda=agenda,
        decisions=decisions,
    )


AGENDA_HEADERS = [_l("序号"), _l("类别"), _l("项目"), _l("议题"), _l("情况"), _l("责任单位")]
DECISION_HEADERS = [_l("序号"), _l("议定事项"), _l("项目"), _l("责任单位"), _l("办结时限"), _l("办结期限"),
                    _l("交办编号")]


def _summary(data: NoticeData) -> str:
    parts = "、".join(f"{label} {count} 项" for label, count in data.counts if count)
    return _("本次调度共列入议题 %(total)d 项（%(parts)s），议定事项 %(d)d 项。") % {
        "total": sum(c for _l, c in data.counts), "parts": parts or _("无"), "d": len(data.decisions),
    }


def notice_docx(meeting: WeeklyMeeting) -> bytes:
    """周调度通报 as a Word document: title, date, organiser, counts, agenda, decisions."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    data = notice_data(meeting)
    document: Any = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(11)
    heading = document.add_heading(_("周调度通报"), level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = document.add_paragraph(data.title)
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(
        _("会议日期：%(d)s　召集单位：%(o)s　范围：%(s)s") % {"d": data.held_on.isoformat(), "o": data.organiser,
                                                          "s": data.scope}
        + (_("　主持人：%(c)s") % {"c": data.chair} if data.chair else "")
    )
    document.add_heading(_("一、总体情况"), level=1)
    document.add_paragraph(_summary(data))
    counts_table = document.add_table(rows=1, cols=2)
    counts_table.style = "Table Grid"
    counts_table.rows[0].cells[0].text = _("类别")
    counts_table.rows[0].cells[1].text = _("数量")
    for label, count in data.counts:
        cells = counts_table.add_row().cells
        cells[0].text = label
        cells[1].text = str(count)

    document.add_heading(_("二、调度议题"), level=1)
    agenda_table = document.add_table(rows=1, cols=len(AGENDA_HEADERS))
    agenda_table.style = "Table Grid"
    for cell, header in zip(agenda_table.rows[0].cells, AGENDA_HEADERS, strict=True):
        cell.text = str(header)
    for row in data.agenda:
        for cell, value in zip(agenda_table.add_row().cells, row, strict=True):
            cell.text = value
    if not data.agenda:
        document.add_paragraph(_("本次无调度议题。"))

    document.add_heading(_("三、议定事项及责任分工"), level=1)
    decision_table = document.add_table(rows=1, cols=len(DECISION_HEADERS))
    decision_table.style = "Table Grid"
    for cell, header in zip(decision_table.rows[0].cells, DECISION_HEADERS, strict=True):
        cell.text = str(header)
    for row in data.decisions:
        for cell, value in zip(decision_table.add_row().cells, row, strict=True):
            cell.text = _cell_text(value)
    if not data.decisions:
        document.add_paragraph(_("本次无议定事项。"))
    if data.minutes:
        document.add_heading(_("四、会议纪要"), level=1)
        for line in data.minutes.splitlines():
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def notice_xlsx(meeting: WeeklyMeeting) -> bytes:
    """The same notice as one sheet: a header block, the counts, the agenda, the decisions."""
    data = notice_data(meeting)
    blank = [""] * len(DECISION_HEADERS)
    rows: list[list[Any]] = [
        [_("会议名称"), data.title], [_("会议日期"), data.held_on], [_("召集单位"), data.organiser],
        [_("范围"), data.scope], [_("总体情况"), _summary(data)], blank,
        [_("类别"), _("数量")], *[[label, count] for label, count in data.counts], blank,
        [_("调度议题")], [str(h) for h in AGENDA_HEADERS], *data.agenda, blank,
        [_("议定事项及责任分工")], [str(h) for h in DECISION_HEADERS], *data.decisions,
    ]
    return write_workbook(_("周调度通报"), [_("周调度通报"), data.title], rows, filter_rows=0)
