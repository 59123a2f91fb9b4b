"""Demo cases for the Hengyang demo city (SPEC §2.3, §3 item 3).

`load_case_demo()` adds the seed story (the paper-box maker in 祁东's park reports
"高压专线未接入"; the power company connects the line a week later; the enterprise rates
满意), a copy of it still in progress, and a few hundred more problems of every kind, in
every state, under every light, some escalated — so that every demo login has a real inbox.

How the history is made (DEMO ONLY): every step goes through the real services, now, in
the order it happened; each call is stamped with the past moment it stands for. Once all
cases are made, their timestamps (the case's own, its events', sub-tasks', extension
requests' and in-app notifications') are moved back to those moments with queryset
updates, the deadlines are recomputed from the moved clock start by
:func:`yancheng.cases.clocks.set_clocks`, and the escalation job is run for each past
working day so that 催办/督办/通报 follow from the backdated deadlines. Audit records are
append-only and keep the moment the demo was loaded. Nothing outside this module writes
timestamps like this; production code never does.

Idempotent: the seed story's case is the marker; when it exists nothing is added.
Reproducible: one `random.Random` with a fixed seed, drawn the same number of times for
each case whatever the database holds. Names of people come from fixed lists, phone
numbers are 1380000xxxx: all invented.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yancheng.core import calendar
from yancheng.core.demo import GIVEN, REGION_SLUGS, SURNAMES
from yancheng.core.models import Enterprise, Organisation, Role, User
from yancheng.core.notifications.models import Notification
from yancheng.core.services import user_create

from . import services as svc
from .clocks import SHANGHAI, policy_for, set_clocks, working_days_elapsed
from .escalation import escalation_tick
from .intake import default_dispatch_org
from .models import Case, CaseEvent, CaseKind, CaseTask, ExtensionRequest, SlaPolicy, Status, Urgency

SEED = 20240426  # fixed: the same demo every time
SEED_ENTERPRISE = "祁东县示例纸箱包装有限公司"
SEED_TITLE = "高压专线未接入"
SEED_SUBJECT = "纸箱包装生产线项目"
CITY_OFFICE = "hy-zdxmb"
DRAWS_PER_CASE = 16


# --- what enterprises report ----------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A kind of problem: titles, who leads, who helps, how it ends.

    Unit codes may use ``@fgj``/``@gov``/``@scjg`` for the enterprise's county 发改局,
    government or 市场监管局."""

    titles: tuple[str, ...]
    description: str
    leads: tuple[str, ...]
    resolution: str
    co: tuple[str, ...] = ()
    co_instruction: str = ""
    kind: str = CaseKind.PROJECT_PROBLEM
    wrong_lead: str = "hy-fgw"  # where a dispatcher sends it by mistake (退回 → 改派)


PROBLEMS: tuple[Problem, ...] = (
    Problem(("项目用地报批进度滞后", "二期用地指标未落实", "用地预审迟迟未出具意见"),
            "项目已签约落地，用地报批材料已提交两个月，用地预审和农转用仍未批复，影响开工节点。",
            ("hy-zrzyj",), "已纳入本年度用地计划，用地预审意见已出具，农转用报批同步推进。",
            co=("@fgj",), co_instruction="配合核实项目立项与用地规模", wrong_lead="hy-zjj"),
    Problem(("建设工程规划许可证办理受阻", "规划条件调整申请未答复"),
            "总平面图已按意见修改三次，规划许可仍未核发，施工单位已进场待命。",
            ("hy-zrzyj",), "已召开专题会审定总平面图，建设工程规划许可证已核发。", wrong_lead="hy-zjj"),
    Problem(("施工许可证审批材料反复补正", "施工图审查周期过长"),
            "施工许可申报材料被要求反复补正，每次提出的问题不同，请一次性告知。",
            ("hy-zjj",), "已实行容缺受理并一次性告知补正清单，施工许可证已核发。",
            co=("hy-xzspj",), co_instruction="窗口容缺受理、并联审批", wrong_lead="hy-zrzyj"),
    Problem(("环评批复迟迟未下达", "排污许可证申领受阻"),
            "环评报告书已通过技术评审，批复仍未下达；企业已按要求补充了大气专项评价。",
            ("hy-sthjj",), "已开辟绿色通道，环评批复已下达，排污许可同步办理。", wrong_lead="hy-fgw"),
    Problem(("节能审查意见未出具", "能评指标不足"),
            "项目年综合能耗约 8000 吨标准煤，节能报告已报送，审查意见尚未出具。",
            ("@fgj", "hy-fgw"), "已完成节能审查并出具审查意见，能耗指标在市内统筹解决。",
            wrong_lead="hy-gxj"),
    Problem(("厂房消防验收排期过长", "消防设计审查意见有分歧"),
            "厂房主体已完工，消防验收申请提交后排期到一个月以后，影响设备进场。",
            ("hy-zjj",), "已提前上门指导整改，消防验收已通过并出具意见书。",
            co=("hy-xfzd",), co_instruction="提前介入指导消防设施整改", wrong_lead="hy-xfzd"),
    Problem(("投入使用前消防安全检查未安排",),
            "员工宿舍和食堂投入使用前需要消防安全检查，申请后一直未安排。",
            ("hy-xfzd",), "已现场检查，整改项已复核，准予投入使用。", wrong_lead="hy-zjj"),
    Problem(("专线接电进度滞后", "变压器增容申请未批复", "临时用电报装进度慢", "双回路供电方案未确定"),
            "新厂房设备已到场，供电线路尚未接入，无法调试生产，请协调供电部门加快接电。",
            ("hy-power",), "已按供电节点倒排工期，线路已接入送电，企业已试生产。",
            co=("@fgj",), co_instruction="协调线路走廊和青苗补偿", wrong_lead="hy-fgw"),
    Problem(("厂区供水管网未接通", "工业用水水压不足"),
            "园区供水主管已到厂区门口，接驳工程未安排，现靠水车临时供水。",
            ("hy-water",), "接驳工程已完工通水，水压经检测达到设计要求。", wrong_lead="hy-zjj"),
    Problem(("天然气管道接入报装", "工业用气价格偏高"),
            "锅炉和烘干线需要天然气，报装三周无答复，请明确接入时间和气价。",
            ("hy-gas",), "已完成管道接入并通气，工业用气按大用户价格执行。", wrong_lead="hy-fgw"),
    Problem(("招工难，急需熟练技工", "员工子女入学需协调"),
            "新产线投产需一线技工约 150 人，本地招聘不到，请协助对接职业院校和劳务协作。",
            ("hy-rsj",), "已组织专场招聘会和校企对接，首批 90 名技工已到岗。",
            co=("@gov",), co_instruction="组织乡镇劳动力摸底", wrong_lead="hy-gxj"),
    Problem(("流动资金贷款难", "技改贷款贴息未兑现"),
            "订单增加，流动资金紧张，银行要求追加抵押，请协调政银企对接。",
            ("hy-czj",), "已纳入风险补偿基金支持名单，合作银行已发放信用贷款。", wrong_lead="hy-fgw"),
    Problem(("技改补贴资金未兑现", "专精特新奖励资金未拨付"),
            "去年申报的技改补贴已公示，资金至今未到账。",
            ("hy-gxj",), "补贴资金已拨付到企业账户。",
            co=("hy-czj",), co_instruction="资金拨付", wrong_lead="hy-fgw"),
    Problem(("园区道路未修通，大件运输受阻", "厂区出入口道路开口审批"),
            "通往厂区的园区道路尚有 800 米未修通，大件设备无法运输进场。",
            ("hy-jtysj", "@gov"), "道路已铺通并临时开放，大件运输已完成。", wrong_lead="hy-zjj"),
    Problem(("货车通行证办理", "物流园区冷链仓储用地需求"),
            "成品需每日进城配送，货车通行证办理周期长、额度少。",
            ("hy-jtysj",), "已办理长期通行证并增加夜间配送时段。", wrong_lead="hy-scjg"),
    Problem(("营业执照经营范围变更", "食品生产许可证延续"),
            "因新增产品需变更经营范围和许可，窗口要求的材料与网上指南不一致。",
            ("@scjg", "hy-scjg"), "已按告知承诺制办结，新证照已寄送企业。", wrong_lead="hy-xzspj"),
    Problem(("不动产权证办理缓慢",),
            "厂房竣工验收已完成半年，不动产首次登记尚未办结，影响抵押融资。",
            ("hy-zrzyj",), "不动产权证已核发。", wrong_lead="hy-zjj"),
    Problem(("项目立项备案信息变更", "固定资产投资项目入库"),
            "项目建设内容调整，备案变更在线平台无法提交。",
            ("@fgj",), "已完成备案变更并纳入重点项目库。", wrong_lead="hy-gxj"),
    Problem(("周边群众阻工", "施工噪声投诉协调"),
            "厂区围墙施工时周边个别群众以补偿为由阻工，已停工五天。",
            ("@gov",), "乡镇已入户做工作，补偿按政策兑现到位，施工已恢复。", wrong_lead="hy-zxj"),
    Problem(("出口退税进度慢", "外贸订单通关便利化"),
            "出口订单增加，退税到账周期长，资金压力大。",
            ("hy-swj",), "已协调相关部门加快审核，退税款已到账。", wrong_lead="hy-czj"),
    Problem(("5G 信号覆盖不足", "工业互联网专线接入"),
            "厂区 5G 信号弱，智能仓储系统无法稳定运行。",
            ("hy-gxj",), "已协调运营商新建基站，信号已覆盖厂区。", wrong_lead="hy-xxzx"),
    Problem(("雨污管网接驳", "厂区排水许可"),
            "厂区雨污管网需要接入市政管网，接驳点未明确。",
            ("hy-water", "hy-zjj"), "接驳点已明确并完成接驳，排水许可已核发。", wrong_lead="hy-zxj"),
    Problem(("重复检查过多", "执法检查未亮码"),
            "本月已有四批次检查到企业，且有一次检查人员未扫码登记。",
            ("hy-sfj",), "已核查并督促相关部门合并检查事项，未亮码检查已责令整改。",
            kind=CaseKind.INSPECTION_COMPLAINT, wrong_lead="hy-scjg"),
)

# Which scenario each case follows, with its weight among the ~300.
SCENARIOS: tuple[tuple[str, int], ...] = (
    ("submitted", 7), ("withdrawn", 3), ("withdrawn_assigned", 1),
    ("assigned_green", 3), ("assigned_yellow", 2), ("assigned_red", 3),
    ("returned", 2), ("returned_reassigned", 3), ("returned_insisted", 2),
    ("accepted_green", 9), ("accepted_yellow", 7),
    ("red_pressed", 5), ("red_supervised", 4), ("red_reported", 3),
    ("suspended", 3), ("resumed", 2),
    ("extension_pending", 2), ("extension_approved", 3), ("extension_refused", 2),
    ("resolved_ontime", 5), ("resolved_late", 3),
    ("closed_satisfied", 18), ("closed_basic", 8), ("closed_late", 5),
    ("reopened_closed", 3), ("reopened_open", 2), ("reopened_twice", 1), ("revisit_unsolved", 1),
    ("merged", 3),
)


# --- the time map -------------------------------------------------------------------------------


class Timeline:
    """Which real instant stands for which past moment (demo-only backdating).

    Before each service call the real instant and the moment it stands for are noted;
    afterwards any timestamp written during that call maps to the moment plus the
    milliseconds the call took."""

    def __init__(self) -> None:
        self.real: list[dt.datetime] = []
        self.planned: list[dt.datetime] = []

    def mark(self, planned: dt.datetime) -> None:
        now = timezone.now()
        while self.real and now <= self.real[-1]:  # strictly increasing, even on a coarse clock
            time.sleep(0.000_01)
            now = timezone.now()
        self.real.append(now)
        self.planned.append(planned)

    def shift(self, value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return None
        index = bisect_right(self.real, value) - 1
        if index < 0:
            return value  # written before the demo started: not ours
        return self.planned[index] + (value - self.real[index])


# --- plans ----------------------------------------------------------------------------------------


@dataclass
class Step:
    at: dt.datetime
    action: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    """One case to make: who reports what, and the steps of its history."""

    enterprise: Enterprise
    problem: Problem
    title: str
    subject: str
    lead: Organisation
    dispatch: Organisation
    via_city_office: bool
    scenario: str
    urgency: str = Urgency.NORMAL
    solve_days: int = 5
    co: list[Organisation] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    extra_solve_days: int = 0  # working days spent 挂起 before a resume (the service sees none)
    merge_into: Plan | None = None
    description: str = ""
    resolution: str = ""
    case: Case | None = None

    @property
    def submitted_at(self) -> dt.datetime:
        return self.steps[0].at

    @property
    def needs_enterprise_user(self) -> bool:
        return any(s.action in {"rate", "withdraw", "urge", "revisit"} for s in self.steps)


def _acting(user: User | None) -> User:
    """The lead unit's handler, for the steps that come after the case was assigned."""
    if user is None:
        raise ValueError("the case has no lead unit yet")
    return user


def _pick(seq: Sequence[Any], u: float) -> Any:
    return seq[min(int(u * len(seq)), len(seq) - 1)]


SUBJECT_SUFFIXES = ("扩建项目", "技改项目", "新厂区建设项目", "生产线建设项目")


def _subject_of(enterprise: Enterprise) -> str:
    """A project of the enterprise, named as people name it: its short name and a kind of
    work ("华达钟表技改项目"). The enterprise's name already says its trade, so the chain's
    name is not added again (that gave "华达钟表钟表项目"). The kind is fixed by the name, so
    the demo is the same on every run."""
    short = enterprise.name.removesuffix("有限责任公司").removesuffix("有限公司")
    return short + SUBJECT_SUFFIXES[sum(map(ord, short)) % len(SUBJECT_SUFFIXES)]


class _Planner:
    """Turns draws into plans with moments relative to `now` (working days back)."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.today = now.astimezone(SHANGHAI).date()
        self._days: dict[int, dt.date] = {}
        self._policies: dict[tuple[str, str], SlaPolicy] = {}

    def day(self, k: int) -> dt.date:
        """The k-th working day before today (0: today)."""
        if k <= 0:
            return self.today
        if k not in self._days:
            self._days[k] = calendar.add_working_days(self.today, -k).date
        return self._days[k]

    def at(self, k: int, minute_of_day: int) -> dt.datetime:
        moment = dt.datetime.combine(self.day(k), dt.time(minute_of_day // 60, minute_of_day % 60),
                                     tzinfo=SHANGHAI)
        return min(moment, self.now - dt.timedelta(minutes=30))

    def policy(self, kind: str, urgency: str) -> SlaPolicy:
        key = (kind, urgency)
        if key not in self._policies:
            self._policies[key] = policy_for(kind, urgency)
        return self._policies[key]

    def light(self, start: dt.datetime, plan: Plan, *, accepted: bool) -> str:
        """The light a case started at `start` would show now (the selector's rules)."""
        policy = self.policy(plan.problem.kind, plan.urgency)
        probe = Case(kind=plan.problem.kind, urgency=plan.urgency, accept_days=policy.accept_working_days,
                     solve_days=plan.solve_days + plan.extra_solve_days)
        set_clocks(probe, policy, start=start)
        assert probe.solve_due_at and probe.solve_yellow_at and probe.accept_due_at and probe.accept_yellow_at
        if self.now >= probe.solve_due_at or (not accepted and self.now >= probe.accept_due_at):
            return "red"
        if self.now >= probe.solve_yellow_at or (not accepted and self.now >= probe.accept_yellow_at):
            return "yellow"
        return "green"

    def start_for(self, plan: Plan, want: str, u: float, minute: int, *, accepted: bool,
                  ks: range) -> tuple[int, int]:
        """A clock start (working days back, minute of the day) whose light is `want` now.
        Weekends and holidays can leave no such start at the usual hour and time limit:
        other hours are tried, then other time limits (the plan takes the one that fits),
        then the first of `ks` is taken whatever its light."""
        own = plan.solve_days
        for days in (own, *(d for d in FALLBACK_SOLVE_DAYS if d != own)):
            plan.solve_days = days
            for at_minute in (minute, *FALLBACK_MINUTES):
                matches = [k for k in ks if self.light(self.at(k, at_minute), plan, accepted=accepted) == want]
                if matches:
                    return _pick(matches, u), at_minute
        plan.solve_days = own
        return ks[0], minute

    def normalise(self, steps: list[Step]) -> list[Step]:
        """Strictly increasing moments, all in the past."""
        out: list[Step] = []
        count = len(steps)
        for index, step in enumerate(steps):
            moment = min(step.at, self.now - dt.timedelta(minutes=3 * (count - index)))
            if out and moment <= out[-1].at:
                moment = out[-1].at + dt.timedelta(minutes=2)
            out.append(Step(moment, step.action, step.args))
        return out


FALLBACK_MINUTES = (510, 600, 690, 840, 960, 1050, 1200, 450)
FALLBACK_SOLVE_DAYS = (5, 3, 8, 10, 15, 20)
MORNING = (510, 700)  # 08:30 – 11:40
AFTERNOON = (870, 1050)  # 14:30 – 17:30


def _minute(span: tuple[int, int], u: float) -> int:
    return span[0] + int(u * (span[1] - span[0]))


# --- the loader --------------------------------------------------------------------------------------


class CaseDemo:
    """Builds the demo cases; `run()` does it all in one transaction."""

    def __init__(self, count: int = 300) -> None:
        self.count = count
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, reproducible on purpose
        self.now = timezone.now()
        self.planner = _Planner(self.now)
        self.timeline = Timeline()
        self.orgs = {o.code: o for o in Organisation.objects.exclude(kind=Organisation.Kind.ENTERPRISE)}
        self.enterprises = list(Enterprise.objects.select_related("organisation", "park", "region").order_by("uscc"))
        self._users: dict[tuple[str, int], User] = {}
        self._phone = 100
        self.plans: list[Plan] = []

    # people ------------------------------------------------------------------------------------------

    def _user(self, role: str, org: Organisation, username: str, label: str) -> User:
        key = (role, org.pk)
        if key in self._users:
            return self._users[key]
        user = User.objects.filter(role=role, organisation=org, is_active=True).order_by("pk").first()
        if user is None:
            user = User.objects.filter(username=username).first()
        if user is None:
            surname = SURNAMES[self._phone % len(SURNAMES)]
            given = GIVEN[(self._phone // len(SURNAMES)) % len(GIVEN)]
            user = user_create(
                username=username, password=None, role=role, organisation=org,
                full_name=f"{surname}{given}（{label}）", phone=f"1380000{self._phone:04d}",
                must_change_password=False, actor=None,
            )
            self._phone += 1
        self._users[key] = user
        return user

    def _known(self) -> set[tuple[int | None, str]]:
        return {(org_id, role) for role, org_id in self._users}

    def dispatcher(self, org: Organisation) -> User:
        return self._user(Role.DISPATCHER, org, f"dd-{org.code}", org.short_name or org.name[:8])

    def handler(self, org: Organisation) -> User:
        return self._user(Role.HANDLER, org, f"cb-{org.code}", org.short_name or org.name[:8])

    def enterprise_user(self, enterprise: Enterprise) -> User:
        assert enterprise.organisation is not None
        return self._user(Role.ENTERPRISE, enterprise.organisation, f"qy-{enterprise.uscc.lower()}", "企业联络员")

    # choosing --------------------------------------------------------------------------------------------

    def unit(self, code: str, enterprise: Enterprise) -> Organisation:
        slug = REGION_SLUGS.get(enterprise.region.code)
        if code.startswith("@"):
            fallback = {"@fgj": "hy-fgw", "@gov": "hy-gov", "@scjg": "hy-scjg"}[code]
            code = f"{slug}-{code[1:]}" if slug else fallback
            return self.orgs.get(code) or self.orgs[fallback]
        return self.orgs[code]

    def new_plan(self, u: list[float], scenario: str, *, enterprise: Enterprise | None = None,
                 problem: Problem | None = None, title: str = "", subject: str = "") -> Plan:
        enterprise = enterprise or _pick(self.enterprises, u[0])
        problem = problem or _pick(PROBLEMS, u[1])
        lead = self.unit(_pick(problem.leads, u[2]), enterprise)
        via_city = u[3] < 0.22 and enterprise.name != SEED_ENTERPRISE
        assert enterprise.organisation is not None
        dispatch = self.orgs[CITY_OFFICE] if via_city else default_dispatch_org(enterprise,
                                                                                       enterprise.organisation)
        co: list[Organisation] = []
        if problem.co and u[4] < 0.45:
            co = [o for o in (self.unit(c, enterprise) for c in problem.co) if o.pk != lead.pk]
        urgency = Urgency.URGENT if u[5] < 0.12 else Urgency.NORMAL
        policy = self.planner.policy(problem.kind, urgency)
        solve_days = policy.solve_working_days if u[6] < 0.7 else _pick((3, 8, 10, 15), u[7])
        default_subject = _subject_of(enterprise)
        return Plan(
            enterprise=enterprise, problem=problem, title=title or _pick(problem.titles, u[8]),
            subject=subject or default_subject, lead=lead, dispatch=dispatch, via_city_office=via_city,
            scenario=scenario, urgency=urgency, solve_days=solve_days, co=co,
            description=problem.description, resolution=problem.resolution,
        )

    # the scenarios --------------------------------------------------------------------------------------

    def build(self, plan: Plan, u: list[float]) -> None:
        p = self.planner
        sc = plan.scenario
        m_sub, m_asg = _minute(MORNING, u[9]), _minute(MORNING, u[10]) + 20
        m_acc, m_late = _minute(AFTERNOON, u[11]), _minute(AFTERNOON, u[12])
        steps: list[Step] = []

        def submit(k: int) -> None:
            steps.append(Step(p.at(k, min(m_sub, m_asg - 15) if k == ka else m_late), "submit"))

        def assign(k: int, **args: Any) -> None:
            steps.append(Step(p.at(k, m_asg), "assign", args))

        ka = 0
        if sc == "submitted":
            ka = int(u[13] * 4)
            steps.append(Step(p.at(ka, m_sub), "submit"))
            if u[14] < 0.3:
                steps.append(Step(p.at(ka, m_acc), "urge"))
        elif sc == "withdrawn":
            ka = 3 + int(u[13] * 30)
            steps += [Step(p.at(ka, m_sub), "submit"), Step(p.at(ka - 1, m_acc), "withdraw",
                                                            {"reason": "企业已自行解决，申请撤回。"})]
        elif sc == "withdrawn_assigned":
            ka = 3 + int(u[13] * 30)
            submit(ka + 1)
            assign(ka)
            steps.append(Step(p.at(ka, m_acc), "withdraw", {"reason": "与园区当面沟通后已解决，撤回。"}))
        elif sc in {"assigned_green", "assigned_yellow", "assigned_red"}:
            want = sc.removeprefix("assigned_")
            ka, m_asg = p.start_for(plan, want, u[13], m_asg, accepted=False, ks=range(0, 12))
            submit(ka + (1 if u[14] < 0.3 else 0))
            assign(ka)
        elif sc == "returned":
            ka = int(u[13] * 2)
            submit(ka + 1)
            assign(ka, wrong=True)
            steps.append(Step(p.at(ka, m_acc), "return", {"reason": "该事项不属于本单位职责，建议交由主管部门办理。"}))
        elif sc in {"returned_reassigned", "returned_insisted"}:
            ka = 4 + int(u[13] * 25)
            submit(ka + 1)
            assign(ka + 1, wrong=sc == "returned_reassigned")
            steps.append(Step(p.at(ka + 1, m_acc), "return", {"reason": "该事项涉及其他部门职责，请重新交办。"}))
            steps.append(Step(p.at(ka, m_sub + 15), "reassign" if sc == "returned_reassigned" else "insist"))
            steps.append(Step(p.at(ka, m_acc), "accept"))
            self.finish(plan, steps, ka, u, closed=u[14] < 0.5)
        elif sc in {"accepted_green", "accepted_yellow"}:
            want = sc.removeprefix("accepted_")
            ka, m_asg = p.start_for(plan, want, u[13], m_asg, accepted=True, ks=range(0, 16))
            submit(ka + (1 if u[14] < 0.3 else 0))
            assign(ka)
            steps.append(Step(p.at(ka, m_acc), "accept"))
            if u[15] < 0.4:
                steps.append(Step(p.at(max(ka - 1, 0), m_late), "note",
                                  {"note": "已现场踏勘，正在协调相关单位制定方案。"}))
        elif sc in {"red_pressed", "red_supervised", "red_reported", "extension_refused"}:
            base = plan.solve_days + 1
            lo, hi = {"red_pressed": (0, 2), "red_supervised": (4, 7), "red_reported": (10, 18),
                      "extension_refused": (0, 3)}[sc]
            ka, m_asg = p.start_for(plan, "red", u[13], m_asg, accepted=True, ks=range(base + lo, base + hi + 1))
            submit(ka + 1)
            assign(ka)
            steps.append(Step(p.at(max(ka - 1, 0), m_sub), "accept"))
            if sc == "extension_refused":
                steps.append(Step(p.at(ka - plan.solve_days + 1, m_acc), "request_extension",
                                  {"working_days": 10, "reason": "需等待上级部门批复，申请延期。"}))
                steps.append(Step(p.at(ka - plan.solve_days + 1, m_late), "decide_extension",
                                  {"approve": False, "note": "节点不能后移，请倒排工期按期办结。"}))
            elif u[14] < 0.6:
                steps.append(Step(p.at(max(ka - plan.solve_days - 2, 0), m_acc), "urge",
                                  {"note": "已逾期，请尽快办理。"}))
        elif sc == "suspended":
            ka = 2 + int(u[13] * 6)
            submit(ka + 1)
            assign(ka)
            steps.append(Step(p.at(ka, m_acc), "accept"))
            steps.append(Step(p.at(ka - 1, m_late), "suspend", {"reason": "等待企业补充用地红线图和项目备案证明。"}))
        elif sc == "resumed":
            ka = 6 + int(u[13] * 4)
            submit(ka + 1)
            assign(ka)
            steps.append(Step(p.at(ka, m_acc), "accept"))
            sus, res = p.at(ka - 1, m_acc), p.at(ka - 4, m_sub)
            steps.append(Step(sus, "suspend", {"reason": "等待企业补充材料。"}))
            steps.append(Step(res, "resume", {"note": "企业已补齐材料，恢复办理。"}))
            plan.extra_solve_days = working_days_elapsed(sus, res)
        elif sc == "extension_pending":
            ka = 2 + int(u[13] * 5)
            submit(ka + 1)
            assign(ka)
            steps.append(Step(p.at(ka, m_acc), "accept"))
            steps.append(Step(p.at(max(ka - 2, 0), m_late), "request_extension",
                              {"working_days": 5, "reason": "涉及跨部门会审，需延长办理时限。"}))
        elif sc == "extension_approved":
            ka = 12 + int(u[13] * 20)
            submit(ka + 1)
            assign(ka)
            steps.append(Step(p.at(ka, m_acc), "accept"))
            days = 3 + int(u[14] * 3)
            steps.append(Step(p.at(ka - 2, m_sub), "request_extension",
                              {"working_days": days, "reason": "需待设备厂家到场，申请延期。"}))
            steps.append(Step(p.at(ka - 2, m_acc), "decide_extension", {"approve": True, "note": "同意延期。"}))
            self.finish(plan, steps, ka, u, closed=True, resolve_after=plan.solve_days + days - 1)
        elif sc in {"resolved_ontime", "resolved_late"}:
            ka = plan.solve_days + 2 + int(u[13] * 8)
            submit(ka + 1)
            assign(ka)
            steps.append(Step(p.at(ka, m_acc), "accept"))
            after = plan.solve_days - 1 if sc == "resolved_ontime" else plan.solve_days + 2
            steps.append(Step(p.at(max(ka - after, 0), m_late), "resolve"))
        elif sc in {"closed_satisfied", "closed_basic", "closed_late"}:
            ka = plan.solve_days + 6 + int(u[13] * 45)
            submit(ka + 1)
            assign(ka)
            steps.append(Step(p.at(ka, m_acc), "accept"))
            self.finish(plan, steps, ka, u, closed=True, late=sc == "closed_late",
                        satisfaction="basically" if sc == "closed_basic" else "satisfied")
        elif sc in {"reopened_closed", "reopened_open", "reopened_twice"}:
            ka = 14 + int(u[13] * 20) if sc == "reopened_closed" else 9 + int(u[13] * 4)
            submit(ka + 1)
            assign(ka)
            steps.append(Step(p.at(ka, m_acc), "accept"))
            steps.append(Step(p.at(ka - 3, m_late), "resolve"))
            steps.append(Step(p.at(ka - 4, m_sub), "rate", {"satisfaction": "dissatisfied",
                                                              "comment": "问题没有真正解决，请重新办理。"}))
            if sc == "reopened_closed":
                steps.append(Step(p.at(ka - 7, m_late), "resolve"))
                steps.append(Step(p.at(ka - 8, m_sub), "rate", {"satisfaction": "satisfied",
                                                                  "comment": "重新办理后已解决。"}))
            elif sc == "reopened_twice":
                steps.append(Step(p.at(ka - 6, m_late), "resolve"))
                steps.append(Step(p.at(ka - 7, m_sub), "rate", {"satisfaction": "dissatisfied",
                                                                  "comment": "仍未解决，请上级督办。"}))
        elif sc == "revisit_unsolved":
            ka = 16 + int(u[13] * 10)
            submit(ka + 1)
            assign(ka)
            steps.append(Step(p.at(ka, m_acc), "accept"))
            steps.append(Step(p.at(ka - 3, m_late), "resolve"))
            steps.append(Step(p.at(ka - 4, m_sub), "rate", {"satisfaction": "satisfied", "comment": ""}))
            steps.append(Step(p.at(ka - 10, m_sub), "revisit", {"solved": False,
                                                                  "note": "停了一周后问题又出现了。"}))
        else:  # pragma: no cover - a typo in SCENARIOS
            raise ValueError(sc)
        plan.steps = p.normalise(steps)

    def finish(self, plan: Plan, steps: list[Step], ka: int, u: list[float], *, closed: bool,
               late: bool = False, satisfaction: str = "satisfied", resolve_after: int | None = None) -> None:
        """Co-units done, resolved on time (or late), rated; a revisit on the older ones."""
        p = self.planner
        if resolve_after is None:
            span = max(plan.solve_days - 1, 1)
            resolve_after = plan.solve_days + 1 + int(u[14] * 4) if late else 1 + int(u[14] * span)
        kr = max(ka - resolve_after, 0)
        if plan.co:
            steps.append(Step(p.at(kr, _minute(MORNING, u[15])), "complete_task"))
        steps.append(Step(p.at(kr, _minute(AFTERNOON, u[15])), "resolve"))
        if closed and kr >= 1:
            kc = max(kr - 1 - int(u[12] * 2), 0)
            comment = {"satisfied": "办理及时，感谢！", "basically": "基本解决，希望后续跟进。"}[satisfaction]
            steps.append(Step(p.at(kc, _minute(MORNING, u[13])), "rate",
                              {"satisfaction": satisfaction, "comment": comment}))
            if kc >= 7 and u[11] < 0.5:
                steps.append(Step(p.at(kc - 6, _minute(AFTERNOON, u[10])), "revisit",
                                  {"solved": True, "note": "运行正常，问题已解决。"}))

    # the seed story ---------------------------------------------------------------------------------------

    def seed_plans(self) -> list[Plan]:
        """§3 item 3: reported on a Friday a few weeks ago, connected a week later, 满意;
        and a copy still in progress (yellow)."""
        p = self.planner
        enterprise = next(e for e in self.enterprises if e.name == SEED_ENTERPRISE)
        power, park, ndrc = self.orgs["hy-power"], self.orgs["qd-park"], self.orgs["qd-fgj"]
        friday = p.today - dt.timedelta(days=21 + (p.today.weekday() - 4) % 7)
        while not calendar.is_working_day(friday):
            friday -= dt.timedelta(days=7)
        local = dt.datetime.combine(friday, dt.time(9, 40), tzinfo=SHANGHAI)
        next_week = friday + dt.timedelta(days=7)
        due = calendar.deadline(local, 5).at
        resolved = min(dt.datetime.combine(next_week, dt.time(16, 0), tzinfo=SHANGHAI), due - dt.timedelta(hours=2))
        first_workday = calendar.add_working_days(friday, 1).date
        story = Plan(
            enterprise=enterprise, problem=PROBLEMS[7], title=SEED_TITLE, subject=SEED_SUBJECT, lead=power,
            dispatch=park, via_city_office=False, scenario="seed", co=[ndrc],
            description="纸箱包装生产线厂房已建成，设备已安装到位，10kV 高压专线尚未接入，无法试生产，"
                        "请协调供电公司尽快接电。",
            resolution="已按供电节点倒排工期，10kV 专线已接入送电",
        )

        def at(day: dt.date, hour: int, minute: int) -> dt.datetime:
            return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)

        story.steps = p.normalise([
            Step(local, "submit"),
            Step(at(friday, 11, 5), "assign", {"co_instruction": "办理线路走廊用地手续",
                                               "note": "请按供电节点倒排工期，一周内接电。"}),
            Step(at(friday, 15, 30), "accept", {"note": "已签收，安排现场勘查。"}),
            Step(at(first_workday, 10, 0), "note", {"note": "已现场勘查，确定由园区 110kV 变电站出线。"}),
            Step(at(calendar.add_working_days(friday, 3).date, 16, 20), "complete_task",
                 {"result": "线路走廊用地手续已办妥，青苗补偿已兑现。"}),
            Step(resolved, "resolve"),
            Step(resolved + dt.timedelta(hours=17, minutes=30), "rate",
                 {"satisfaction": "satisfied", "comment": "专线已送电，生产线已试产，感谢园区和供电公司！"}),
        ])
        closed_at = story.steps[-1].at
        if closed_at + dt.timedelta(days=8) < self.now:
            story.steps.append(Step(closed_at + dt.timedelta(days=8), "revisit",
                                    {"solved": True, "note": "专线运行稳定。"}))
        copy = Plan(
            enterprise=enterprise, problem=PROBLEMS[7], title="二期厂房临时用电报装", subject="纸箱包装生产线项目（二期）",
            lead=power, dispatch=park, via_city_office=False, scenario="seed_copy",
            description="二期厂房开工在即，施工临时用电需报装 630kVA 箱变，请协调供电公司加快办理。",
            resolution="",
        )
        ka, minute = p.start_for(copy, "yellow", 0.5, 600, accepted=True, ks=range(0, 12))
        copy.steps = p.normalise([
            Step(p.at(ka + 1, 960), "submit"),
            Step(p.at(ka, minute), "assign", {"note": "请按开工节点办理。"}),
            Step(p.at(ka, minute + 1), "accept"),
        ])
        return [story, copy]

    def plan_all(self) -> None:
        names = [name for name, _w in SCENARIOS]
        weights = [w for _n, w in SCENARIOS]
        qidong = [e for e in self.enterprises if e.park_id and e.park and e.park.code == "qd-park"]
        plans = self.seed_plans()
        mergers: list[list[float]] = []
        for index in range(max(self.count - 2, 0)):
            u = [self.rng.random() for _ in range(DRAWS_PER_CASE)]
            # Every scenario at least once, then by weight.
            scenario = names[index] if index < len(names) else self.rng.choices(names, weights=weights)[0]
            enterprise = None
            if u[0] < 0.12 and qidong:  # 祁东's park is the seed's: the park dispatcher's inbox is busy
                enterprise = _pick(qidong, u[0] / 0.12)
            plan = self.new_plan(u, scenario, enterprise=enterprise)
            if scenario == "merged":  # planned below, once the cases it duplicates are known
                mergers.append(u)
                continue
            if index < len(names) and scenario.startswith(("returned", "submitted", "red_", "accepted")):
                plan.via_city_office = False
                assert plan.enterprise.organisation is not None
                plan.dispatch = default_dispatch_org(plan.enterprise, plan.enterprise.organisation)
            self.build(plan, u)
            plans.append(plan)
        open_statuses = {"submitted", "assigned_green", "assigned_yellow", "assigned_red", "accepted_green",
                         "accepted_yellow", "red_pressed", "red_supervised", "red_reported", "returned"}
        # A duplicate is reported after what it duplicates: just past midnight every case of the
        # day is a few minutes old, so only targets at least two hours old can take one.
        settled = self.now - dt.timedelta(hours=2)
        targets = [p for p in plans if p.scenario in open_statuses and p.submitted_at < settled]
        for u in mergers:
            if not targets:
                continue
            target = _pick(targets, u[15])
            candidates = [e for e in self.enterprises if e.park_id and target.enterprise.park_id == e.park_id]
            enterprise = _pick(candidates, u[0]) if candidates else target.enterprise
            dup = self.new_plan(u, "merged", enterprise=enterprise, problem=target.problem, title=target.title,
                                subject=target.subject)
            dup.dispatch, dup.via_city_office, dup.merge_into = target.dispatch, target.via_city_office, target
            start = max(target.submitted_at + dt.timedelta(hours=2), self.now - dt.timedelta(days=3))
            start = min(start, self.now - dt.timedelta(hours=1))
            dup.steps = self.planner.normalise([
                Step(start, "submit"),
                Step(start + dt.timedelta(minutes=40), "merge", {"note": "与已受理事项重复，并单办理。"}),
            ])
            if dup.steps[0].at <= target.submitted_at:
                continue
            plans.append(dup)
        plans.sort(key=lambda plan: plan.submitted_at)
        self.plans = plans

    # doing it -----------------------------------------------------------------------------------------

    def execute(self, plan: Plan) -> None:
        for step in plan.steps:
            self.timeline.mark(step.at)
            self.do(plan, step)

    def do(self, plan: Plan, step: Step) -> None:
        args = dict(step.args)
        a = step.action
        if a == "submit":
            # Reported by the enterprise's own account when it has one (it needs one to rate,
            # withdraw or press); otherwise registered for it (no reporter user) — and always
            # so when the city office received it directly.
            # A duplicate is registered straight into the receiving unit of the case it repeats.
            actor: User | None = None
            if not plan.via_city_office and plan.merge_into is None and (plan.needs_enterprise_user or plan.enterprise.name == SEED_ENTERPRISE
                                             or plan.scenario == "submitted"
                                             or (plan.enterprise.organisation_id, Role.ENTERPRISE) in self._known()):
                actor = self.enterprise_user(plan.enterprise)
            plan.case = svc.case_submit(
                actor=actor, title=plan.title, description=plan.description, kind=plan.problem.kind,
                urgency=plan.urgency, subject=plan.subject, enterprise=plan.enterprise,
                dispatch_org=None if actor is not None else plan.dispatch,
            )
            if plan.case.dispatch_org_id != plan.dispatch.pk:  # the enterprise's own route decided
                plan.dispatch = plan.case.dispatch_org
            return
        case = plan.case
        assert case is not None
        dispatcher = self.dispatcher(plan.dispatch)
        lead = self.handler(case.lead_org) if case.lead_org is not None else None
        if a == "assign":
            wrong = args.pop("wrong", False)
            to = self.unit(plan.problem.wrong_lead, plan.enterprise) if wrong else plan.lead
            if to.pk == plan.lead.pk and wrong:
                to = self.orgs["hy-fgw"] if plan.lead.code != "hy-fgw" else self.orgs["hy-gxj"]
            svc.case_assign(case, actor=dispatcher, lead_org=to, co_orgs=[] if wrong else plan.co,
                            co_instruction=args.get("co_instruction", plan.problem.co_instruction),
                            solve_days=plan.solve_days, note=args.get("note", ""))
        elif a == "accept":
            svc.case_accept(case, actor=_acting(lead), note=args.get("note", ""))
        elif a == "return":
            svc.case_return(case, actor=_acting(lead), reason=args["reason"])
        elif a == "reassign":
            svc.case_reassign(case, actor=dispatcher, lead_org=plan.lead, solve_days=plan.solve_days,
                              note="经审核，改派主管单位办理。")
        elif a == "insist":
            svc.case_insist(case, actor=dispatcher, note="经审核，该事项属于贵单位职责范围，维持交办。")
        elif a == "request_extension":
            svc.case_request_extension(case, actor=_acting(lead), working_days=args["working_days"], reason=args["reason"])
        elif a == "decide_extension":
            svc.case_decide_extension(case, actor=dispatcher, approve=args["approve"], note=args["note"])
        elif a == "suspend":
            svc.case_suspend(case, actor=_acting(lead), reason=args["reason"])
        elif a == "resume":
            svc.case_resume(case, actor=_acting(lead), note=args["note"])
        elif a == "complete_task":
            self.complete_tasks(case, args.get("result", ""))
        elif a == "resolve":
            self.complete_tasks(case, "")  # a co-unit that had not reported yet does so first
            svc.case_resolve(case, actor=_acting(lead), resolution=plan.resolution or plan.problem.resolution)
        elif a == "rate":
            svc.case_rate(case, actor=self.enterprise_user(plan.enterprise), satisfaction=args["satisfaction"],
                          comment=args["comment"])
        elif a == "revisit":
            # Played now, moments after the rating, for a moment days later: the question is
            # marked as sent (as the escalation job sends it once due) so the answer is taken.
            Case.objects.filter(pk=case.pk, revisit_asked_at__isnull=True).update(revisit_asked_at=timezone.now())
            case.refresh_from_db(fields=["revisit_asked_at"])
            svc.case_revisit(case, actor=self.enterprise_user(plan.enterprise), solved=args["solved"],
                             note=args["note"])
        elif a == "withdraw":
            svc.case_withdraw(case, actor=self.enterprise_user(plan.enterprise), reason=args["reason"])
        elif a == "urge":
            svc.case_urge(case, actor=self.enterprise_user(plan.enterprise), note=args.get("note", "请尽快办理。"))
        elif a == "note":
            svc.case_add_note(case, actor=_acting(lead), note=args["note"])
        elif a == "merge":
            assert plan.merge_into is not None and plan.merge_into.case is not None
            svc.case_merge(case, actor=dispatcher, into=plan.merge_into.case, note=args["note"])
        else:  # pragma: no cover
            raise ValueError(a)

    def complete_tasks(self, case: Case, result: str) -> None:
        for task in list(case.tasks.filter(status=CaseTask.TaskStatus.OPEN).select_related("org")):
            svc.case_complete_task(case, actor=self.handler(task.org),
                                   result=result or f"{task.instruction or '协办事项'}已完成。")

    # backdating (demo only) --------------------------------------------------------------------------

    def backdate(self) -> None:
        """Move every timestamp the services wrote to the moment it stands for, then
        recompute the deadlines from the moved clock start. Demo only (see module doc)."""
        shift = self.timeline.shift
        extra = {plan.case.pk: plan.extra_solve_days for plan in self.plans if plan.case is not None}
        solve_days = {plan.case.pk: plan.solve_days for plan in self.plans if plan.case is not None}
        ids = list(extra)
        moved = ["created_at", "assigned_at", "clock_started_at", "accepted_at", "resolved_at", "closed_at",
                 "suspended_at", "last_urged_at", "revisit_asked_at", "revisit_answered_at", "pressed_at", "supervised_at",
                 "reported_at"]
        cases = list(Case.objects.filter(pk__in=ids))
        fields: set[str] = set(moved) | {"revisit_due_at", "solve_days"}
        for case in cases:
            closed_real = case.closed_at
            for name in moved:
                setattr(case, name, shift(getattr(case, name)))
            if case.revisit_due_at is not None and closed_real is not None and case.closed_at is not None:
                case.revisit_due_at = case.closed_at + (case.revisit_due_at - closed_real)
            case.solve_days += extra.get(case.pk, 0)
            if case.clock_started_at is not None:
                fields.update(set_clocks(case, policy_for(case.kind, case.urgency)))
        for case in cases:
            _write(case, sorted(fields))
        due = {case.pk: case.solve_due_at for case in cases}

        events = list(CaseEvent.objects.filter(case_id__in=ids))
        for event in events:
            event.at = shift(event.at) or event.at
            if event.action == "approve_extension":
                event.data = {**event.data, "solve_due_at": due.get(event.case_id)}
                _write(event, ["at", "data"])
            else:
                _write(event, ["at"])

        tasks = list(CaseTask.objects.filter(case_id__in=ids))
        for task in tasks:
            task.assigned_at = shift(task.assigned_at) or task.assigned_at
            task.done_at = shift(task.done_at)
            task.due_at = calendar.deadline(task.assigned_at, solve_days.get(task.case_id, 5)).at
            _write(task, ["assigned_at", "done_at", "due_at"])

        requests = list(ExtensionRequest.objects.filter(case_id__in=ids))
        for request in requests:
            request.created_at = shift(request.created_at) or request.created_at
            request.decided_at = shift(request.decided_at)
            _write(request, ["created_at", "decided_at"])

    def escalate(self) -> None:
        """The escalation job as it would have run each working morning, then now."""
        running = Case.objects.filter(pk__in=[p.case.pk for p in self.plans if p.case is not None],
                                      status__in=[Status.ASSIGNED, Status.RETURNED, Status.ACCEPTED],
                                      suspended_at__isnull=True, solve_due_at__isnull=False)
        first = running.order_by("solve_due_at").values_list("solve_due_at", flat=True).first()
        if first is None:
            return
        day = first.astimezone(SHANGHAI).date()
        while day <= self.planner.today:
            moment = dt.datetime.combine(day, dt.time(9, 0), tzinfo=SHANGHAI)
            if moment >= self.now:
                break
            if calendar.is_working_day(day):
                self.timeline.mark(moment)
                escalation_tick(moment)
            day += dt.timedelta(days=1)

    def finalise(self) -> None:
        """Notifications and `updated_at` to the moments they stand for."""
        shift = self.timeline.shift
        ids = [p.case.pk for p in self.plans if p.case is not None]
        notes = list(Notification.objects.filter(object_type="cases.case", object_id__in=[str(i) for i in ids],
                                                 created_at__gte=self.now))
        for note in notes:
            note.created_at = shift(note.created_at) or note.created_at
            if note.created_at < self.now - dt.timedelta(days=3):
                note.read_at = note.created_at + dt.timedelta(hours=1)  # old news has been read
            _write(note, ["created_at", "read_at"])
        cases = list(Case.objects.filter(pk__in=ids))
        for case in cases:
            case.updated_at = shift(case.updated_at) or case.updated_at
            _write(case, ["updated_at"])

    def run(self) -> list[Case]:
        with transaction.atomic():
            self.plan_all()
            for plan in self.plans:
                self.execute(plan)
            self.backdate()
            self.escalate()
            self.finalise()
        escalation_tick()  # what the worker would do now
        return [p.case for p in self.plans if p.case is not None]


def _write(obj: Any, fields: Sequence[str]) -> None:
    """Demo-only backdating: a plain UPDATE of these columns (no save(), no auto_now)."""
    type(obj)._default_manager.filter(pk=obj.pk).update(**{name: getattr(obj, name) for name in fields})


def demo_loaded() -> bool:
    return Case.objects.filter(
        Q(title=SEED_TITLE, subject=SEED_SUBJECT, enterprise__name=SEED_ENTERPRISE)
    ).exists()


def load_case_demo(count: int = 300) -> int:
    """Add the demo cases (about `count`) unless they are there already; returns how many
    were added."""
    if demo_loaded():
        return 0
    if not Enterprise.objects.filter(name=SEED_ENTERPRISE).exists():
        return 0  # the demo city is not loaded
    return len(CaseDemo(count).run())

