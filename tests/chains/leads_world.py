"""Leads for the leads family's tests: a few helpers on top of the chain world."""

from __future__ import annotations

from typing import Any

from yancheng.chains.models import Lead
from yancheng.chains.services.leads import lead_create


def make_lead(cw: Any, *, chain: Any = None, owner_org: Any = None, node: str | None = "materials",
              **fields: Any) -> Lead:
    """A lead of 有色金属 owned by the backing 发改委 (``handler_ndrc``'s unit) by default."""
    chain = chain or cw.nonferrous
    defaults: dict[str, Any] = {
        "investor": "中国五矿集团", "project_name": "高性能铜合金材料项目", "planned_investment": "50000",
        "region": cw.shigu, "owner": None,
    }
    defaults.update(fields)
    return lead_create(chain, actor=None, owner_org=owner_org or cw.city_ndrc,
                       node=cw.nodes[node] if node and chain == cw.nonferrous else None, **defaults)


def signed_lead(cw: Any, **fields: Any) -> Lead:
    from yancheng.chains.services.leads import lead_advance

    lead = make_lead(cw, **fields)
    for _step in range(2):
        lead = lead_advance(lead, actor=None)
    return lead
