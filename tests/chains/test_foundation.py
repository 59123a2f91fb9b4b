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
