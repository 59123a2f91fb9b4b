"""The demo's 科研成果清单: results of 南华大学, 衡阳师范学院, 湖南工学院, 湖南环境生物职业技术学院
and 中南大学衡阳研究院 on six chains' nodes, matched to the chains' demo enterprises by the rule, with one 对接 in
progress (owned by the 发改委), one past its date, one agreed and one set aside. Run after
``demo_registry.load_registry_demo`` (it needs the maps and placements); everything goes
through the services; loading twice adds nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yancheng.core.models import IndustryChain, Organisation

from .models import MapNode, MatchStatus, ResearchMatch, ResearchResult
from .services.research import match_close, match_dismiss, match_start_docking, match_suggest, result_add

# chain, title, institution, TRL, keywords, nodes, IP kind, IP number, transfer mode
RESULTS = [
    ("nonferrous", "高性能极薄电解铜箔制备技术", "南华大学", 6, "铜箔、电解、锂电池", ["copper-foil"], "invention",
     "ZL202210345678.9", "技术许可"),
    ("nonferrous", "铅锌冶炼烟气深度脱硫与制酸技术", "湖南工学院", 7, "烟气、硫酸、铅冶炼、锌冶炼",
     ["pb-smelting", "zn-smelting", "sulfuric"], "invention", "ZL202110234567.1", "合作开发"),
    ("nonferrous", "废铅酸电池低温再生回收工艺", "中南大学衡阳研究院", 5, "再生、铅酸电池、回收", ["recycling", "batteries"],
     "utility", "ZL202320123456.7", "技术转让"),
    ("nonferrous", "高纯铟锗提纯技术", "衡阳师范学院", 4, "高纯金属、稀贵金属", ["high-purity", "precious"], "know_how", "",
     "作价入股"),
    ("power-transmission", "特高压变压器绝缘纸板国产化技术", "湖南工学院", 6, "绝缘材料、变压器", ["insulation", "transformers"],
     "invention", "ZL202010987654.3", "合作开发"),
    ("power-transmission", "变压器油色谱在线监测系统", "南华大学", 8, "在线监测、变压器油", ["controls", "transformer-oil"],
     "software", "2023SR0123456", "许可使用"),
    ("new-materials", "氮化硅陶瓷轴承球成型工艺", "湖南工学院", 5, "先进陶瓷、氮化硅", ["ceramics"], "invention",
     "ZL202211112222.3", "技术转让"),
    ("electronics", "高频覆铜板用低介电树脂", "衡阳师范学院", 4, "覆铜板、树脂", ["pcb-materials"], "invention",
     "ZL202310001111.2", "合作开发"),
    ("food", "湘南黑猪肉制品低温保鲜加工技术", "湖南环境生物职业技术学院", 7, "肉制品、保鲜、冷链", ["meat", "cold-chain"],
     "invention", "ZL202210556677.4", "技术转让"),
    ("biomedicine", "玉竹、黄精等道地药材规范化种植与初加工技术", "湖南环境生物职业技术学院", 8, "中药材、种植、初加工",
     ["herbs"], "know_how", "", "技术服务"),
]


def load_research_demo() -> int:
    """The results and their matches (once); answers how many results were added."""
    if ResearchResult.objects.exists():
        return 0
    chains = {c.code: c for c in IndustryChain.objects.all()}
    added: list[ResearchResult] = []
    with transaction.atomic():
        for code, title, institution, level, keywords, node_codes, ip_kind, ip_number, mode in RESULTS:
            chain = chains.get(code)
            if chain is None:
                continue
            nodes = list(MapNode.objects.filter(chain=chain, code__in=node_codes))
            result = result_add(chain, actor=None, title=title, institution=institution, maturity=level,
                                keywords=keywords, nodes=nodes, ip_kind=ip_kind, ip_number=ip_number,
                                transfer_mode=mode)
            match_suggest(result, actor=None)
            added.append(result)
        _work(added)
    return len(added)


def _work(results: list[ResearchResult]) -> None:
    """Give the first results' best matches a 对接 in each state."""
    owner = Organisation.objects.filter(code="hy-fgw").first() or Organisation.objects.filter(code="hy-cylb").first()
    if owner is None:
        return
    today = timezone.localdate()
    firsts = [ResearchMatch.objects.filter(result=r, status=MatchStatus.SUGGESTED).order_by("-score", "pk").first()
              for r in results]
    matches = [m for m in firsts if m is not None][:4]  # the first four results that found an enterprise
    for index, match in enumerate(matches):
        if index == 3:
            match_dismiss(match, actor=None, reason="企业暂无该方向的投资计划")
            continue
        docking = match_start_docking(match, actor=None, owner_org=owner, due_on=today + dt.timedelta(days=30))
        if index == 1:  # past its date (the office's 成果对接逾期); the service refuses a past date, so set here
            ResearchMatch.objects.filter(pk=docking.pk).update(due_on=today - dt.timedelta(days=5))
        elif index == 2:
            match_close(docking, actor=None, status=MatchStatus.SUCCEEDED,
                        outcome="签订技术许可合同，共建中试线，首期投入800万元")
