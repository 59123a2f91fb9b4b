"""The map's services: edits with versions, retiring a node under open leads, the override's
reason and record, and the audit trail of each."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from yancheng.chains.models import Lead, LeadStage, MapNode
from yancheng.chains.selectors_map import annotate_strength, gap_nodes
from yancheng.chains.services import map as services
from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed

pytestmark = pytest.mark.django_db


def _lead(cw, node, stage):
    return Lead.objects.create(chain=cw.nonferrous, number=f"ZS{node.pk}-{stage[:4]}", investor="某集团",
                               project_name="铜箔项目", node=node, stage=stage, owner_org=cw.office,
                               last_activity_on=dt.date(2026, 3, 1))


def test_a_node_cannot_be_retired_under_an_open_lead(cw):
    node = cw.nodes["application"]
    lead = _lead(cw, node, LeadStage.NEGOTIATING)
    with pytest.raises(ValidationFailed, match="在办的招商线索"):
        services.node_retire(node, actor=cw.lianban)
    lead.stage = LeadStage.DROPPED
    lead.save()
    retired = services.node_retire(node, actor=cw.lianban, expected_version=node.version)
    assert not retired.is_active
    assert "application" not in {n.code for n in gap_nodes(MapNode.objects.filter(chain=cw.nonferrous))}
    restored = services.node_restore(retired, actor=cw.lianban)
    assert restored.is_active


def test_a_stale_version_is_refused(cw):
    node = cw.nodes["mining"]
    services.node_update(node, actor=cw.lianban, expected_version=node.version, name="采矿")
    with pytest.raises(ConflictError):
        services.node_update(node, actor=cw.lianban, expected_version=node.version, name="采选")
    with pytest.raises(ValidationFailed):
        services.node_update(node, actor=cw.lianban, in_current=False, in_target=False)


def test_the_override_needs_a_reason_and_records_who_and_when(cw):
    node = cw.nodes["smelting"]
    with pytest.raises(ValidationFailed):
        services.strength_override_set(node, actor=cw.lianban, strength="strong", reason="  ")
    with pytest.raises(ValidationFailed):
        services.strength_override_set(node, actor=cw.lianban, strength="great", reason="x")
    with pytest.raises(PermissionDeniedError):
        services.strength_override_set(node, actor=cw.chain_leader, strength="strong", reason="x")
    with time_machine.travel(dt.datetime(2026, 5, 6, 9, 0, tzinfo=dt.UTC), tick=False):
        services.strength_override_set(node, actor=cw.lianban, strength="missing", reason="停产整顿")
    annotated = annotate_strength(MapNode.objects.filter(pk=node.pk)).get()
    assert (annotated.strength, annotated.rule_strength) == ("missing", "weak")
    assert annotated.override_by == cw.lianban and annotated.override_at == dt.datetime(2026, 5, 6, 9, 0, tzinfo=dt.UTC)
    event = AuditEvent.objects.filter(action="chain.strength_override_set").latest("seq")
    assert event.after["override_reason"] == "停产整顿"
    services.strength_override_clear(annotated, actor=cw.lianban)
    assert annotate_strength(MapNode.objects.filter(pk=node.pk)).get().strength == "weak"
    assert AuditEvent.objects.filter(action="chain.strength_override_clear").exists()
    assert AuditEvent.objects.filter(action="permission_denied").exists()


def test_the_rule_follows_the_placements(cw):
    from yancheng.chains.services.registry import placement_add

    profile = cw.nonferrous.profile
    profile.strong_min_enterprises, profile.strong_min_above_scale, profile.strong_min_output = 2, 0, 100
    profile.save()
    node = cw.nodes["processing"]
    assert annotate_strength(MapNode.objects.filter(pk=node.pk)).get().strength == "weak"
    placement = placement_add(node, cw.enterprise_a, actor=cw.lianban, annual_output="50")
    assert annotate_strength(MapNode.objects.filter(pk=node.pk)).get().strength == "strong"
    placement.refresh_from_db()
    services.placement_remove(placement, actor=cw.lianban)
    assert annotate_strength(MapNode.objects.filter(pk=node.pk)).get().strength == "weak"
