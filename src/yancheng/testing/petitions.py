"""The petitions test world: the named world plus the 信访局 of the city and of 祁东县, the
organs that handle matters (住建局 with its head, 人社局, the 纪委监委), and a helper that
registers a matter through the service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from yancheng.core.models import Organisation, Role, User
from yancheng.core.services import organisation_create, user_create

from .world import PERSONA_PASSWORD, ModuleWorld, World

# Valid 公民身份号码 (GB 11643 check characters), used by the petition tests.
ID_NUMBERS = ["430407198803150014", "430426199001010013", "430405197512240020", "430426200002290016"]


@dataclass
class PetitionWorld(ModuleWorld):
    world: World
    city_bureau: Organisation  # 衡阳市信访局
    qidong_bureau: Organisation  # 祁东县信访局
    housing: Organisation  # 衡阳市住房和城乡建设局
    hrss: Organisation  # 衡阳市人力资源和社会保障局
    discipline: Organisation  # 衡阳市纪委监委
    housing_office: Organisation  # 住建局's 物业科 (a sub-unit)
    users: dict[str, User] = field(default_factory=dict)


def build_petition_world(world: World) -> PetitionWorld:
    def org(code: str, name: str, short: str, parent: Organisation | None, region: Any) -> Organisation:
        created = organisation_create(code=code, name=name, kind="department", region=region, parent=parent,
                                      actor=None)
        if short:
            Organisation.objects.filter(pk=created.pk).update(short_name=short)
            created.short_name = short
        return created

    city_bureau = org("hy-xfj", "衡阳市信访局", "衡信", world.city_gov, world.city)
    qidong_bureau = org("qd-xfj", "祁东县信访局", "祁信", world.qidong_gov, world.qidong)
    housing = org("hy-zjj", "衡阳市住房和城乡建设局", "衡住建", world.city_gov, world.city)
    hrss = org("hy-rsj", "衡阳市人力资源和社会保障局", "衡人社", world.city_gov, world.city)
    discipline = org("hy-jw", "中共衡阳市纪律检查委员会", "衡纪", None, world.city)
    housing_office = org("hy-zjj-wyk", "衡阳市住房和城乡建设局物业科", "", housing, world.city)
    pw = PetitionWorld(world, city_bureau, qidong_bureau, housing, hrss, discipline, housing_office)
    personas = [
        ("xinfang", Role.PETITION, city_bureau, "信访登记员"),
        ("xinfang_qidong", Role.PETITION, qidong_bureau, "祁东信访登记员"),
        ("handler_housing", Role.HANDLER, housing, "住建承办人"),
        ("head_housing", Role.LEADER, housing, "住建局长"),
        ("handler_housing_office", Role.HANDLER, housing_office, "物业科承办人"),
        ("handler_hrss", Role.HANDLER, hrss, "人社承办人"),
        ("head_hrss", Role.LEADER, hrss, "人社局长"),
        ("handler_discipline", Role.HANDLER, discipline, "纪委承办人"),
        ("supervisor_housing", Role.SUPERVISOR, housing, "住建督查员"),
    ]
    for username, role, organisation, full_name in personas:
        pw.users[username] = user_create(
            username=username, password=PERSONA_PASSWORD, role=role, organisation=organisation,
            full_name=full_name, must_change_password=False, actor=None,
        )
    return pw


def register(pw: PetitionWorld, *, actor: User | None = None, **overrides: Any) -> Any:
    """Register a matter through the service (a 申诉求决 letter about 住建 by default);
    returns the service's ``Registered`` (the matter and its 查询码)."""
    from yancheng.petitions.intake import PetitionerInput, petition_register
    from yancheng.petitions.models import Topic

    values: dict[str, Any] = {
        "channel": "letter",
        "received_on": timezone.localdate() - dt.timedelta(days=1),
        "region": pw.world.city,
        "topic": Topic.objects.get(code="urban_construction"),
        "title": "小区电梯长期停运",
        "request": "请求督促物业公司尽快修复电梯。",
        "facts": "电梯自今年三月起停运，多次反映未果。",
        "petitioners": [PetitionerInput("张三", ID_NUMBERS[0], "13807340001", "衡阳市石鼓区人民路1号")],
        "petition_type": "claim",
        "claim_route": "petition",
    }
    values.update(overrides)
    return petition_register(actor=actor or pw.users["xinfang"], **values)
