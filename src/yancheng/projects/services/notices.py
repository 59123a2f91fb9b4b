"""The weekly dispatch notice (周调度通报) as the offices circulate it: a .docx to print
and an .xlsx to work with. Both are made from the frozen agenda and the decisions, so the
notice of a closed meeting is the same whenever it is printed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from yancheng.core.kit.documents import OfficialDocument, chinese_date
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
    """周调度通报 as a 公文 (``core.kit.documents``): title, the meeting, the overall
    figures, the agenda, the decisions with their due days, the minutes; the organiser and
    the meeting day as 落款, and a 版记 copying the units that lead a decision."""
    data = notice_data(meeting)
    document = OfficialDocument(_("周调度通报"), issuer=data.organiser, date=data.held_on)
    document.subtitle(data.title)
    document.blank()
    document.paragraph(
        _("会议日期：%(d)s　召集单位：%(o)s　范围：%(s)s") % {"d": chinese_date(data.held_on), "o": data.organiser,
                                                          "s": data.scope}
        + (_("　主持人：%(c)s") % {"c": data.chair} if data.chair else "")
    )
    document.heading(_("总体情况"))
    document.paragraph(_summary(data))
    document.table([_("类别"), _("数量")], [[label, count] for label, count in data.counts], widths=[3, 1])

    document.heading(_("调度议题"))
    if data.agenda:
        document.table([str(h) for h in AGENDA_HEADERS], data.agenda, widths=[2, 3, 5, 6, 8, 4])
    else:
        document.paragraph(_("本次无调度议题。"))

    document.heading(_("议定事项及责任分工"))
    if data.decisions:
        document.table([str(h) for h in DECISION_HEADERS], data.decisions, widths=[2, 8, 5, 5, 4, 5, 5])
    else:
        document.paragraph(_("本次无议定事项。"))
    if data.minutes:
        document.heading(_("会议纪要"))
        document.paragraph(data.minutes)
    leads = list(dict.fromkeys(row[3] for row in data.decisions if row[3]))
    document.imprint(copy_to=leads, date=data.held_on)
    return document.to_bytes()


def notice_filename(meeting: WeeklyMeeting, ext: str) -> str:
    """周调度通报-2026年第49周[-区划].docx: the ISO week of the meeting day."""
    year, week, _day = meeting.held_on.isocalendar()
    name = _("周调度通报-%(year)d年第%(week)d周") % {"year": year, "week": week}
    if meeting.region is not None:
        name += f"-{meeting.region.name}"
    return f"{name}.{ext}"


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
