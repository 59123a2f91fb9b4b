"""The safety test world (安全「五全一常态」): the named world plus the city's and 祁东县's
安委办, the fire brigade and 祁东县's 应急管理局, their safety staff (two at the city's
应急管理局, so that one rectifies a place and the other verifies), a grid person of the 祁东
park, and two systems with their checklists, duties and regional units:

- 工贸 (``industry``), led by the city's 应急管理局: 石鼓区 → the city bureau, 祁东县 → 祁东县应急管理局;
  its checklist has two 重大事故隐患判定项; a monthly duty of the county level checks enterprises.
- 消防 (``fire``), led by the fire brigade, with a unit in 石鼓区 only: an enterprise of 祁东县 in
  its scope is a coverage gap.

Both enterprises are in 工贸's scope (by hand); enterprise A (祁东) in 消防's too.

Use the ``sw`` fixture (tests/safety/conftest.py) or call ``build_safety_world``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yancheng.core.models import Organisation, Role, User
from yancheng.core.services import organisation_create, user_create
from yancheng.safety.models import DutyLevel, Frequency, SafetySystem, SystemCategory, SystemChecklistItem
from yancheng.safety.services.coverage import mapping_add
from yancheng.safety.services.registry import duty_add, item_add, system_create, unit_set

from .world import PERSONA_PASSWORD, ModuleWorld, World


@dataclass
class SafetyWorld(ModuleWorld):
    world: World
    city_office: Organisation  # 衡阳市安全生产委员会办公室
    qidong_office: Organisation  # 祁东县安全生产委员会办公室
    fire_brigade: Organisation  # 衡阳市消防救援支队
    qidong_emergency: Organisation  # 祁东县应急管理局
    industry: SafetySystem  # 工贸
    fire: SafetySystem  # 消防
    items: dict[str, SystemChecklistItem] = field(default_factory=dict)  # by code
    users: dict[str, User] = field(default_factory=dict)


def build_safety_world(world: World) -> SafetyWorld:
    def org(code: str, name: str, kind: str, region: Any, parent: Organisation | None) -> Organisation:
        return organisation_create(code=code, name=name, kind=kind, region=region, parent=parent, actor=None)

    city_office = org("hy-awb", "衡阳市安全生产委员会办公室", "office", world.city, world.city_gov)
    qidong_office = org("qd-awb", "祁东县安全生产委员会办公室", "office", world.qidong, world.qidong_gov)
    fire_brigade = org("hy-xfzd", "衡阳市消防救援支队", "department", world.city, world.city_gov)
    qidong_emergency = org("qd-yjj", "祁东县应急管理局", "department", world.qidong, world.qidong_gov)

    industry = system_create(
        actor=None, code="industry", name="工贸行业安全生产责任制", name_en="Industry and trade safety",
        category=SystemCategory.INDUSTRY, leading_org=world.emergency_bureau,
    )
    fire = system_create(
        actor=None, code="fire", name="消防安全责任制", name_en="Fire safety", category=SystemCategory.FIRE,
        leading_org=fire_brigade,
    )
    items = {}
    for position, (system, code, text, major) in enumerate([
        (industry, "GM-01", "安全管理机构和人员配备到位，主要负责人、安全管理人员考核合格", False),
        (industry, "GM-02", "特种作业人员持证上岗", False),
        (industry, "GM-03", "粉尘爆炸危险场所除尘系统按规定设置泄爆、隔爆、防火花装置", True),
        (industry, "GM-04", "有限空间作业执行先通风、再检测、后作业，配备监护人员", True),
        (fire, "XF-01", "疏散通道、安全出口畅通，未被占用、堵塞、封闭", False),
        (fire, "XF-02", "消防设施、器材完好有效", False),
    ]):
        items[code] = item_add(
            system, actor=None, code=code, text=text, is_major_criterion=major, position=position
        )
    duty_add(
        industry, actor=None, level=DutyLevel.COUNTY, text="每月对辖区工贸企业开展安全检查",
        frequency=Frequency.MONTHLY, checks_enterprises=True,
    )
    duty_add(
        fire, actor=None, level=DutyLevel.CITY, text="每季度检查人员密集场所消防安全",
        frequency=Frequency.QUARTERLY, checks_enterprises=True,
    )
    unit_set(industry, actor=None, region=world.shigu, organisation=world.emergency_bureau)
    unit_set(industry, actor=None, region=world.qidong, organisation=qidong_emergency)
    unit_set(fire, actor=None, region=world.shigu, organisation=fire_brigade)
    for enterprise, system in [
        (world.enterprise_a, industry), (world.enterprise_b, industry), (world.enterprise_a, fire),
    ]:
        mapping_add(actor=None, enterprise=enterprise, system=system)
    industry.refresh_from_db()
    fire.refresh_from_db()

    sw = SafetyWorld(world, city_office, qidong_office, fire_brigade, qidong_emergency, industry, fire, items)
    personas = [
        ("anweiban", Role.SAFETY, city_office, "安委办甲"),
        ("anweiban_qidong", Role.SAFETY, qidong_office, "祁东安委办"),
        ("safety_emergency", Role.SAFETY, world.emergency_bureau, "应急安全员甲"),
        ("safety_emergency2", Role.SAFETY, world.emergency_bureau, "应急安全员乙"),
        ("safety_qidong", Role.SAFETY, qidong_emergency, "祁东应急安全员"),
        ("safety_fire", Role.SAFETY, fire_brigade, "消防安全员"),
        ("grid_park", Role.SAFETY, world.qidong_park, "园区网格员"),
    ]
    for username, role, organisation, full_name in personas:
        sw.users[username] = user_create(
            username=username, password=PERSONA_PASSWORD, role=role, organisation=organisation,
            full_name=full_name, must_change_password=False, actor=None,
        )
    return sw
