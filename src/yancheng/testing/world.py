"""The named test world (CONVENTIONS "Tests"): the city, two districts, a park,
departments, two enterprises and one persona per role, all made through services.

Use ``build_world()`` in a pytest fixture (see tests/conftest.py) or ``WorldTestCase``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.test import TestCase

from yancheng.core.models import Enterprise, Organisation, Region, Role, User
from yancheng.core.reference import load_regions, regions_file_for
from yancheng.core.services import enterprise_create, organisation_create, user_create
from yancheng.lib.uscc import complete

# Enforcement certificate numbers (执法证号) of the inspector personas.
CERTIFICATES = {
    "inspector": "43040012345",
    "inspector2": "43040012346",
    "inspector_emergency": "43040022301",
    "inspector_emergency2": "43040022302",
}

PERSONA_PASSWORD = "Wq8#rTz4LmN2pv"  # noqa: S105 - test personas only; satisfies the policy


@dataclass
class World:
    city: Region
    shigu: Region  # 石鼓区, a district
    qidong: Region  # 祁东县, a county
    city_gov: Organisation
    project_office: Organisation
    city_ndrc: Organisation
    power_company: Organisation
    market_regulation: Organisation
    justice_bureau: Organisation
    emergency_bureau: Organisation
    it_office: Organisation
    qidong_gov: Organisation
    qidong_ndrc: Organisation
    qidong_park: Organisation
    enterprise_a: Enterprise  # in 祁东's park
    enterprise_b: Enterprise  # in 石鼓区
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> User:
        """Personas by name: ``world.dispatcher``; the enterprise users, whose names the
        enterprises already take, also as ``world.enterprise_a_user``."""
        users: dict[str, User] = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        if name.endswith("_user") and name[: -len("_user")] in users:
            return users[name[: -len("_user")]]
        raise AttributeError(name)


def build_world() -> World:
    load_regions(regions_file_for("430400"))
    city = Region.objects.get(code="430400")
    shigu = Region.objects.get(code="430407")
    qidong = Region.objects.get(code="430426")

    def org(code: str, name: str, kind: str, region: Region, parent: Organisation | None = None) -> Organisation:
        return organisation_create(code=code, name=name, kind=kind, region=region, parent=parent, actor=None)

    city_gov = org("hy-gov", "衡阳市人民政府", "government", city)
    project_office = org("hy-zdxmb", "衡阳市重点项目建设事务中心", "office", city, city_gov)
    city_ndrc = org("hy-fgw", "衡阳市发展和改革委员会", "department", city, city_gov)
    power_company = org("hy-power", "国网衡阳供电公司", "utility", city)
    market_regulation = org("hy-scjg", "衡阳市市场监督管理局", "department", city, city_gov)
    justice_bureau = org("hy-sfj", "衡阳市司法局", "department", city, city_gov)
    emergency_bureau = org("hy-yjj", "衡阳市应急管理局", "department", city, city_gov)
    it_office = org("hy-xxzx", "衡阳市政务服务和大数据中心", "office", city, city_gov)
    qidong_gov = org("qd-gov", "祁东县人民政府", "government", qidong)
    qidong_ndrc = org("qd-fgj", "祁东县发展和改革局", "department", qidong, qidong_gov)
    qidong_park = org("qd-park", "祁东经济开发区", "park", qidong, qidong_gov)

    enterprise_a = enterprise_create(
        uscc=complete("91430426MA4L0000A"), name="祁东县示例纸箱包装有限公司", region=qidong, park=qidong_park, actor=None
    )
    enterprise_b = enterprise_create(
        uscc=complete("91430407MA4L0000B"), name="衡阳示例机械制造有限公司", region=shigu, actor=None
    )
    world = World(
        city=city,
        shigu=shigu,
        qidong=qidong,
        city_gov=city_gov,
        project_office=project_office,
        city_ndrc=city_ndrc,
        power_company=power_company,
        market_regulation=market_regulation,
        justice_bureau=justice_bureau,
        emergency_bureau=emergency_bureau,
        it_office=it_office,
        qidong_gov=qidong_gov,
        qidong_ndrc=qidong_ndrc,
        qidong_park=qidong_park,
        enterprise_a=enterprise_a,
        enterprise_b=enterprise_b,
    )
    personas: list[tuple[str, str, Organisation, str]] = [
        ("dispatcher", Role.DISPATCHER, qidong_park, "调度员甲"),
        ("handler_power", Role.HANDLER, power_company, "供电承办人"),
        ("handler_other", Role.HANDLER, qidong_ndrc, "发改承办人"),
        ("enterprise_a", Role.ENTERPRISE, enterprise_a.organisation, "企业甲联系人"),  # type: ignore[list-item]
        ("enterprise_b", Role.ENTERPRISE, enterprise_b.organisation, "企业乙联系人"),  # type: ignore[list-item]
        ("inspector", Role.INSPECTOR, market_regulation, "检查员甲"),
        # 企业赋码保护: a second market inspector (two licensed inspectors per visit), the
        # market bureau's clerk (registry, items, plans) and two inspectors of another
        # department (joint inspections).
        ("inspector2", Role.INSPECTOR, market_regulation, "检查员乙"),
        ("clerk_market", Role.HANDLER, market_regulation, "市场监管法制科"),
        ("inspector_emergency", Role.INSPECTOR, emergency_bureau, "应急检查员甲"),
        ("inspector_emergency2", Role.INSPECTOR, emergency_bureau, "应急检查员乙"),
        ("supervisor", Role.SUPERVISOR, justice_bureau, "督查员甲"),
        ("leader", Role.LEADER, city_gov, "领导甲"),
        ("system_admin", Role.SYSTEM_ADMIN, it_office, "系统管理员"),
        ("security_admin", Role.SECURITY_ADMIN, it_office, "安全管理员"),
        ("audit_admin", Role.AUDIT_ADMIN, it_office, "审计管理员"),
    ]
    for username, role, organisation, full_name in personas:
        world.users[username] = user_create(
            username=username,
            password=PERSONA_PASSWORD,
            role=role,
            organisation=organisation,
            full_name=full_name,
            enforcement_certificate_no=CERTIFICATES.get(username, ""),
            must_change_password=False,
            actor=None,
        )
    return world


class WorldTestCase(TestCase):
    """A Django TestCase with the world built once per class."""

    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()


class ModuleWorld:
    """Base of a module's test world (a dataclass with ``world`` and ``users``): its own
    personas by name, then everything of the named world (``sw.dispatcher``, ``cw.city``)."""

    def __getattr__(self, name: str) -> Any:
        users: dict[str, User] = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        return getattr(self.__dict__["world"], name)
