"""The inspection part of the test world (企业赋码保护), built through services on top of
`build_world()`: the two departments' registries and published items, a cap matrix,
exemption reasons, the city's rules and a code for each enterprise.

Use the ``iw`` fixture (tests/inspections/conftest.py) or call ``build_inspection_world``."""

from __future__ import annotations

from dataclasses import dataclass, field

from yancheng.inspections.models import (
    CapRule,
    ExemptionReason,
    InspectionItem,
    InspectionPolicy,
    InspectorLicence,
    SupervisionCode,
)
from yancheng.inspections.services import code_issue, item_create, licence_register

from .world import CERTIFICATES, World


@dataclass
class InspectionWorld:
    world: World
    licences: dict[str, InspectorLicence]  # by persona name
    food: InspectionItem  # 市场监管: published
    equipment: InspectionItem  # 市场监管: published
    unpublished: InspectionItem  # 市场监管: a draft, never published
    chemicals: InspectionItem  # 应急管理: published
    complaint_reason: ExemptionReason  # 投诉举报 (evidence: the complaint's number)
    policy: InspectionPolicy
    code_a: SupervisionCode
    code_b: SupervisionCode
    caps: dict[str, CapRule] = field(default_factory=dict)


def build_inspection_world(world: World) -> InspectionWorld:
    market, emergency = world.market_regulation, world.emergency_bureau
    licences = {
        name: licence_register(
            department=getattr(world, name).organisation, full_name=getattr(world, name).full_name,
            certificate_no=CERTIFICATES[name], user=getattr(world, name), actor=None,
        )
        for name in ("inspector", "inspector2", "inspector_emergency", "inspector_emergency2")
    }
    food = item_create(department=market, code="SC-01", name="食品生产经营监督检查",
                       legal_basis="《中华人民共和国食品安全法》第一百一十条", actor=None, publish=True)
    equipment = item_create(department=market, code="SC-02", name="特种设备安全监督检查",
                            legal_basis="《中华人民共和国特种设备安全法》第五十七条", actor=None, publish=True)
    unpublished = item_create(department=market, code="SC-99", name="广告发布情况检查（未公布）",
                              legal_basis="《中华人民共和国广告法》第四十九条", actor=None, publish=False)
    chemicals = item_create(department=emergency, code="YJ-01", name="危险化学品安全检查",
                            legal_basis="《危险化学品安全管理条例》第六条", actor=None, publish=True)
    complaint_reason = ExemptionReason.objects.create(
        code="complaint", name="投诉举报核查", evidence_required="投诉举报编号或12345工单号"
    )
    policy = InspectionPolicy.current()
    policy.supervising_org = world.justice_bureau
    policy.save()
    caps = {
        "food_B": CapRule.objects.create(grade="B", scope="item", item=food, max_per_year=2),
        "department_B": CapRule.objects.create(grade="B", scope="department", max_per_year=3),
        "total_B": CapRule.objects.create(grade="B", scope="total", max_per_year=4),
    }
    return InspectionWorld(
        world=world, licences=licences, food=food, equipment=equipment, unpublished=unpublished,
        chemicals=chemicals, complaint_reason=complaint_reason, policy=policy,
        code_a=code_issue(world.enterprise_a, actor=None), code_b=code_issue(world.enterprise_b, actor=None),
        caps=caps,
    )
