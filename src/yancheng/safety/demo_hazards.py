"""Demo hazards (DEMO ONLY): hazards in every stage across the registry's systems and the
demo enterprises' regions — two 重大事故隐患 under 挂牌督办, one repeat, some overdue and
escalated — each made through the real services, then moved back in time as a whole (the
hazard's moments and its case's, the deadlines computed again from the moved starts), as
the petitions demo does.

Assumes the registry demo loaded the systems (``data/systems-430400.json``) and the other
loaders the enterprises; gives each supervising department two safety officers when it has
fewer (one accepts and submits for a place, the other verifies). Not registered here: the
lead wires it with ``register_demo_loader``."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Model, QuerySet
from django.utils import timezone

from yancheng.cases.clocks import policy_for, set_clocks
from yancheng.cases.escalation import escalation_tick
from yancheng.cases.models import Case, CaseEvent, CaseTask
from yancheng.core.calendar.source import working_days_between
from yancheng.core.demo import DEMO_PASSWORD, add_demo_note
from yancheng.core.models import Enterprise, Organisation, Role, User
from yancheng.core.notifications.models import Notification
from yancheng.core.services import user_create

from .models import (
    EnterpriseSystem,
    Hazard,
    HazardLevel,
    HazardSource,
    HazardStage,
    Rectification,
    SafetyCheck,
    SafetySystem,
    SystemUnit,
)
from .services.hazards import (
    hazard_accept,
    hazard_complete_report,
    hazard_reject,
    hazard_report,
    hazard_submit_evidence,
    hazard_verify,
)

HAZARD_MOMENTS = ("reported_at", "accept_due_at", "accepted_at", "supervised_at", "rectified_at", "closed_at")
CASE_MOMENTS = ("assigned_at", "clock_started_at", "solve_started_at", "accepted_at", "resolved_at", "closed_at",
                "pressed_at", "supervised_at", "reported_at", "created_at")
MARK = "【演示】"
SEED = 430414
SHOWCASE_LOGIN = "qiye"
SOURCES = (HazardSource.DEPARTMENT, HazardSource.SELF_CHECK, HazardSource.GRID, HazardSource.PUBLIC)


@dataclass(frozen=True)
class Plan:
    title: str
    description: str
    level: str
    end: str  # reported, rejected, rectifying, awaiting, closed
    age_days: int  # how long ago it was reported
    rectify_days: int = 20  # the deadline, days after the report
    repeat: bool = False


PLANS = (
    Plan("除尘系统未设泄爆装置", "铝粉抛光车间除尘器未设泄爆片和隔爆阀，粉尘积聚", HazardLevel.MAJOR, "rectifying", 10, 45),
    Plan("有限空间作业未检测", "污水池清淤作业未经气体检测即进入，无监护人", HazardLevel.MAJOR, "rectifying", 40, 30),
    Plan("疏散通道堆放杂物", "二楼疏散通道堆放纸箱，安全出口半封闭", HazardLevel.GENERAL, "reported", 0),
    Plan("特种作业人员无证上岗", "叉车司机未取得特种作业操作证", HazardLevel.GENERAL, "reported", 3),
    Plan("灭火器过期", "仓库 6 具灭火器超过检验期", HazardLevel.GENERAL, "rejected", 15),
    Plan("配电箱未接地", "车间配电箱外壳未接地，线路老化", HazardLevel.GENERAL, "rectifying", 30, 10),
    Plan("安全出口指示灯损坏", "一楼安全出口指示灯不亮", HazardLevel.GENERAL, "awaiting", 12, 15),
    Plan("防护栏缺失", "二层平台临边未设防护栏", HazardLevel.GENERAL, "closed", 60, 15),
    Plan("防护栏缺失", "二层平台临边防护栏再次拆除未恢复", HazardLevel.GENERAL, "rectifying", 25, 10, repeat=True),
    Plan("危化品混存", "氧化剂与易燃物同库存放", HazardLevel.GENERAL, "closed", 90, 20),
)

COMPLETE: dict[str, Any] = {
    "situation_cause": "设备改造时未同步设置安全设施，日常检查未发现", "harm_difficulty": "一旦发生可能造成群死群伤；需局部停产改造，难度较大",
    "plan_measures": "停用相关设备，加装安全设施并经检测合格后恢复", "plan_owner": "企业主要负责人", "plan_funds": "15",
    "plan_contingency": "整改期间设警戒区，配备应急器材，每班专人巡查",
}


def _shift(qs: QuerySet[Any], fields: tuple[str, ...], delta: dt.timedelta) -> None:
    model: type[Model] = qs.model
    present = [f for f in fields if any(field.name == f for field in model._meta.concrete_fields)]
    if present:
        qs.update(**{name: F(name) + delta for name in present})


def move_back(hazard: Hazard, days: int) -> None:
    """Move the hazard, its submissions and its case ``days`` whole days into the past, then
    compute the case's deadlines again from the moved starts."""
    if days <= 0:
        return
    delta = -dt.timedelta(days=days)
    _shift(Hazard.objects.filter(pk=hazard.pk), HAZARD_MOMENTS, delta)
    Hazard.objects.filter(pk=hazard.pk, plan_deadline__isnull=False).update(plan_deadline=F("plan_deadline") + delta)
    _shift(Notification.objects.filter(object_type="safety.hazard", object_id=str(hazard.pk)), ("created_at",), delta)
    _shift(Rectification.objects.filter(hazard=hazard), ("submitted_at", "decided_at"), delta)
    verification = Hazard.objects.filter(pk=hazard.pk).values_list("verification_id", flat=True).first()
    if verification is not None:  # the 销号核查 record, made when it was verified
        SafetyCheck.objects.filter(pk=verification).update(recorded_at=F("recorded_at") + delta,
                                                           performed_on=F("performed_on") + delta)
    if hazard.case_id is not None:
        _shift(Case.objects.filter(pk=hazard.case_id), CASE_MOMENTS, delta)
        _shift(CaseEvent.objects.filter(case_id=hazard.case_id), ("at",), delta)
        _shift(CaseTask.objects.filter(case_id=hazard.case_id), ("assigned_at", "done_at", "due_at"), delta)
        _shift(Notification.objects.filter(object_type="cases.case", object_id=str(hazard.case_id)), ("created_at",),
               delta)
        case = Case.objects.get(pk=hazard.case_id)
        case.save(update_fields=set_clocks(case, policy_for(case.kind, case.urgency)))


def _staff(org: Organisation) -> list[User]:
    """Two of the department's people: its safety officers first (one accepts, the other
    verifies), then its inspectors; made when it has fewer."""
    people = User.objects.filter(organisation=org, role__in=[Role.SAFETY, Role.INSPECTOR], is_active=True)
    staff = sorted(people, key=lambda u: (u.role != Role.SAFETY, u.pk))[:2]
    for n in range(len(staff) + 1, 3):
        staff.append(user_create(
            username=f"aq-{org.code}-{n}"[:150], password=DEMO_PASSWORD, role=Role.SAFETY, organisation=org,
            full_name=f"{org.short_name or org.name[:8]}安全员{'甲乙'[n - 1]}", must_change_password=False, actor=None,
        ))
    return staff


def _rectifier(enterprise: Enterprise) -> User | None:
    """The enterprise's user who puts it right (one made, without a password, when it has none:
    only the enterprise itself submits evidence)."""
    organisation = enterprise.organisation
    if organisation is None:
        return None
    user = (User.objects.filter(organisation_id=organisation.pk, role=Role.ENTERPRISE, is_active=True)
            .order_by("pk").first())
    return user or user_create(
        username=f"qy-{enterprise.uscc.lower()}", password=None, role=Role.ENTERPRISE,
        organisation=organisation, full_name=f"{enterprise.name[:6]}联络员", must_change_password=False,
        actor=None,
    )


def _pairs() -> list[tuple[SafetySystem, Enterprise]]:
    """(system, enterprise) pairs with a supervising department, spread over systems and regions."""
    pairs: list[tuple[SafetySystem, Enterprise]] = []
    seen_regions: set[int] = set()
    # The demo enterprise (login ``qiye``) first: it has a 重大隐患 of its own to put right.
    own = User.objects.filter(username=SHOWCASE_LOGIN, role=Role.ENTERPRISE).values_list("organisation_id", flat=True)
    showcase = (EnterpriseSystem.objects.select_related("system", "enterprise")
                .filter(enterprise__organisation_id__in=own, system__is_active=True).order_by("system__code", "pk").first())
    if showcase is not None:
        pairs.append((showcase.system, showcase.enterprise))
        seen_regions.add(showcase.enterprise.region_id)
    for mapping in EnterpriseSystem.objects.select_related("system", "enterprise").order_by("system__code", "pk"):
        if mapping.system.is_active and mapping.enterprise.region_id not in seen_regions:
            pairs.append((mapping.system, mapping.enterprise))
            seen_regions.add(mapping.enterprise.region_id)
    if len(pairs) < 3:  # no mappings yet: the systems' units and the enterprises of their regions
        for unit in SystemUnit.objects.select_related("system").order_by("system__code", "pk"):
            enterprise = Enterprise.objects.filter(region_id=unit.region_id).order_by("pk").first()
            if enterprise is not None and unit.system.is_active:
                pairs.append((unit.system, enterprise))
    return pairs


def load_hazards_demo(today: dt.date | None = None) -> int:
    """Make the demo hazards (once: none is made when demo hazards exist). Returns how many.
    ``today``: the day the deadlines are counted from (default: today)."""
    today = today or timezone.localdate()
    if Hazard.objects.filter(title__startswith=MARK).exists():
        return 0
    pairs = _pairs()
    if not pairs:
        add_demo_note("安全隐患演示：未找到责任制与企业，跳过。")
        return 0
    made: list[Hazard] = []
    first_of_repeat: Hazard | None = None
    for index, plan in enumerate(PLANS):
        system, enterprise = pairs[index % len(pairs)]
        if plan.repeat and first_of_repeat is not None:
            system, enterprise = first_of_repeat.system, first_of_repeat.enterprise  # type: ignore[assignment]
        with transaction.atomic():
            hazard = _one(plan, index, system, enterprise, first_of_repeat if plan.repeat else None, today)
        if plan.title == "防护栏缺失" and not plan.repeat:
            first_of_repeat = hazard
        made.append(hazard)
    settle_found_hazards(today)
    escalation_tick()  # the overdue ones climb the ladder as they would have
    add_demo_note(f"安全隐患演示：{len(made)} 条（含 2 条重大隐患挂牌督办），部门安全员账号密码 {DEMO_PASSWORD}")
    return len(made)


def _one(plan: Plan, index: int, system: SafetySystem, enterprise: Enterprise, repeat_of: Hazard | None,
         today: dt.date) -> Hazard:
    item = system.items.filter(is_major_criterion=plan.level == HazardLevel.MAJOR).order_by("position").first()
    if repeat_of is not None:
        item = repeat_of.item
    hazard = hazard_report(actor=None, system=system, level=plan.level, title=MARK + plan.title,
                           description=plan.description, enterprise=enterprise, item=item,
                           source=SOURCES[index % len(SOURCES)])
    if repeat_of is not None:
        Hazard.objects.filter(pk=hazard.pk).update(repeat_of=repeat_of)
    first, second = _staff(hazard.supervising_org)
    rectifier = _rectifier(enterprise) or first
    if plan.end == "rejected":
        hazard_reject(hazard, actor=first, reason="经核实不属于本部门监管范围，已告知报告人")
    elif plan.end != "reported":
        rectify_by = today + dt.timedelta(days=max(2, plan.rectify_days))
        if plan.level == HazardLevel.MAJOR:
            hazard_complete_report(hazard, actor=first, plan_deadline=rectify_by, **COMPLETE)
        hazard = hazard_accept(hazard, actor=first, rectify_by=rectify_by, responsible_person="企业安全负责人")
        if plan.end in ("awaiting", "closed"):
            hazard_submit_evidence(hazard, actor=rectifier, measures_taken="已按要求整改完毕，附整改后照片")
        if plan.end == "closed":
            hazard_verify(hazard, actor=second, passed=True, note="现场核查整改到位，同意销号")
    hazard.refresh_from_db()
    # Back to when it was reported; an accepted one keeps its deadline rectify_days after that,
    # so those older than their limit are overdue now.
    move_back(hazard, plan.age_days)
    if hazard.stage in (HazardStage.RECTIFYING, HazardStage.AWAITING_VERIFICATION) and hazard.case_id:
        _deadline_after_report(hazard, hazard.case_id, plan)
    return hazard


def _deadline_after_report(hazard: Hazard, case_id: int, plan: Plan) -> None:
    """The case's solve limit counted from the moved report: ``rectify_days`` after it."""
    case = Case.objects.get(pk=case_id)
    start = timezone.localdate(Hazard.objects.values_list("reported_at", flat=True).get(pk=hazard.pk))
    days = max(1, working_days_between(start, start + dt.timedelta(days=plan.rectify_days)).days)
    case.solve_days = days
    case.save(update_fields=["solve_days", *set_clocks(case, policy_for(case.kind, case.urgency))])


def settle_found_hazards(today: dt.date) -> int:
    """The 一般隐患 the checks demo's past checks reported, worked as they would have been since:
    each is brought to today, then replayed step by step — accepted the next day, rectified
    within its deadline (one in six late), verified by the other officer a day or two later —
    moving it back between steps (``move_back``) until it sits on its check's day again.
    Those found in the last two days still wait to be accepted; the recent ones are still
    being rectified or verified. Returns how many were worked on."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data
    found = (Hazard.objects.filter(found_in__isnull=False, stage=HazardStage.REPORTED, level=HazardLevel.GENERAL)
             .exclude(title__startswith=MARK).select_related("enterprise", "supervising_org").order_by("reported_at", "pk"))
    worked = 0
    for hazard in found:
        age = (today - timezone.localdate(hazard.reported_at)).days
        if age <= 2:
            continue
        with transaction.atomic():
            _replay(hazard, age, rng, today)
        worked += 1
    return worked


def _replay(hazard: Hazard, age: int, rng: random.Random, today: dt.date) -> None:
    first, second = _staff(hazard.supervising_org)
    rectifier = (_rectifier(hazard.enterprise) if hazard.enterprise is not None else None) or first
    forward = dt.timedelta(days=age)
    Hazard.objects.filter(pk=hazard.pk).update(reported_at=F("reported_at") + forward,
                                               accept_due_at=F("accept_due_at") + forward)
    rectify_days = rng.choice((10, 15, 20))
    rectified = rng.randint(3, rectify_days - 1) if rng.random() > 1 / 6 else rectify_days + rng.randint(2, 6)
    verified = rng.randint(1, 3)
    left = age
    move_back(hazard, 1)
    left -= 1
    hazard = hazard_accept(hazard.pk, actor=first, rectify_by=today + dt.timedelta(days=rectify_days),
                           responsible_person="企业安全负责人")
    if left > rectified:
        move_back(hazard, rectified)
        left -= rectified
        hazard_submit_evidence(hazard.pk, actor=rectifier, measures_taken="已按要求整改完毕，附整改后照片")
        if left > verified:
            move_back(hazard, verified)
            left -= verified
            hazard_verify(hazard.pk, actor=second, passed=True, note="现场核查整改到位，同意销号")
    move_back(hazard, left)
