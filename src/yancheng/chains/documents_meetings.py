"""The 链长 meeting's minutes and notice (会议纪要) as a 公文 (``core.kit.documents``), made from
the frozen agenda and the decisions, so a closed meeting's notice is the same whenever printed."""

from __future__ import annotations

from django.utils.translation import gettext as _

from yancheng.core.kit.documents import OfficialDocument, chinese_date
from yancheng.lib.deadlines import due_day_label

from .models import ChainMeeting
from .selectors_meetings import decision_cases


def minutes_docx(meeting: ChainMeeting) -> bytes:
    document = OfficialDocument(_("%(c)s产业链链长会议纪要") % {"c": meeting.chain.name},
                                issuer=meeting.organiser.name, date=meeting.held_on)
    document.subtitle(meeting.title)
    document.blank()
    chair = meeting.chair.display_name if meeting.chair else ""
    document.paragraph(_("会议日期：%(d)s　承办单位：%(o)s") % {"d": chinese_date(meeting.held_on), "o": meeting.organiser.name}
                       + (_("　主持人：%(c)s") % {"c": chair} if chair else ""))
    document.heading(_("会议议题"))
    items = list(meeting.agenda.all())
    if items:
        document.table([_("序号"), _("类别"), _("议题"), _("情况"), _("责任单位")],
                       [[str(n), str(i.get_source_display()), i.title, i.detail, i.responsible]
                        for n, i in enumerate(items, start=1)], widths=[2, 3, 7, 8, 4])
    else:
        document.paragraph(_("本次无会议议题。"))
    document.heading(_("议定事项及责任分工"))
    decisions = list(meeting.decisions.select_related("lead_org"))
    cases = decision_cases(meeting)
    if decisions:
        rows = []
        for n, d in enumerate(decisions, start=1):
            case = cases.get(d.case_id or 0)
            rows.append([str(n), d.text, d.lead_org.name, _("%(n)d 个工作日") % {"n": d.due_working_days},
                         due_day_label(case.solve_due_at) if case else "", case.number if case else ""])
        document.table([_("序号"), _("议定事项"), _("责任单位"), _("办结时限"), _("办结期限"), _("交办编号")], rows,
                       widths=[2, 9, 5, 4, 4, 5])
    else:
        document.paragraph(_("本次无议定事项。"))
    if meeting.minutes:
        document.heading(_("会议纪要"))
        for para in meeting.minutes.splitlines():
            if para.strip():
                document.paragraph(para.strip())
    document.imprint(copy_to=list(dict.fromkeys(d.lead_org.name for d in decisions)), date=meeting.held_on)
    return document.to_bytes()
