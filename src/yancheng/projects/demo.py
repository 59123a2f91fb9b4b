"""Demo projects for the Hengyang demo city (SPEC §3, §9).

`load_project_demo()` files the projects the newspaper article names (恒飞电缆智能化产业园,
湖南大合新材料 新材料项目, 衡山汽车 整车及零部件, 湘南纺织产业基地, 船山时间谷钟表产业园,
and the paper-box factory's 纸箱包装生产线项目 in 祁东's park, which the seed case
"高压专线未接入" is linked to) and ~60 more across regions, stages and chains: linked
leaders, task forces, 代办 checklists with 补缺清单, factor needs, backward-scheduled
nodes, twelve months of investment reports, the last days' 日反馈, commitments, one
observation round, one held weekly meeting whose decisions became cases and one open
meeting.

Everything goes through the services. DEMO ONLY: the daily feedback of past days and the
seed case's link to its project are written with queryset ``.update()`` (the services
only record today's feedback; the case engine has no "link to project" step), marked
where it happens. Nothing else backdates anything.

Idempotent: the first named project's code is the marker; when it exists nothing is
added. Reproducible: one ``random.Random`` with a fixed seed, drawn the same number of
times for each project whatever the database holds (choices among rows are drawn as a
fraction first, then applied to an ordered list).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from yancheng.core.audit.services import audit_record
from yancheng.core.demo import GIVEN, REGION_SLUGS, SURNAMES
from yancheng.core.models import Enterprise, IndustryChain, Organisation, Region, User

from .models import ApprovalItem, Category, Commitment, FactorNeed, Node, Project, Stage
from .services import meetings
from .services.approvals import approval_item_add
from .services.factors import factor_need_add, factor_need_set_status
from .services.nodes import node_add, node_link_add, node_record_actual, node_schedule_backward
from .services.registry import annual_plan_set, project_advance, project_create, task_force_add
from .services.reports import daily_feedback_save, monthly_report_submit
from .services.supervision import (
    commitment_add,
    commitment_record_actual,
    observation_round_create,
    observation_score_set,
)

SEED = 20260313
MARKER = "HY-DEMO-0001"
GENERATED = 60
DRAWS_PER_PROJECT = 24
OFFICE_DISPATCHER = "diaodu2"  # 重点项目办 (core demo login)
LEADER = "lingdao"
SEED_ENTERPRISE = "祁东县示例纸箱包装有限公司"
SEED_TITLE = "高压专线未接入"


@dataclass(frozen=True)
class Named:
    code: str
    name: str
    enterprise: str
    region: str
    park: str
    chain: str
    total: int
    stage: str
    description: str


NAMED: tuple[Named, ...] = (
    Named("HY-DEMO-0001", "恒飞电缆智能化产业园项目", "衡阳恒飞电缆有限责任公司", "430405", "hy-zhpark",
          "power-transmission", 150000, Stage.CONSTRUCTION,
          "达产后形成年产电气装备用电线电缆110万千米、特种电缆30万千米、电力电缆10万千米的生产制造能力，"
          "建成中南地区最大的电线电缆生产基地。"),
    Named("HY-DEMO-0002", "湖南大合新材料有限公司新材料项目", "湖南大合新材料有限公司", "430408", "hy-gxq",
          "new-materials", 60000, Stage.CONSTRUCTION,
          "研发和生产碲铋铜、碲化镉等单晶半导体材料，产品用于红外探测、核工程辐射探测、无人机夜视等行业。"),
    Named("HY-DEMO-0003", "衡山汽车整车及零部件生产项目", "衡山汽车制造有限公司", "430423", "hs-park", "nev", 80000,
          Stage.COMPLETED, "整车（含吉普尼汽车）及零部件生产线建设。"),
    Named("HY-DEMO-0004", "湘南纺织产业基地项目", "湘南纺织产业基地示范企业有限公司", "430426", "qd-park",
          "textile", 200000, Stage.CONSTRUCTION, "纺纱、织造、印染及服装加工一体化的纺织产业基地。"),
    Named("HY-DEMO-0005", "船山时间谷钟表产业园项目", "船山时间谷钟表制造有限公司", "430406", "hy-bszq", "clocks",
          120000, Stage.STARTED, "钟表整机、机芯及配套零部件产业园，打造“千亿产业高地”。"),
    Named("HY-DEMO-0006", "纸箱包装生产线项目", SEED_ENTERPRISE, "430426", "qd-park", "", 12000, Stage.STARTED,
          "瑞尔科技纸箱厂建设项目：新建瓦楞纸箱包装生产线，需 10kV 高压专线供电。"),
)

INDUSTRY_SUFFIXES = ("生产基地建设项目", "智能化改造项目", "扩能技改项目", "产业园项目", "研发中心建设项目")
INFRASTRUCTURE = ("园区标准厂房建设项目", "污水处理厂提质改造项目", "综合管廊建设项目", "物流园建设项目",
                  "220千伏变电站配套工程")
LIVELIHOOD = ("人民医院门诊综合楼项目", "中学新校区建设项目", "保障性租赁住房项目", "老旧小区改造项目")
NODE_PLAN = (("前期手续办理", 20), ("场地平整", 30), ("主体工程施工", 120), ("设备安装调试", 40), ("竣工验收", 15))
APPROVALS = (
    (ApprovalItem.Kind.APPROVAL, "hy-fgw", "项目可行性研究报告\n项目单位营业执照"),
    (ApprovalItem.Kind.LAND_PRE_REVIEW, "hy-zrzyj", "用地红线图\n土地利用总体规划符合性说明"),
    (ApprovalItem.Kind.PLANNING, "hy-zrzyj", "总平面图（修改稿）\n建筑设计方案"),
    (ApprovalItem.Kind.EIA, "hy-sthjj", "环境影响报告书（报批稿）\n公众参与说明"),
    (ApprovalItem.Kind.CONSTRUCTION_PERMIT, "hy-zjj", "施工图审查合格书\n施工合同\n安全文明施工措施费缴纳凭证"),
    (ApprovalItem.Kind.FIRE, "hy-zjj", "消防设计文件\n消防设施检测报告"),
)
FACTORS = (
    (FactorNeed.Kind.LAND, "hy-zrzyj", (30, 300)),
    (FactorNeed.Kind.POWER, "hy-power", (400, 10000)),
    (FactorNeed.Kind.WATER, "hy-water", (200, 3000)),
    (FactorNeed.Kind.GAS, "hy-gas", (500, 8000)),
    (FactorNeed.Kind.LABOUR, "hy-rsj", (50, 800)),
    (FactorNeed.Kind.FINANCE, "hy-czj", (1000, 20000)),
)
STAGES_BY_WEIGHT = ((Stage.NEGOTIATING, 1), (Stage.SIGNED, 2), (Stage.STARTED, 2), (Stage.CONSTRUCTION, 5),
                    (Stage.COMPLETED, 1), (Stage.PRODUCING, 1))
ORDER = [s.value for s in Stage]
REPORTING = {Stage.STARTED, Stage.CONSTRUCTION, Stage.COMPLETED, Stage.PRODUCING}


@dataclass
class Plan:
    """Everything drawn for one project, before anything is written."""

    code: str
    name: str
    enterprise: Enterprise | None
    region: Region
    park: Organisation | None
    chain: IndustryChain | None
    category: str
    total: Decimal
    stage: str
    description: str
    draws: list[float]


class _Context:
    def __init__(self) -> None:
        self.today = timezone.localdate()
        self.regions = {r.code: r for r in Region.objects.all()}
        self.orgs = {o.code: o for o in Organisation.objects.all()}
        self.chains = {c.code: c for c in IndustryChain.objects.all()}
        self.users = {u.username: u for u in User.objects.filter(username__in=[OFFICE_DISPATCHER, LEADER, "diaodu"])}
        self.office = self.users.get(OFFICE_DISPATCHER)
        self.leader = self.users.get(LEADER)

    def org(self, code: str) -> Organisation | None:
        return self.orgs.get(code)

    def county_org(self, region: Region, suffix: str) -> Organisation | None:
        slug = REGION_SLUGS.get(region.code)
        return self.orgs.get(f"{slug}-{suffix}") if slug else None


def _months_back(today: dt.date, n: int) -> dt.date:
    index = today.year * 12 + today.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def _person(draw: float, salt: int) -> str:
    return f"{SURNAMES[int(draw * 1000 + salt) % len(SURNAMES)]}{GIVEN[(int(draw * 100) + salt) % len(GIVEN)]}"


def _plans(rng: random.Random, ctx: _Context) -> list[Plan]:
    plans: list[Plan] = []
    for named in NAMED:
        draws = [rng.random() for _ in range(DRAWS_PER_PROJECT)]
        plans.append(Plan(
            named.code, named.name, Enterprise.objects.filter(name=named.enterprise).first(),
            ctx.regions[named.region], ctx.org(named.park), ctx.chains.get(named.chain), Category.INDUSTRY,
            Decimal(named.total), named.stage, named.description, draws,
        ))
    counties = sorted(REGION_SLUGS)
    chain_codes = sorted(ctx.chains)
    parks_by_region: dict[str, list[Organisation]] = {}
    for org in sorted(ctx.orgs.values(), key=lambda o: o.code):
        if org.kind == Organisation.Kind.PARK:
            parks_by_region.setdefault(org.region.code, []).append(org)
    stages = [s for s, weight in STAGES_BY_WEIGHT for _ in range(weight)]
    for index in range(GENERATED):
        draws = [rng.random() for _ in range(DRAWS_PER_PROJECT)]
        region = ctx.regions[counties[int(draws[0] * len(counties))]]
        kind = draws[1]
        category = Category.INDUSTRY if kind < 0.7 else Category.INFRASTRUCTURE if kind < 0.88 else Category.LIVELIHOOD
        chain = ctx.chains[chain_codes[int(draws[2] * len(chain_codes))]] if chain_codes and category == Category.INDUSTRY else None
        parks = parks_by_region.get(region.code, [])
        park = parks[int(draws[3] * len(parks))] if parks and draws[4] < 0.75 else None
        enterprise = None
        if category == Category.INDUSTRY:
            candidates = list(Enterprise.objects.filter(region=region).order_by("uscc"))
            if candidates:
                enterprise = candidates[int(draws[5] * len(candidates))]
        head = region.name[:2]
        if category == Category.INDUSTRY:
            word = chain.name if chain else "先进制造"
            name = f"{head}{word}{INDUSTRY_SUFFIXES[int(draws[6] * len(INDUSTRY_SUFFIXES))]}"
        elif category == Category.INFRASTRUCTURE:
            name = f"{head}{INFRASTRUCTURE[int(draws[6] * len(INFRASTRUCTURE))]}"
        else:
            name = f"{head}{LIVELIHOOD[int(draws[6] * len(LIVELIHOOD))]}"
        total = Decimal(int(5000 + draws[7] * 95000) // 100 * 100)
        stage = stages[int(draws[8] * len(stages))]
        plans.append(Plan(f"HY-DEMO-{index + 7:04d}", name, enterprise, region, park, chain, category, total, stage,
                          "", draws))
    return plans


def _responsible(plan: Plan, ctx: _Context) -> Organisation:
    if plan.park is not None:
        return plan.park
    government = ctx.county_org(plan.region, "gov")
    return government or ctx.orgs["hy-fgw"]


def _file(plan: Plan, ctx: _Context) -> Project:
    today, d = ctx.today, plan.draws
    stage_index = ORDER.index(plan.stage)
    # Started projects began 4–20 months ago; the rest plan to start within a year.
    if stage_index >= ORDER.index(Stage.STARTED):
        planned_start = _months_back(today, 4 + int(d[9] * 16))
    else:
        planned_start = _months_back(today, -(1 + int(d[9] * 11)))
    months = 14 + int(d[10] * 20)
    planned_completion = _months_back(planned_start, -months) - dt.timedelta(days=1)
    if plan.stage in {Stage.COMPLETED, Stage.PRODUCING}:
        planned_completion = min(planned_completion, today - dt.timedelta(days=30 + int(d[10] * 60)))
    leader = ctx.leader if (plan.code in {n.code for n in NAMED} or d[11] < 0.5) else None
    project = project_create(
        actor=None, code=plan.code, name=plan.name, enterprise=plan.enterprise, region=plan.region, park=plan.park,
        chain=plan.chain, category=plan.category, total_investment=plan.total, planned_start=planned_start,
        planned_completion=planned_completion, leader=leader, responsible_org=_responsible(plan, ctx),
        description=plan.description,
    )
    # Walk the stages with their dates (each step through the service, dates in the past).
    signed = min(planned_start - dt.timedelta(days=60), today)
    steps: dict[str, dt.date] = {
        Stage.SIGNED: signed,
        Stage.STARTED: min(planned_start + dt.timedelta(days=int(d[12] * 40)), today),
        Stage.CONSTRUCTION: min(planned_start + dt.timedelta(days=45), today),
        Stage.COMPLETED: min(planned_completion, today),
        Stage.PRODUCING: min(planned_completion + dt.timedelta(days=20), today),
    }
    last = signed
    for stage in ORDER[1 : stage_index + 1]:
        on = max(steps[stage], last)
        project = project_advance(project, stage=stage, on=on, actor=None)
        last = on
    return project


def _task_force(project: Project, plan: Plan, ctx: _Context) -> None:
    d = plan.draws
    task_force_add(project, name=_person(d[13], 1), organisation=project.responsible_org, duty="专班负责人，统筹调度",
                   is_lead=True, actor=None)
    fgj = ctx.county_org(plan.region, "fgj") or ctx.orgs["hy-fgw"]
    task_force_add(project, name=_person(d[13], 2), organisation=fgj, duty="代办员，负责审批手续", actor=None)
    if d[14] < 0.6:
        task_force_add(project, name=_person(d[13], 3), organisation=ctx.orgs["hy-zdxmb"], duty="项目办联络员",
                       actor=None)


def _approvals(project: Project, plan: Plan, ctx: _Context) -> None:
    stage_index = ORDER.index(plan.stage)
    done_until = {0: 0, 1: 1, 2: 4, 3: 5, 4: 6, 5: 6}[stage_index]
    start = project.planned_start or ctx.today
    for position, (kind, org_code, missing) in enumerate(APPROVALS):
        planned_on = start + dt.timedelta(days=30 * (position - 3))
        if position < done_until:
            status, done_on, missing_documents = ApprovalItem.ItemStatus.DONE, min(planned_on, ctx.today), ""
        elif position == done_until:
            status, done_on = ApprovalItem.ItemStatus.IN_PROGRESS, None
            missing_documents = missing if plan.draws[15] < 0.7 else missing.splitlines()[0]
        else:
            status, done_on, missing_documents = ApprovalItem.ItemStatus.PENDING, None, ""
        approval_item_add(project, kind=kind, actor=None, approving_org=ctx.org(org_code), status=status,
                          planned_on=planned_on, done_on=done_on, missing_documents=missing_documents)


def _factor_needs(project: Project, plan: Plan, ctx: _Context) -> None:
    if plan.stage in {Stage.COMPLETED, Stage.PRODUCING}:
        return
    d = plan.draws
    count = 1 + int(d[16] * 2)
    for n in range(count):
        kind, org_code, (low, high) = FACTORS[int((d[17] + n * 0.37) % 1 * len(FACTORS))]
        if project.factor_needs.filter(kind=kind).exists():
            continue
        quantity = Decimal(int(low + (high - low) * d[18 + n]))
        needed_by = ctx.today + dt.timedelta(days=int(-20 + d[19 + n] * 90))
        org = ctx.org(org_code) or project.responsible_org
        need = factor_need_add(project, kind=kind, quantity=quantity, responsible_org=org, needed_by=needed_by,
                               actor=None, note="")
        state = d[20 + n]
        if state < 0.35:
            factor_need_set_status(need, status=FactorNeed.NeedStatus.ARRANGED, actor=None)
        elif state < 0.55:
            factor_need_set_status(need, status=FactorNeed.NeedStatus.ARRANGED, actor=None)
            factor_need_set_status(need, status=FactorNeed.NeedStatus.DELIVERED, actor=None)


def _fitted_durations(begin: dt.date, target: dt.date) -> list[tuple[str, int]]:
    """NODE_PLAN with the works after 前期手续 stretched or squeezed to fill the time from
    the start to the target, so that scheduled backward from the target the 前期手续 end
    about when the project starts (not, say, a year after it broke ground)."""
    (first, first_days), *works = NODE_PLAN
    available = max(len(works) * 5, (target - begin).days * 5 // 7)  # about the working days
    planned = sum(days for _name, days in works)
    fitted = [(name, max(5, days * available // planned)) for name, days in works]
    return [(first, first_days), *fitted]


def _nodes(project: Project, plan: Plan, ctx: _Context) -> None:
    if plan.stage not in {Stage.SIGNED, Stage.STARTED, Stage.CONSTRUCTION}:
        return
    assert project.planned_completion is not None
    target = max(project.planned_completion, ctx.today + dt.timedelta(days=30))
    begin = project.started_on or project.planned_start or ctx.today
    previous: Node | None = None
    for name, duration in _fitted_durations(begin, target):
        node = node_add(project, name=name, duration_days=duration, responsible_org=project.responsible_org,
                        actor=None)
        if previous is not None:
            node_link_add(previous, node, lag_days=0, actor=None)
        previous = node
    node_schedule_backward(project, target_date=target, actor=None)
    d = plan.draws[21]
    for node in Node.objects.filter(project=project).order_by("sort_order"):
        if node.planned_start is None or node.planned_finish is None or node.planned_start > ctx.today:
            break
        node_record_actual(node, actual_start=node.planned_start, actor=None, today=ctx.today)
        # Most past nodes finished on time; about a quarter of the projects lag (late nodes).
        if node.planned_finish < ctx.today and d > 0.25:
            node_record_actual(node, actual_finish=node.planned_finish, actor=None, today=ctx.today)
        else:
            break


def _money_reports(project: Project, plan: Plan, ctx: _Context) -> None:
    if plan.stage not in REPORTING:
        return
    d = plan.draws
    start = project.started_on or project.planned_start or ctx.today
    years = {_months_back(ctx.today, n).year for n in range(1, 13)} | {ctx.today.year}
    yearly = (plan.total * Decimal("0.35")).quantize(Decimal("1"))
    for year in sorted(years):
        annual_plan_set(project, year=year, planned_investment=yearly, actor=None)
    pace = Decimal(str(round(0.45 + d[22] * 0.9, 2)))  # behind or ahead of the plan
    progress = 0
    for n in range(12, 0, -1):
        month = _months_back(ctx.today, n)
        if month < start.replace(day=1):
            continue
        if plan.stage in {Stage.COMPLETED, Stage.PRODUCING} and project.completed_on and month > project.completed_on:
            amount = Decimal("0")
        else:
            wobble = Decimal(str(round(0.7 + ((d[23] * 1000 + n * 37) % 60) / 100, 2)))
            amount = (yearly / 12 * pace * wobble).quantize(Decimal("0.01"))
        progress = min(100, progress + int(4 + float(pace) * 5))
        monthly_report_submit(project, month=month, invested_this_month=amount, progress_percent=progress,
                              actor=None)


def _daily_feedback(projects: list[Project], ctx: _Context) -> None:
    if ctx.office is None:
        return
    days: list[dt.date] = []
    day = ctx.today
    while len(days) < 5:
        if day.weekday() < 5:
            days.append(day)
        day -= dt.timedelta(days=1)
    for project in projects:
        if project.stage not in {Stage.STARTED, Stage.CONSTRUCTION}:
            continue
        for past in reversed(days):
            row = daily_feedback_save(
                project, actor=ctx.office, progress=f"{project.name}：现场施工正常推进，{past:%m月%d日}完成计划工作量。",
                problems="" if (past.day + project.pk) % 4 else "部分材料进场延迟，已协调供应商。",
            )
            if past != ctx.today:
                # DEMO ONLY: the service records today's feedback; the demo moves it back to the
                # day it stands for.
                type(row).objects.filter(pk=row.pk).update(day=past)


def _commitments_and_observation(projects: dict[str, Project], ctx: _Context) -> None:
    year = ctx.today.year
    textile, materials, clocks = projects["HY-DEMO-0004"], projects["HY-DEMO-0002"], projects["HY-DEMO-0005"]
    qidong = ctx.county_org(textile.region, "gov") or textile.responsible_org
    commitment_add(organisation=qidong, year=year, kind=Commitment.Kind.MILESTONE, project=textile, actor=None,
                   promise="湘南纺织产业基地一期厂房年内封顶", promised_date=dt.date(year, 10, 31))
    gxq = materials.responsible_org
    promised = commitment_add(organisation=gxq, year=year, kind=Commitment.Kind.ANNUAL_INVESTMENT, project=materials,
                              actor=None, promise="大合新材料项目年度完成投资 2 亿元",
                              promised_amount=Decimal("20000"))
    commitment_record_actual(promised, actor=None, actual_amount=Decimal("6800"))
    bszq = clocks.responsible_org
    started = commitment_add(organisation=bszq, year=year, kind=Commitment.Kind.START_DATE, project=clocks, actor=None,
                             promise="船山时间谷钟表产业园按期开工", promised_date=clocks.planned_start)
    if clocks.started_on:
        commitment_record_actual(started, actor=None, actual_date=clocks.started_on)
    held_on = ctx.today - dt.timedelta(days=21)
    obs = observation_round_create(title=f"{held_on.year}年重大项目现场观摩（第{(held_on.month - 1) // 3 + 1}季度）",
                                   held_on=held_on, actor=None)
    for code, score, remark in (
        ("HY-DEMO-0001", "92.5", "建设进度快，智能化水平高"),
        ("HY-DEMO-0004", "88.0", "基地规模大，配套需加快"),
        ("HY-DEMO-0005", "85.5", "开工后推进有力"),
        ("HY-DEMO-0002", "90.0", "技术含量高，投资强度大"),
    ):
        project = projects[code]
        observation_score_set(obs, organisation=project.responsible_org, project=project, score=Decimal(score),
                              remark=remark, actor=None)


def _link_seed_case(project: Project) -> None:
    from yancheng.cases.models import Case

    case = Case.objects.filter(title=SEED_TITLE, enterprise__name=SEED_ENTERPRISE, subject_ref="").order_by("pk").first()
    if case is None:
        return
    # DEMO ONLY: the seed case was reported before its project was filed; link it here.
    Case.objects.filter(pk=case.pk).update(subject_ref=f"project:{project.pk}", subject=project.name)
    audit_record("case.link_project", case, actor=None, after={"subject_ref": f"project:{project.pk}"})


def _link_project_cases() -> None:
    """DEMO ONLY: the demo's 项目问题 were reported (by the cases demo, which knows no
    projects) before the projects were filed, with 所涉项目 as free text. An enterprise with
    a registered project reports about it, so link each such case to the enterprise's first
    project, as the report form does today by offering the enterprise's projects."""
    from yancheng.cases.models import Case, CaseKind

    first: dict[int, Project] = {}
    for project in Project.objects.filter(enterprise__isnull=False, is_active=True).order_by("-code"):
        assert project.enterprise_id is not None
        first[project.enterprise_id] = project
    cases = Case.objects.filter(kind=CaseKind.PROJECT_PROBLEM, subject_ref="", enterprise_id__in=list(first))
    for case in cases.only("pk", "enterprise_id").order_by("pk"):
        assert case.enterprise_id is not None
        project = first[case.enterprise_id]
        Case.objects.filter(pk=case.pk).update(subject_ref=f"project:{project.pk}", subject=project.name)


def _meetings(projects: dict[str, Project], ctx: _Context) -> None:
    office = ctx.office
    if office is None:
        return
    last_week = ctx.today - dt.timedelta(days=7)
    held = meetings.meeting_create(actor=office, title=f"全市重大项目周调度会（{last_week:%m月%d日}）",
                                   held_on=last_week, chair="周示例")
    meetings.agenda_build(held, actor=office)
    box, cable, textile = projects["HY-DEMO-0006"], projects["HY-DEMO-0001"], projects["HY-DEMO-0004"]
    for text, org_code, days, project in (
        ("国网衡阳供电公司按供电节点倒排工期，一周内完成纸箱包装生产线项目 10kV 高压专线接入。", "hy-power", 5, box),
        ("市自然资源和规划局加快恒飞电缆智能化产业园二期用地报批，本月内出具用地预审意见。", "hy-zrzyj", 10, cable),
        ("祁东县人民政府协调湘南纺织产业基地周边道路施工阻工问题，保障大件运输。", "qd-gov", 7, textile),
    ):
        org = ctx.org(org_code)
        if org is not None:
            meetings.decision_add(held, actor=office, text=text, lead_org=org, due_working_days=days, project=project)
    meetings.meeting_update_minutes(held, actor=office, minutes="会议听取了重点项目建设进展汇报，对红黄灯事项逐项调度。")
    meetings.meeting_close(held, actor=office)

    upcoming = meetings.meeting_create(actor=office, title=f"全市重大项目周调度会（{ctx.today:%m月%d日}）",
                                      held_on=ctx.today, chair="周示例")
    meetings.agenda_build(upcoming, actor=office)
    org = ctx.org("hy-zjj")
    clocks = projects["HY-DEMO-0005"]
    if org is not None:
        meetings.decision_add(upcoming, actor=office, text="市住建局对船山时间谷钟表产业园施工许可实行容缺受理。",
                              lead_org=org, due_working_days=5, project=clocks)


def load_project_demo() -> dict[str, Any]:
    """Add the demo projects (idempotent: nothing is added when the marker project exists)."""
    if Project.objects.filter(code=MARKER).exists():
        return {"created": 0}
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not security
    ctx = _Context()
    if "hy-fgw" not in ctx.orgs:
        return {"created": 0}  # the core demo city is not loaded
    with transaction.atomic():
        plans = _plans(rng, ctx)
        projects: dict[str, Project] = {}
        for plan in plans:
            project = _file(plan, ctx)
            _task_force(project, plan, ctx)
            _approvals(project, plan, ctx)
            _factor_needs(project, plan, ctx)
            _nodes(project, plan, ctx)
            _money_reports(project, plan, ctx)
            projects[plan.code] = project
        _daily_feedback([projects[n.code] for n in NAMED] + list(projects.values())[len(NAMED):len(NAMED) + 10], ctx)
        _commitments_and_observation(projects, ctx)
        _link_seed_case(projects["HY-DEMO-0006"])
        _link_project_cases()
        _meetings(projects, ctx)
    return {"created": len(projects)}
