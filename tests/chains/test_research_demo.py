"""The demo's research results: added through the services, matched, a 对接 in each state,
and loading twice adds nothing."""

import pytest

from yancheng.chains.demo_research import load_research_demo
from yancheng.chains.models import MatchStatus, ResearchMatch, ResearchResult

pytestmark = pytest.mark.django_db


def test_the_demo_adds_results_with_matches_in_every_state_once(cw):
    assert load_research_demo() == 5  # the world has two of the demo's chains
    assert ResearchResult.objects.filter(chain=cw.nonferrous).count() == 4
    # the test world's few enterprises match the copper foil (enterprise B makes 铜箔): its best match is docked
    foil = ResearchMatch.objects.get(result__title="高性能极薄电解铜箔制备技术", enterprise=cw.enterprise_b)
    assert foil.status == MatchStatus.DOCKING and foil.owner_org.code == "hy-fgw"
    assert load_research_demo() == 0
