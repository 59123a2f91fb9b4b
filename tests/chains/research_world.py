"""Objects of the research family's tests, on top of the chain world (``cw``):

- enterprise C (``cw.enterprise_c``), 规上 and 专精特新, placed on 新材料 making 高纯氧化铝;
- ``copper_foil``: 高性能电解铜箔制备技术 (南华大学, TRL 6, 发明专利) on 精深加工 — where
  enterprise B (the 链主, 铜箔) sits;
- ``lead_recovery``: 再生铅低温冶炼技术 (湖南工学院, TRL 5) on 冶炼 with the keyword 铜箔 —
  enterprise A is on its node (冶炼), enterprise B only shares a keyword;
- ``electronics_result``: a result of the 电子信息 chain (another office's)."""

from __future__ import annotations

from typing import Any

from yancheng.chains.models import PlacementRole
from yancheng.chains.services.registry import placement_add
from yancheng.chains.services.research import result_add
from yancheng.core.models import Enterprise, IndustryChain
from yancheng.core.services import enterprise_create
from yancheng.lib.uscc import complete


def build_research(cw: Any) -> Any:
    world = cw.world
    # Fresh rows: the world's chain objects cache the profile as it was before its office was set.
    cw.nonferrous = IndustryChain.objects.get(pk=cw.nonferrous.pk)
    cw.electronics = IndustryChain.objects.get(pk=cw.electronics.pk)
    cw.enterprise_c = enterprise_create(
        uscc=complete("91430407MA4L0000C"), name="衡阳示例新材料科技有限公司", region=world.shigu, actor=None,
        is_above_scale_industry=True, srdi_tier="srdi",
    )
    placement_add(cw.nodes["materials"], cw.enterprise_c, actor=None, role=PlacementRole.KEY, products="高纯氧化铝",
                  annual_output="30000")
    cw.copper_foil = result_add(
        cw.nonferrous, actor=None, title="高性能电解铜箔制备技术", institution="南华大学", maturity=6,
        keywords="铜箔、电解", ip_kind="invention", ip_number="ZL202310000001.X", transfer_mode="技术许可",
        nodes=[cw.nodes["processing"]],
    )
    cw.lead_recovery = result_add(
        cw.nonferrous, actor=None, title="再生铅低温冶炼技术", institution="湖南工学院", maturity=5,
        keywords="铜箔", nodes=[cw.nodes["smelting"]],
    )
    cw.electronics_result = result_add(cw.electronics, actor=None, title="柔性显示驱动芯片封装", institution="衡阳师范学院",
                                       maturity=4, keywords="芯片")
    return cw


def enterprise(cw: Any, name: str) -> Enterprise:
    return Enterprise.objects.get(name=name)
