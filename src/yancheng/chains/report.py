"""A chain's monthly report (产业链月度工作报告), as a 公文 (.docx, GB/T 9704 through
``core.kit.documents``) and as a workbook (.xlsx, one sheet per part). Every figure is read
through the families' selectors (no second rule):

- 发展目标: this year's targets as of the month's end — each target's actuals up to the month's
  period (a quarterly target's last quarter ended by then), lit by ``selectors_targets.target_row``;
- 在建重大项目: the chain's projects under construction the reader may see, with their three
  lights (``selectors_problems.project_rows``; the projects' lights are as of the day printed);
- 招商引资: the chain's leads the reader reads by stage now, and the signings dated in the month;
- 重点问题: the chain's problems submitted in the month, resolved in the month, and red open now;
- 科研成果对接: matches of the chain's results that ended in the month (达成合作 / 未达成);
- 链长会议: the meetings held in the month, their decisions and their cases' state."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.cases.models import Case
from yancheng.core.kit.documents import OfficialDocument
from yancheng.core.models import IndustryChain
from yancheng.core.typing import Actor
from yancheng.lib.xlsx import write_sheets

from .models import Cadence, ChainMeeting, LeadStage, MatchStatus, ResearchMatch
from .selectors import LIGHT_LABELS, profile_of
from .selectors_leads import counts_by, lead_list
from .selectors_meetings import decision_cases
from .selectors_problems import ProblemFilters, chain_problems, project_rows, red_problems
from .selectors_targets import TargetRow, target_row, targets_of


def parse_month(raw: str | None, today: dt.date | None = None) -> tuple[int, int]:
    """``YYYY-MM`` (a month that has begun); anything else is last month."""
    today = today or timezone.localdate()
    try:
        year, month = (int(x) for x in str(raw or "").split("-"))
        if year >= 2000 and 1 <= month <= 12 and dt.date(year, month, 1) <= today:
            return year, month
    except ValueError:
        pass
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.year, last.month


def _light(light: str) -> str:
    return str(LIGHT_LABELS[light])


@dataclass
class MonthlyReport:
    chain: IndustryChain
    year: int
    month: int
    targets: list[TargetRow] = field(default_factory=list)
    projects: list[Any] = field(default_factory=list)
    stages: dict[str, int] = field(default_factory=dict)
    signed: list[Any] = field(default_factory=list)
    opened: list[Case] = field(default_factory=list)
    resolved: list[Case] = field(default_factory=list)
    red: list[Case] = field(default_factory=list)
    outcomes: list[ResearchMatch] = field(default_factory=list)
    meetings: list[tuple[ChainMeeting, list[tuple[Any, Case | None]]]] = field(default_factory=list)

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def label(self) -> str:
        return _("%(y)d年%(m)d月") % {"y": self.year, "m": self.month}


def _window(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(first, dt.time.min, tzinfo=tz),
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def build_report(user: Actor, chain: IndustryChain, year: int, month: int) -> MonthlyReport:
    report = MonthlyReport(chain=chain, year=year, month=month)
    start, end = _window(report.first, report.last)
    for target in targets_of([chain], [year]):
        upto = month if target.cadence == Cadence.MONTHLY else month // 3
        actuals = [a for a in target.actuals.all() if a.period <= upto]
        report.targets.append(target_row(target, report.last, actuals))
    report.projects = project_rows(user, chain)
    leads = lead_list(user, chain)
    report.stages = {stage: 0 for stage in LeadStage.values} | counts_by(leads, "stage")
    report.signed = list(leads.filter(signed_on__gte=report.first, signed_on__lte=report.last).order_by("signed_on"))
    every = chain_problems(chain, ProblemFilters(status="all"))
    report.opened = list(every.filter(created_at__gte=start, created_at__lt=end))
    report.resolved = list(every.filter(resolved_at__gte=start, resolved_at__lt=end))
    report.red = list(red_problems(chain))
    report.outcomes = list(ResearchMatch.objects.filter(
        result__chain=chain, status__in=(MatchStatus.SUCCEEDED, MatchStatus.FAILED),
        updated_at__gte=start, updated_at__lt=end).select_related("result", "enterprise").order_by("updated_at"))
    for meeting in ChainMeeting.objects.filter(chain=chain, held_on__gte=report.first, held_on__lte=report.last
                                               ).order_by("held_on", "pk"):
        cases = decision_cases(meeting)
        report.meetings.append((meeting, [(d, cases.get(d.case_id or 0))
                                          for d in meeting.decisions.select_related("lead_org")]))
    return report


# --- the parts, as (title, headers, rows): the workbook's sheets and the document's tables ---------


def _parts(report: MonthlyReport) -> list[tuple[str, list[str], list[list[Any]]]]:
    targets = [[r.target.label, r.target.unit, r.target.target_value, r.latest.value if r.latest else None,
                r.latest_label, r.completion, r.expected, _light(r.light)] for r in report.targets]
    projects = [[p.project.code, p.project.name, p.project.get_stage_display(), _light(p.lights.start),
                 _light(p.lights.progress.light), _light(p.lights.nodes), _light(p.worst)] for p in report.projects]
    stages = [[str(label), report.stages.get(value, 0)] for value, label in LeadStage.choices]
    signed = [[x.number, x.investor, x.project_name, x.planned_investment, x.signed_on, x.owner_org.name]
              for x in report.signed]
    problems = ([[_("本月新增"), c.number, c.title, c.get_status_display(), timezone.localdate(c.created_at)] for c in report.opened]
                + [[_("本月办结"), c.number, c.title, c.get_status_display(), timezone.localdate(c.resolved_at) if c.resolved_at
                    else None] for c in report.resolved]
                + [[_("红灯未办结"), c.number, c.title, c.get_status_display(), timezone.localdate(c.created_at)] for c in report.red])
    outcomes = [[m.result.title, m.enterprise.name, m.get_status_display(), m.outcome, timezone.localdate(m.updated_at)]
                for m in report.outcomes]
    decisions = [[meeting.held_on, meeting.title, d.text, d.lead_org.name, case.number if case else "",
                  case.get_status_display() if case else _("未交办")]
                 for meeting, rows in report.meetings for d, case in rows]
    return [
        (_("发展目标"), [_("指标"), _("单位"), _("年度目标"), _("累计完成"), _("报送期"), _("完成率（%）"), _("序时进度（%）"),
                       _("灯号")], targets),
        (_("在建重大项目"), [_("项目编号"), _("项目名称"), _("阶段"), _("开工"), _("进度"), _("节点"), _("综合")], projects),
        (_("招商线索阶段"), [_("阶段"), _("线索数")], stages),
        (_("本月签约"), [_("编号"), _("目标企业"), _("拟引进项目"), _("计划投资（万元）"), _("签约日期"), _("责任单位")], signed),
        (_("重点问题"), [_("类别"), _("编号"), _("问题"), _("状态"), _("日期")], problems),
        (_("科研成果对接"), [_("科研成果"), _("企业"), _("结果"), _("对接结果"), _("日期")], outcomes),
        (_("链长会议议定事项"), [_("会议日期"), _("会议"), _("议定事项"), _("责任单位"), _("交办编号"), _("办理状态")],
         decisions),
    ]


def report_xlsx(report: MonthlyReport) -> bytes:
    return write_sheets(_parts(report))


def report_title(report: MonthlyReport) -> str:
    return _("%(c)s产业链%(m)s工作报告") % {"c": report.chain.name, "m": report.label}


def report_docx(report: MonthlyReport) -> bytes:
    office = profile_of(report.chain).office
    document = OfficialDocument(report_title(report), issuer=office.name if office else None,
                                date=timezone.localdate())
    document.blank()
    red_targets = sum(1 for r in report.targets if r.light == "red")
    document.paragraph(_("%(m)s，%(c)s产业链共有发展目标 %(t)d 项（红灯 %(r)d 项），在建重大项目 %(p)d 个，本月新签约招商项目 "
                         "%(s)d 个，新增重点问题 %(o)d 个、办结 %(d)d 个，红灯问题 %(red)d 个。") % {
        "m": report.label, "c": report.chain.name, "t": len(report.targets), "r": red_targets,
        "p": len(report.projects), "s": len(report.signed), "o": len(report.opened), "d": len(report.resolved),
        "red": len(report.red)})
    for title, headers, rows in _parts(report):
        document.heading(title)
        if rows:
            document.table(headers, rows)
        else:
            document.paragraph(_("本月无。"))
    document.imprint(issuer=office.name if office else None)
    return document.to_bytes()
