"""The Hengyang demo of 企业赋码保护: a code and a grade for every enterprise, the registries
and published item lists of four law-enforcement departments, the city's rules (cap matrix,
exemption reasons, quiet periods), a year of plans with joint proposals, some 300
registrations (planned, outside any plan, exempt, joint, non-enforcement visits, emergency
and back-filled), their results, anonymous ratings, two complaints, a report of an
unregistered visit, the alerts that fired and a few the supervisor has handled.

Registrations go through the real services *as of* their moment: while one is made, the
inspection modules read a demo clock (`_as_of`) so plan windows, caps per year, back-fill
limits and quiet periods are judged as they were then. The audit trail and notifications
keep real time — the demo never writes history into the hash chain out of order."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone as real_timezone

from yancheng.core.errors import DomainError
from yancheng.core.models import Enterprise, Organisation, Role, User
from yancheng.core.services import user_create

from . import alerts, counting, permissions, ratings, services
from .models import (
    CapRule,
    EntryMode,
    ExemptionReason,
    Inspection,
    InspectionAlert,
    InspectionItem,
    InspectionKind,
    InspectionPlan,
    InspectorLicence,
    JointProposal,
    OutsidePlanReason,
    PlanEntry,
    QuietPeriod,
    SupervisionCode,
    VisitPurpose,
)
from .planning import access as plan_access
from .planning import common as plan_limits
from .planning import joint as joint_services
from .planning import plans as plan_services
from .planning import slots as slot_services
from .registration import checks as registration_checks
from .registration import finish as registration_finish
from .registration import preview as registration_preview
from .registration import register as registration_register
from .supervision.policy import policy_update

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEED = 20260415

# Departments that inspect, their demo inspectors (username, name, certificate) — the first
# of the market bureau's are the core demo's logins jiancha / jiancha2 — and their items.
DEPARTMENTS: dict[str, dict[str, Any]] = {
    "hy-scjg": {
        "inspectors": [("jiancha", None, None), ("jiancha2", None, None),
                       (None, "孙执法（市场监管）", "43040113021"), (None, "郑执法（市场监管）", "43040113022")],
        "clerk": "fazhi",
        "items": [
            ("SC-01", "食品生产经营监督检查", "《中华人民共和国食品安全法》第一百一十条"),
            ("SC-02", "特种设备安全监督检查", "《中华人民共和国特种设备安全法》第五十七条"),
            ("SC-03", "工业产品质量安全监督检查", "《中华人民共和国产品质量法》第十五条"),
            ("SC-04", "计量器具使用监督检查", "《中华人民共和国计量法》第十八条"),
        ],
        "draft": ("SC-90", "广告发布情况检查", "《中华人民共和国广告法》第四十九条"),
    },
    "hy-yjglj": {
        "inspectors": [("yingji", "钱执法（应急管理）", "43040223011"), (None, "冯执法（应急管理）", "43040223012"),
                       (None, "陈执法（应急管理）", "43040223013")],
        "items": [
            ("YJ-01", "危险化学品安全检查", "《危险化学品安全管理条例》第六条"),
            ("YJ-02", "工贸企业安全生产检查", "《中华人民共和国安全生产法》第六十五条"),
            ("YJ-03", "粉尘涉爆企业专项检查", "《工贸企业粉尘防爆安全规定》第二十六条"),
        ],
    },
    "hy-sthjj": {
        "inspectors": [("huanbao", "褚执法（生态环境）", "43040333021"), (None, "卫执法（生态环境）", "43040333022")],
        "items": [
            ("HB-01", "排污许可执行情况检查", "《排污许可管理条例》第二十九条"),
            ("HB-02", "危险废物规范化管理检查", "《中华人民共和国固体废物污染环境防治法》第一百零一条"),
        ],
    },
    "hy-xfzd": {
        "inspectors": [("xiaofang", "蒋执法（消防救援）", "43040443031"), (None, "沈执法（消防救援）", "43040443032")],
        "items": [
            ("XF-01", "消防安全检查", "《中华人民共和国消防法》第五十三条"),
        ],
    },
}

# The cap matrix (visits a year): per item, per department, in total, by grade. Grade A
# gets no proactive inspection (InspectionPolicy.grade_a_proactive = refuse).
CAPS = {
    "A": {"item": 1, "department": 1, "total": 2},
    "B": {"item": 2, "department": 3, "total": 6},
    "C": {"item": 3, "department": 4, "total": 8},
    "D": {"item": 4, "department": 6, "total": 12},
}

EXEMPTIONS = [
    ("complaint", "投诉举报核查", "投诉举报编号或12345工单号", False),
    ("referral", "上级交办、转办", "交办、转办文号", False),
    ("follow-up", "整改复查", "原检查登记编号及整改通知书文号", False),
    ("own-request", "企业申请", "企业书面申请", True),
    ("accident", "事故调查处置", "事故报告编号", False),
]

RESULTS = {
    Inspection.Outcome.NO_ISSUE: "现场检查未发现违法违规问题，已向企业反馈检查情况。",
    Inspection.Outcome.RECTIFY: "发现台账记录不完整、部分标识缺失，已下达责令整改通知书，限期15日整改。",
    Inspection.Outcome.GUIDANCE: "就新修订标准和申报流程进行了指导，企业已知悉。",
    Inspection.Outcome.CASE_FILED: "发现涉嫌违法行为，已依法立案调查。",
}
COMMENTS = [
    "检查人员出示证件，程序规范，用时较短。", "提前告知了检查时间，没有影响生产。", "指导很具体，帮助很大。",
    "检查比较频繁，希望合并检查。", "", "", "态度好，讲解清楚。", "希望检查前提前沟通。",
]


class _DemoClock:
    """Stands in for `django.utils.timezone` in the inspection modules while a past moment is
    replayed: `now()` and `localdate()` answer the moment; everything else is Django's."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def now(self) -> dt.datetime:
        return self.moment

    def localdate(self, value: dt.datetime | None = None, timezone: Any = None) -> dt.date:
        return real_timezone.localdate(value or self.moment, timezone)

    def __getattr__(self, name: str) -> Any:
        return getattr(real_timezone, name)


# Every module that reads the clock while the demo registers (the registration package's too).
_CLOCKED: tuple[Any, ...] = (
    registration_checks, registration_preview, registration_register, registration_finish,
    plan_limits, plan_access, plan_services, joint_services, slot_services,
    counting, alerts, ratings, services, permissions,
)


@contextmanager
def _as_of(moment: dt.datetime) -> Iterator[None]:
    clock = _DemoClock(moment)
    saved = [(module, module.timezone) for module in _CLOCKED if hasattr(module, "timezone")]
    try:
        for module, _old in saved:
            module.timezone = clock
        yield
    finally:
        for module, old in saved:
            module.timezone = old


def demo_loaded() -> bool:
    return Inspection.objects.filter(number__startswith="JC").exists() and InspectorLicence.objects.filter(
        certificate_no="43040113021"
    ).exists()


class _Loader:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
        self.now = real_timezone.now()
        self.today = real_timezone.localdate()
        self.year = self.today.year
        # Twelve months of history: the eleven before this one, and this one so far.
        self.months = [((self.today.year * 12 + self.today.month - 1 - back) // 12,
                        (self.today.year * 12 + self.today.month - 1 - back) % 12 + 1) for back in range(11, -1, -1)]
        self.start = dt.date(self.months[0][0], self.months[0][1], 1)
        self.orgs = {o.code: o for o in Organisation.objects.filter(code__in=[*DEPARTMENTS, "hy-sfj", "hy-yshjb"])}
        self.enterprises = list(
            Enterprise.objects.filter(is_active=True).select_related("region", "organisation").order_by("pk")
        )
        self.items: dict[str, list[InspectionItem]] = {}
        self.licences: dict[str, list[InspectorLicence]] = {}
        self.inspectors: dict[str, User] = {}
        self.enterprise_users: dict[int, User] = {}
        self.made: list[Inspection] = []
        self.jobs: list[tuple[dt.datetime, dict[str, Any]]] = []
        self.refused = 0

    # --- people and lists ----------------------------------------------------------------------------

    def _user(self, username: str, role: str, org: Organisation, full_name: str, certificate: str = "") -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, password=None, role=role, organisation=org, full_name=full_name,
                               enforcement_certificate_no=certificate, must_change_password=False, actor=None)
        return user

    def departments(self) -> None:
        for code, spec in DEPARTMENTS.items():
            org = self.orgs[code]
            self.licences[code] = []
            for username, name, certificate in spec["inspectors"]:
                account = None
                if username is not None:
                    account = User.objects.filter(username=username).first() or self._user(
                        username, Role.INSPECTOR, org, name or username, certificate or "")
                    certificate = account.enforcement_certificate_no or certificate
                    name = account.full_name or name
                    self.inspectors.setdefault(code, account)
                licence = InspectorLicence.objects.filter(certificate_no=certificate).first() or \
                    services.licence_register(department=org, full_name=str(name), certificate_no=str(certificate),
                                              user=account, actor=None)
                self.licences[code].append(licence)
            if "clerk" in spec:
                self._user(spec["clerk"], Role.HANDLER, org, "钱示例（市场监管法制科）")
            self.items[code] = [
                services.item_create(department=org, code=c, name=n, legal_basis=b, actor=None, publish=True)
                for c, n, b in spec["items"]
            ]
            if "draft" in spec:
                c, n, b = spec["draft"]
                services.item_create(department=org, code=c, name=n, legal_basis=b, actor=None)

    def rules(self) -> None:
        policy_update(actor=None, supervising_org=self.orgs["hy-sfj"])
        for grade, caps in CAPS.items():
            CapRule.objects.get_or_create(grade=grade, scope="department", department=None,
                                          defaults={"max_per_year": caps["department"]})
            CapRule.objects.get_or_create(grade=grade, scope="total", defaults={"max_per_year": caps["total"]})
            for items in self.items.values():
                for item in items:
                    CapRule.objects.get_or_create(grade=grade, scope="item", item=item,
                                                  defaults={"max_per_year": caps["item"]})
        for code, name, evidence, attachment in EXEMPTIONS:
            ExemptionReason.objects.get_or_create(
                code=code, defaults={"name": name, "evidence_required": evidence, "requires_attachment": attachment})
        february = next(y for y, m in self.months if m == 2)
        QuietPeriod.objects.get_or_create(
            name=f"{february}年春节企业宁静期", defaults={
                "starts_on": dt.date(february, 2, 10), "ends_on": dt.date(february, 2, 24)})
        newcomer = self.enterprises[7]
        QuietPeriod.objects.get_or_create(
            name="新落地项目试生产宁静期", enterprise=newcomer, defaults={
                "starts_on": self.today - dt.timedelta(days=20), "ends_on": self.today + dt.timedelta(days=70)})

    def codes(self) -> None:
        have = set(SupervisionCode.objects.filter(revoked_at__isnull=True).values_list("enterprise_id", flat=True))
        for enterprise in self.enterprises:
            if enterprise.pk not in have:
                services.code_issue(enterprise, actor=None)
        # One enterprise asked for a new code once (its poster was photographed and shared).
        services.code_issue(self.enterprises[3], actor=None, reason="海报被翻拍外传，申请重新赋码")

    # --- plans -----------------------------------------------------------------------------------------

    def plans(self) -> list[PlanEntry]:
        """Annual plans of each year the history touches, filed in January: each department
        names enterprises, months and items; where two departments meet at one enterprise in
        one month, a joint proposal."""
        entries: list[PlanEntry] = []
        targets = [e for e in self.enterprises if e.grade != "A"]
        shared = self.rng.sample(targets, 24)  # enterprises both market and safety plan to visit
        years = sorted({year for year, _month in self.months})
        for code, items in self.items.items():
            org = self.orgs[code]
            plans = {}
            for year in years:
                with _as_of(dt.datetime(year, 1, 10, 9, tzinfo=SHANGHAI)):
                    plans[year] = plan_services.plan_get_or_create(department=org, year=year, actor=None)
            chosen = self.rng.sample(targets, 30)
            if code in {"hy-scjg", "hy-yjglj"}:
                chosen = shared + [e for e in chosen if e not in shared][:14]
            for index, enterprise in enumerate(chosen):
                slot = shared.index(enterprise) if enterprise in shared else index * 7 + len(code)
                year, month = self.months[slot % 12]
                item = items[index % len(items)]
                entries.append(PlanEntry(
                    plan=plans[year], enterprise=enterprise, item=item, legal_basis=item.legal_basis, month=month,
                    window_start=dt.date(year, month, 1), window_end=plan_limits.month_bounds(year, month)[1],
                    announced=index % 4 != 0,
                ))
            # A class-wide line: 双随机 spot checks of a class of enterprises, unannounced.
            year, month = self.months[5]
            entries.append(PlanEntry(
                plan=plans[year], enterprise_class="规上工业企业（双随机抽查）", item=items[0],
                legal_basis=items[0].legal_basis, month=month, window_start=dt.date(year, month, 1),
                window_end=plan_limits.month_bounds(year, month)[1], announced=False,
            ))
        # History: the lines were written in January (the service refuses windows that passed).
        PlanEntry.objects.bulk_create(entries)
        for year in years:
            january = dt.datetime(year, 1, 20, 10, tzinfo=SHANGHAI)
            for plan in InspectionPlan.objects.filter(year=year, month__isnull=True, status="draft"):
                with _as_of(january):
                    plan_services.plan_file(plan, actor=None)
            InspectionPlan.objects.filter(year=year, month__isnull=True).update(filed_at=january)
            with _as_of(january):
                joint_services.joint_proposals_match(year=year)
        return list(PlanEntry.objects.filter(plan__year__in=years, enterprise__isnull=False)
                    .select_related("plan__department", "enterprise", "item", "joint_proposal"))

    def answer_proposals(self) -> None:
        """Most proposals were accepted by every department; the third past one the
        emergency bureau declined; the upcoming ones still wait for an answer."""
        proposals = list(JointProposal.objects.filter(status=JointProposal.Status.PROPOSED)
                         .order_by("window_start", "pk"))
        past, declined = 0, False
        for proposal in proposals:
            if proposal.window_start > self.today:
                continue  # upcoming: the departments have not answered yet
            departments = plan_access.proposal_departments(proposal)
            decline = past >= 2 and not declined and any(d.code == "hy-yjglj" for d in departments)
            declined = declined or decline
            past += 1
            moment = dt.datetime.combine(proposal.window_start - dt.timedelta(days=10), dt.time(9, 30), SHANGHAI)
            with _as_of(moment):
                for department in departments:
                    clerk = self._clerk(department)
                    decision = "declined" if decline and department.code == "hy-yjglj" else "accepted"
                    try:
                        joint_services.joint_proposal_answer(proposal, actor=clerk, decision=decision,
                                                       reason="检查时段与企业停产检修冲突" if decision == "declined" else "")
                    except DomainError:
                        break

    def _clerk(self, department: Organisation) -> User:
        clerk = User.objects.filter(organisation=department, role=Role.HANDLER, is_active=True).order_by("pk").first()
        if clerk is None:
            clerk = self._user(f"fz-{department.code}", Role.HANDLER, department, f"法制科（{department.short_name or department.name}）")
        return clerk

    # --- registrations ----------------------------------------------------------------------------------

    def _moment(self, day: dt.date) -> dt.datetime:
        minute = self.rng.randrange(8 * 60 + 40, 16 * 60 + 30)
        return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), SHANGHAI)

    def _working_day(self, start: dt.date, end: dt.date) -> dt.date | None:
        days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
        days = [d for d in days if d.weekday() < 5 and d < self.today]
        return self.rng.choice(days) if days else None

    def register(self, moment: dt.datetime, *, code: str, enterprise: Enterprise, finish: bool = True,
                 **fields: Any) -> Inspection | None:
        """Register (and finish) one visit as of `moment`, through the services."""
        inspector = self.inspectors[code]
        own = next(lic for lic in self.licences[code] if lic.user_id == inspector.pk)
        second = self.rng.choice([lic for lic in self.licences[code] if lic.pk != own.pk])
        extra = fields.pop("inspectors", [])
        with _as_of(moment):
            try:
                inspection = registration_register.inspection_register(
                    actor=inspector, enterprise=enterprise, found_by=fields.pop("found_by", "code"),
                    code=SupervisionCode.objects.filter(enterprise=enterprise, revoked_at__isnull=True).first(),
                    inspectors=[own, second, *extra], acknowledge_warnings=True, **fields,
                )
            except DomainError:
                self.refused += 1  # the rules said no (a quiet period, grade A, a cap): as they would
                return None
        end = moment + dt.timedelta(minutes=self.rng.randrange(40, 180))
        if finish and end < self.now:
            outcome = self.rng.choices(list(RESULTS), weights=[6, 3, 2, 1])[0]
            if fields.get("kind") == InspectionKind.VISIT:
                outcome = Inspection.Outcome.GUIDANCE
            with _as_of(end):
                inspection = registration_finish.inspection_finish(
                    inspection, actor=inspector, outcome=outcome, result=RESULTS[outcome], ended_at=end)
        self.made.append(inspection)
        return inspection

    def plan_visit(self, moment: dt.datetime, **fields: Any) -> None:
        self.jobs.append((moment, fields))

    def run_visits(self) -> None:
        """In the order they happened, so caps and frequencies are judged as they were."""
        for moment, fields in sorted(self.jobs, key=lambda job: job[0]):
            self.register(moment, **fields)

    def planned_visits(self, entries: Sequence[PlanEntry]) -> None:
        seen: set[int] = set()
        for entry in sorted(entries, key=lambda e: e.window_start):
            if entry.window_start >= self.today or self.rng.random() < 0.1:
                continue
            proposal = entry.joint_proposal
            if proposal is not None and proposal.pk in seen:
                continue
            day = self._working_day(entry.window_start, min(entry.window_end, self.today))
            if day is None:
                continue
            code = entry.plan.department.code
            if proposal is not None:
                proposal.refresh_from_db()
                if proposal.status == JointProposal.Status.ACCEPTED:
                    seen.add(proposal.pk)
                    day = self._working_day(proposal.window_start, min(proposal.window_end, self.today)) or day
                    others = [e for e in proposal.entries.select_related("plan__department", "item")]
                    extra = [self.licences[e.plan.department.code][0] for e in others
                             if e.plan.department.code != code]
                    self.plan_visit(self._moment(day), code=code, enterprise=entry.enterprise,
                                    kind=InspectionKind.ENFORCEMENT, items=[e.item for e in others],
                                    joint_proposal=proposal, inspectors=extra[:1])
                    continue
            self.plan_visit(self._moment(day), code=code, enterprise=entry.enterprise,
                            kind=InspectionKind.ENFORCEMENT, items=[entry.item], plan_entry=entry)

    def unplanned_visits(self) -> None:
        """Complaint-driven and referred inspections (some exempt), non-enforcement visits,
        a repeatedly visited enterprise (high frequency), emergencies and back-fills."""
        reasons = {r.code: r for r in ExemptionReason.objects.all()}
        start = self.start + dt.timedelta(days=5)
        span = (self.today - start).days
        for n in range(180):
            day = start + dt.timedelta(days=self.rng.randrange(span))
            if day.weekday() >= 5:
                day -= dt.timedelta(days=day.weekday() - 4)
            enterprise = self.rng.choice(self.enterprises)
            code = self.rng.choice(list(DEPARTMENTS))
            items = self.items[code]
            roll = self.rng.random()
            moment = self._moment(day)
            if roll < 0.35:
                self.plan_visit(moment, code=code, enterprise=enterprise, kind=InspectionKind.VISIT,
                              purpose=self.rng.choice(list(VisitPurpose.values)), found_by="uscc" if n % 5 == 0 else "code")
            elif roll < 0.7:
                reason = reasons["complaint"] if n % 2 else reasons["referral"]
                self.plan_visit(moment, code=code, enterprise=enterprise, kind=InspectionKind.ENFORCEMENT,
                              items=[self.rng.choice(items)], outside_plan_reason=OutsidePlanReason.COMPLAINT
                              if reason.code == "complaint" else OutsidePlanReason.REFERRAL,
                              exemption_reason=reason, exemption_evidence=f"12345-{day.year}{n:05d}")
            elif roll < 0.85:
                self.plan_visit(moment, code=code, enterprise=enterprise, kind=InspectionKind.ENFORCEMENT,
                              items=[self.rng.choice(items)], outside_plan_reason=OutsidePlanReason.SUPERIOR)
            else:
                self.plan_visit(moment, code=code, enterprise=enterprise, kind=InspectionKind.ENFORCEMENT,
                              items=[self.rng.choice(items)], outside_plan_reason=OutsidePlanReason.EMERGENCY,
                              exemption_reason=reasons["accident"], exemption_evidence=f"事故报告 {day.year}-{n:03d}")
        # One enterprise visited again and again in three weeks: the high-frequency alert.
        busy = self.enterprises[11]
        for offset, code in enumerate(["hy-scjg", "hy-yjglj", "hy-sthjj", "hy-xfzd"]):
            day = self.today - dt.timedelta(days=24 - offset * 6)
            while day.weekday() >= 5:
                day -= dt.timedelta(days=1)
            self.plan_visit(self._moment(day), code=code, enterprise=busy, kind=InspectionKind.VISIT,
                          purpose=VisitPurpose.CALL)
        # A cap reached and exceeded (acknowledged by the inspector, alerted to the supervisor).
        capped = next(e for e in self.enterprises if e.grade == "B" and e.pk not in {busy.pk})
        # Three visits in one calendar year (caps count per year): the year with most past months.
        past = self.months[:-1]
        busiest = max({y for y, _m in past}, key=lambda y: sum(1 for yy, _m in past if yy == y))
        in_year = [m for y, m in past if y == busiest]
        for month in (in_year[0], in_year[len(in_year) // 2], in_year[-1]):
            capped_day = self._working_day(dt.date(busiest, month, 10), dt.date(busiest, month, 20))
            if capped_day is not None:
                self.plan_visit(self._moment(capped_day), code="hy-scjg", enterprise=capped, kind=InspectionKind.ENFORCEMENT,
                              items=[self.items["hy-scjg"][0]], outside_plan_reason=OutsidePlanReason.SUPERIOR)
        # Emergency-then-scan and a back-fill after the system was down, recently.
        yesterday = self.today - dt.timedelta(days=1)
        while yesterday.weekday() >= 5:
            yesterday -= dt.timedelta(days=1)
        moment = self._moment(yesterday)
        self.plan_visit(moment + dt.timedelta(hours=1), code="hy-yjglj", enterprise=self.enterprises[20],
                      kind=InspectionKind.ENFORCEMENT, items=[self.items["hy-yjglj"][0]],
                      outside_plan_reason=OutsidePlanReason.EMERGENCY, entry_mode=EntryMode.EMERGENCY,
                      entry_mode_reason="危化品储罐泄漏报警，先行现场处置，离开前扫码登记。", started_at=moment)
        filled = self.today - dt.timedelta(days=4)
        while filled.weekday() >= 5:
            filled -= dt.timedelta(days=1)
        when = self._moment(filled)
        self.plan_visit(when + dt.timedelta(days=3), code="hy-scjg", enterprise=self.enterprises[25],
                      kind=InspectionKind.ENFORCEMENT, items=[self.items["hy-scjg"][1]],
                      outside_plan_reason=OutsidePlanReason.SUPERIOR, entry_mode=EntryMode.BACKFILL,
                      entry_mode_reason="当日政务外网中断，无法扫码，系统恢复后补录。", started_at=when)
        # The demo enterprise's own visits (login qiye): one it complained about, one rated,
        # and a recent one it has not rated yet.
        seed = self.seed_enterprise()
        for back, code, fields in (
            (4, "hy-scjg", {"kind": InspectionKind.ENFORCEMENT, "items": [self.items["hy-scjg"][2]],
                            "outside_plan_reason": OutsidePlanReason.SUPERIOR}),
            (2, "hy-yjglj", {"kind": InspectionKind.ENFORCEMENT, "items": [self.items["hy-yjglj"][1]],
                             "outside_plan_reason": OutsidePlanReason.COMPLAINT,
                             "exemption_reason": reasons["complaint"], "exemption_evidence": "12345-2026-0815"}),
            (0, "hy-sthjj", {"kind": InspectionKind.VISIT, "purpose": VisitPurpose.RESEARCH}),
        ):
            year, month = self.months[-1 - back]
            seed_day = self._working_day(dt.date(year, month, 3), min(dt.date(year, month, 25), self.today))
            if seed_day is not None:
                self.plan_visit(self._moment(seed_day), code=code, enterprise=seed, **fields)
        # One in progress right now.
        self.plan_visit(self.now - dt.timedelta(minutes=40), code="hy-scjg", enterprise=self.enterprises[30],
                      kind=InspectionKind.ENFORCEMENT, items=[self.items["hy-scjg"][2]],
                      outside_plan_reason=OutsidePlanReason.SUPERIOR, finish=False)

    # --- the enterprise's side -----------------------------------------------------------------------

    def _enterprise_user(self, enterprise: Enterprise) -> User | None:
        if enterprise.pk in self.enterprise_users:
            return self.enterprise_users[enterprise.pk]
        user = User.objects.filter(organisation=enterprise.organisation, role=Role.ENTERPRISE,
                                   is_active=True).order_by("pk").first()
        if user is None and enterprise.organisation is not None:
            user = self._user(f"qy-{enterprise.uscc.lower()}", Role.ENTERPRISE, enterprise.organisation,
                              f"{enterprise.name[:6]}联络员")
        if user is not None:
            self.enterprise_users[enterprise.pk] = user
        return user

    def seed_enterprise(self) -> Enterprise:
        return next((e for e in self.enterprises if e.name == "祁东县示例纸箱包装有限公司"), self.enterprises[0])

    def rate(self) -> None:
        """About two in three finished visits rated, a few days after the visit, then moved into
        the rating table by the daily batch of each day; the demo enterprise rated its middle
        visit and left the latest for the demo user to rate."""
        seed = self.seed_enterprise()
        seed_visits = [i for i in self.made if i.enterprise_id == seed.pk]
        days: set[dt.date] = set()
        for inspection in self.made:
            if inspection.status != Inspection.Status.FINISHED:
                continue
            if inspection.enterprise_id == seed.pk:
                if len(seed_visits) < 2 or inspection.pk != seed_visits[-2].pk:
                    continue
            elif self.rng.random() > 0.66:
                continue
            user = self._enterprise_user(inspection.enterprise)
            assert inspection.ended_at is not None
            day = real_timezone.localtime(inspection.ended_at).date() + dt.timedelta(days=self.rng.randrange(0, 4))
            if user is None or day > self.today:
                continue
            score = self.rng.choices([5, 4, 3, 2, 1], weights=[50, 30, 10, 6, 4])[0]
            with _as_of(dt.datetime.combine(day, dt.time(20, 0), SHANGHAI)):
                ratings.rating_submit(inspection, actor=user, score=score, comment=self.rng.choice(COMMENTS))
            days.add(day)
        # The daily batch, as it would have run just after each of those days (today's
        # ratings wait for tomorrow's, as they would).
        for day in sorted(days):
            with _as_of(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 30), SHANGHAI)):
                ratings.ratings_batch_move()

    def complaints_and_reports(self) -> None:
        from . import complaints

        seed = self.seed_enterprise()
        finished = [i for i in self.made if i.status == Inspection.Status.FINISHED and i.kind == "enforcement"
                    and i.enterprise_id != seed.pk]
        seed_first = [i for i in self.made if i.enterprise_id == seed.pk and i.status == Inspection.Status.FINISHED]
        for inspection, text in zip([*seed_first[:1], *finished[-20:-19]], (
            "检查人员未出示执法证件，且检查时间长达一整天，严重影响生产。",
            "同一事项本月已被检查两次，要求说明重复检查的依据。",
        ), strict=False):
            user = self._enterprise_user(inspection.enterprise)
            if user is not None:
                complaints.complaint_file(inspection, actor=user, text=text)
        user = self._enterprise_user(seed)
        if user is not None:
            complaints.unregistered_visit_report(
                actor=user, department=self.orgs["hy-sthjj"], visited_on=self.today - dt.timedelta(days=6),
                description="两名自称环保部门的工作人员进厂查看污水处理设施，未扫码登记，也未出示证件。",
                people="未出示证件",
            )

    def handle_some_alerts(self) -> None:
        from .supervision.alerts import alert_handle

        supervisor = User.objects.filter(username="ducha").first()
        if supervisor is None:
            return
        for alert in InspectionAlert.objects.filter(status="open").order_by("created_at")[:6]:
            alert_handle(alert, actor=supervisor, note="已约谈检查部门负责人，要求合并检查事项、严格执行频次上限。")

    def pick_slots(self) -> None:
        """The demo enterprise picked half-days for an announced inspection next month."""
        qiye = User.objects.filter(username="qiye").first()
        if qiye is None:
            return
        enterprise = Enterprise.objects.filter(organisation=qiye.organisation).first()
        if enterprise is None:
            return
        org = self.orgs["hy-scjg"]
        month = self.today.month % 12 + 1
        year = self.year + (1 if month == 1 else 0)
        plan = plan_services.plan_get_or_create(department=org, year=year, month=month, actor=None)
        entry = plan_services.plan_entry_add(plan, actor=None, item=self.items["hy-scjg"][0], enterprise=enterprise,
                                        month=month, announced=True)
        plan_services.plan_file(plan, actor=None)
        start, end = entry.window_start, entry.window_end
        picked = 0
        day = start
        while day <= end and picked < 2:
            if day.weekday() < 5:
                try:
                    slot_services.slot_pick(entry, actor=qiye, day=day, period="am" if picked == 0 else "pm")
                    picked += 1
                except DomainError:
                    pass
            day += dt.timedelta(days=1)

    def run(self) -> int:
        with transaction.atomic():
            self.departments()
            self.rules()
            self.codes()
            entries = self.plans()
            self.answer_proposals()
            self.planned_visits(entries)
            self.unplanned_visits()
            self.run_visits()
            self.rate()
            self.complaints_and_reports()
            self.handle_some_alerts()
            self.pick_slots()
        return len(self.made)


def load_inspection_demo() -> int:
    """Add the inspection demo unless it is there; returns how many registrations were made."""
    if demo_loaded() or not Organisation.objects.filter(code="hy-scjg").exists():
        return 0
    return _Loader().run()

