"""The chain world's foundation: who reads and who runs a chain, from both sides, and the plan
light rule the targets, the 链长's home and the meetings share."""

from decimal import Decimal

import pytest
import rules

from yancheng.chains.permissions import chains_visible_to, runs_chain
from yancheng.chains.selectors import chain_enterprises, plan_light
from yancheng.chains.services.registry import node_add
from yancheng.core.errors import PermissionDeniedError


@pytest.mark.django_db
def test_each_office_edits_only_its_own_chain_and_a_county_office_reads_none(cw):
    assert runs_chain(cw.lianban, cw.nonferrous) and not runs_chain(cw.lianban, cw.electronics)
    assert runs_chain(cw.lianban_dz, cw.electronics) and not runs_chain(cw.lianban_dz, cw.nonferrous)
    assert set(chains_visible_to(cw.lianban)) >= {cw.nonferrous, cw.electronics}
    assert not chains_visible_to(cw.lianban_qd).exists()
    assert not rules.has_perm("chains.view_module", cw.lianban_qd)
    with pytest.raises(PermissionDeniedError):
        node_add(cw.electronics, actor=cw.lianban, code="chips", name="芯片", segment="up")


@pytest.mark.django_db
def test_a_backing_department_reads_its_chain_and_others_read_nothing(cw):
    assert list(chains_visible_to(cw.handler_ndrc)) == [cw.nonferrous]
    assert not chains_visible_to(cw.handler_power).exists()
    assert not chains_visible_to(cw.enterprise_a_user).exists()
    assert not chains_visible_to(cw.system_admin).exists()


@pytest.mark.django_db
def test_the_chains_enterprises_are_its_tagged_placed_and_master_ones(cw):
    assert set(chain_enterprises(cw.nonferrous)) == {cw.enterprise_a, cw.enterprise_b}
    assert not chain_enterprises(cw.electronics).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("expected", "actual", "light"), [
    ("0.5", "0.45", "green"), ("0.5", "0.40", "yellow"), ("0.5", "0.20", "yellow"), ("0.5", "0.19", "red"),
    ("0.5", "0.9", "green"), (None, "0.5", "none"), ("0.5", None, "none"),
])
def test_the_plan_light_is_the_projects_rule(expected, actual, light):
    e = Decimal(expected) if expected else None
    a = Decimal(actual) if actual else None
    assert plan_light(e, a) == light


@pytest.mark.django_db
def test_node_strength_follows_the_rule_and_the_override_wins(cw):
    from django.utils import timezone

    from yancheng.chains.models import MapNode
    from yancheng.chains.selectors_map import annotate_strength, gap_nodes

    strengths = {n.code: n.strength for n in annotate_strength(MapNode.objects.filter(chain=cw.nonferrous))}
    # one enterprise each on 冶炼 and 精深加工 (the rule wants 3 for 强), nobody elsewhere
    assert strengths == {"mining": "missing", "smelting": "weak", "processing": "weak", "materials": "missing",
                         "application": "missing"}
    profile = cw.nonferrous.profile
    profile.strong_min_enterprises, profile.strong_min_above_scale, profile.strong_min_output = 1, 0, 100000
    profile.save()
    strengths = {n.code: n.strength for n in annotate_strength(MapNode.objects.filter(chain=cw.nonferrous))}
    assert strengths["processing"] == "strong" and strengths["smelting"] == "weak"  # 8,000 万元 < 10 亿
    MapNode.objects.filter(pk=cw.nodes["smelting"].pk).update(
        strength_override="strong", override_reason="在建项目投产后达到", override_at=timezone.now())
    node = annotate_strength(MapNode.objects.filter(pk=cw.nodes["smelting"].pk)).get()
    assert (node.rule_strength, node.strength) == ("weak", "strong")
    assert {n.code for n in gap_nodes(MapNode.objects.filter(chain=cw.nonferrous))} == {
        "mining", "materials", "application"}
