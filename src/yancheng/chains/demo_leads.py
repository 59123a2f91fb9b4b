"""The demo's 招商引资重点项目清单 (DEMO ONLY): for every chain five to eight leads in every stage
(接触, 洽谈, 签约, 落地, 终止), owned by the chain's backing units (商务局's by the demo
department login ``zhaoshang``), most on the map's gap nodes with their 补链/强链/延链, some
followed up lately and some left to go stale (yellow, red). 有色金属's signed lead is converted
into a project in ``projects`` through ``lead_convert``.

Each step goes through the leads services, now; between two steps the lead is moved back in
time by the gap between them (its dates and its history's, as the petitions demo does), so
its history is as old as it should be and the stale light is the rule's. Audit records keep
the moment the demo was loaded. Loading twice adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Model, QuerySet
from django.utils import timezone

from yancheng.core.demo import INDUSTRY_WORDS, NAME_HEADS, NAME_TAILS, REGION_SLUGS
from yancheng.core.models import IndustryChain, Organisation, Region, Role, User
from yancheng.core.notifications.models import Notification

from .models import ChainProfile, InvestorKind, Lead, LeadEvent, LeadStage, MapNode
from .selectors_map import gap_nodes
from .services.leads import lead_advance, lead_convert, lead_create, lead_drop, lead_follow_up

LEAD_DATES = ("last_activity_on", "signed_on", "landed_on", "next_step_on")
CONVERTED_CHAIN = "nonferrous"
# The chain's usual county (where its leads would land); others drawn from the demo's counties.
HOME_REGION = {"nonferrous": "430482", "power-transmission": "430408", "fine-chemicals": "430422",
               "textile": "430426", "clocks": "430406", "nev": "430423"}
ORIGINS = ["深圳", "上海", "江苏", "浙江", "广东", "北京", "长沙", "江西", "福建", "四川"]
KIND_SUFFIX: dict[str, str] = {InvestorKind.GLOBAL_500: "集团有限公司", InvestorKind.CHINA_500: "集团股份有限公司",
               InvestorKind.LISTED: "股份有限公司", InvestorKind.CHAIN_LEADER: "科技集团有限公司",
               InvestorKind.OTHER: "有限公司"}
PROJECT_WORDS = ["生产基地项目", "扩能改造项目", "研发中心及产业化项目", "配套产业园项目", "智能工厂项目"]


@dataclass(frozen=True)
class Plan:
    """A lead's life as steps (what, how many days ago), oldest first."""

    kind: str
    steps: tuple[tuple[str, int], ...]
    node: str = "gap"  # "gap" (a gap node of the map), "target" (a node of the target map only), "" none
    next_in: int = 0  # the last follow-up's next step is due this many days after it


# The first five cover every stage; a chain has 5–8 of them.
PLANS = [
    Plan(InvestorKind.LISTED, (("create", 90), ("negotiating", 45), ("follow", 5)), next_in=12),  # green
    Plan(InvestorKind.CHAIN_LEADER, (("create", 70), ("follow", 40)), next_in=35),  # yellow: step passed 5 days ago
    Plan(InvestorKind.CHINA_500, (("create", 160), ("negotiating", 110), ("signed", 20), ("follow", 8)),
         node="", next_in=25),  # signed; 有色金属's is converted
    Plan(InvestorKind.OTHER, (("create", 320), ("negotiating", 250), ("signed", 150), ("landed", 40)), node=""),
    Plan(InvestorKind.GLOBAL_500, (("create", 210), ("negotiating", 150), ("drop", 60))),
    Plan(InvestorKind.OTHER, (("create", 120), ("follow", 75)), next_in=50),  # red: nothing for 75 days
    Plan(InvestorKind.LISTED, (("create", 100), ("negotiating", 60), ("follow", 40)), next_in=20),  # red: step 20 days late
    Plan(InvestorKind.CHAIN_LEADER, (("create", 10),), node="target", next_in=0),  # new, green, 延链
]
NEXT_STEPS = ["赴企业总部拜访，洽谈投资协议条款", "组织企业来衡实地考察园区", "报请链长召开专题会研究供地方案",
              "商务局牵头对接项目备案和用能指标", "起草投资合同，明确固定资产投资强度"]
FOLLOW_UPS = ["电话跟进，企业已完成内部立项", "园区会同企业踏勘选址", "企业提出用电、用地需求清单",
              "双方就投资强度和税收贡献初步达成一致"]
DROP_REASONS = ["企业调整战略，暂缓在中部地区布局", "企业已选定外省选址"]


def _shift(qs: QuerySet[Any], fields: tuple[str, ...], delta: dt.timedelta) -> None:
    model: type[Model] = qs.model
    present = [f for f in fields if any(field.name == f for field in model._meta.concrete_fields)]
    if present:
        qs.update(**{name: F(name) + delta for name in present})


def move_back(lead: Lead, days: int) -> None:
    """Move the lead, its history and its notifications ``days`` whole days into the past."""
    if days <= 0:
        return
    delta = -dt.timedelta(days=days)
    _shift(Lead.objects.filter(pk=lead.pk), ("created_at", *LEAD_DATES), delta)
    _shift(LeadEvent.objects.filter(lead_id=lead.pk), ("on", "at"), delta)
    _shift(Notification.objects.filter(object_type="chains.lead", object_id=str(lead.pk)), ("created_at",), delta)


def _owner_of(org: Organisation) -> User | None:
    return (User.objects.filter(organisation=org, is_active=True).exclude(role=Role.ENTERPRISE)
            .order_by("role", "pk").first())


def _run(chain: IndustryChain, plan: Plan, index: int, rng: random.Random, owners: list[Organisation],
         node: MapNode | None, region: Region) -> Lead:
    """Make the lead through its steps, moving it back between them."""
    word = INDUSTRY_WORDS.get(chain.code, "实业")
    investor = f"{rng.choice(ORIGINS)}{rng.choice(NAME_HEADS)}{rng.choice(NAME_TAILS)}{word}{KIND_SUFFIX[plan.kind]}"
    project_name = f"{node.name if node else word}{PROJECT_WORDS[index % len(PROJECT_WORDS)]}"
    owner_org = owners[index % len(owners)]
    lead: Lead | None = None
    steps = list(plan.steps)
    for n, (action, ago) in enumerate(steps):
        if action == "create":
            lead = lead_create(
                chain, actor=None, investor=investor, investor_kind=plan.kind, investor_origin=investor[:2],
                project_name=project_name, owner_org=owner_org, owner=_owner_of(owner_org),
                planned_investment=Decimal(rng.randrange(8, 300)) * 1000, node=node, region=region,
                next_step=NEXT_STEPS[index % len(NEXT_STEPS)], note="",
            )
        else:
            assert lead is not None
            lead.refresh_from_db()
            if action == "follow":
                today = timezone.localdate()
                lead = lead_follow_up(lead, actor=None, text=FOLLOW_UPS[index % len(FOLLOW_UPS)],
                                      next_step=NEXT_STEPS[(index + 1) % len(NEXT_STEPS)],
                                      next_step_on=today + dt.timedelta(days=plan.next_in) if plan.next_in else None)
            elif action == "drop":
                lead = lead_drop(lead, actor=None, reason=DROP_REASONS[index % len(DROP_REASONS)])
            else:
                lead = lead_advance(lead, actor=None, note=FOLLOW_UPS[(index + 2) % len(FOLLOW_UPS)])
        following = steps[n + 1][1] if n + 1 < len(steps) else 0
        assert lead is not None
        move_back(lead, ago - following)
    assert lead is not None
    lead.refresh_from_db()
    return lead


def load_leads_demo() -> int:
    """The leads of every chain (once); answers how many were added."""
    if Lead.objects.exists():
        return 0
    regions = {r.code: r for r in Region.objects.filter(code__in=list(REGION_SLUGS))}
    if not regions:
        return 0
    added = 0
    converted = False
    with transaction.atomic():
        profiles = (ChainProfile.objects.filter(chain__in=IndustryChain.objects.all())
                    .select_related("chain").prefetch_related("backing_orgs").order_by("chain__sort_order", "chain__code"))
        for position, profile in enumerate(profiles):
            chain = profile.chain
            owners = sorted(profile.backing_orgs.all(), key=lambda o: (o.code != "hy-swj", o.code))
            if not owners:
                continue
            rng = random.Random(f"chains-leads:{chain.code}")  # noqa: S311 - reproducible demo data
            nodes = MapNode.objects.filter(chain=chain)
            gaps = list(gap_nodes(nodes.filter(in_current=True)).order_by(
                "strength", "sort_order"))  # type: ignore[misc]  # an annotation of annotate_strength
            extend = list(nodes.filter(in_current=False, in_target=True, is_active=True).order_by("sort_order"))
            gaps = gaps + extend
            count = 5 + position % 4
            for index, plan in enumerate(PLANS[:count]):
                node = None
                if plan.node == "gap" and gaps:
                    node = gaps[index % len(gaps)]
                elif plan.node == "target" and extend:
                    node = extend[-1]
                region = regions.get(HOME_REGION.get(chain.code, "")) or regions[rng.choice(sorted(regions))]
                lead = _run(chain, plan, index, rng, owners, node, region)
                added += 1
                if not converted and chain.code == CONVERTED_CHAIN and lead.stage == LeadStage.SIGNED:
                    lead_convert(lead, actor=None)
                    converted = True
    return added
