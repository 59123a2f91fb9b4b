"""Leads: registration, follow-ups, stages, the stale light at its thresholds, and conversion
into a project in ``projects`` — from both sides."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tests.chains.leads_world import make_lead, signed_lead
from yancheng.chains.models import FillKind, Lead, LeadEvent, LeadStage
from yancheng.chains.selectors_leads import annotate_lead_lights, lead_funnel, stale_leads
from yancheng.chains.services.leads import (
    lead_advance,
    lead_convert,
    lead_create,
    lead_drop,
    lead_follow_up,
    lead_reopen,
    lead_update,
)
from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed

pytestmark = pytest.mark.django_db


def test_a_lead_is_numbered_per_year_and_its_fill_kind_follows_the_gap(cw):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        first = make_lead(cw, node="materials")  # on the current map, nobody placed: 缺
        weak = make_lead(cw, node="smelting")  # one enterprise: 弱
        extend = make_lead(cw, node="application")  # target map only
        chosen = make_lead(cw, node="materials", fill_kind=FillKind.EXTEND)
    assert first.number == "ZS2026-0001" and chosen.number == "ZS2026-0004"
    assert (first.fill_kind, weak.fill_kind, extend.fill_kind, chosen.fill_kind) == (
        FillKind.COMPLETE, FillKind.STRENGTHEN, FillKind.EXTEND, FillKind.EXTEND)
    assert first.events.get().kind == LeadEvent.Kind.CREATED


def test_registration_is_the_offices_and_checks_unit_and_node(cw):
    with pytest.raises(PermissionDeniedError):
        lead_create(cw.nonferrous, actor=cw.lianban_dz, investor="x", project_name="y", owner_org=cw.city_ndrc)
    with pytest.raises(PermissionDeniedError):
        lead_create(cw.nonferrous, actor=cw.handler_ndrc, investor="x", project_name="y", owner_org=cw.city_ndrc)
    with pytest.raises(ValidationFailed) as enterprise_owner:
        lead_create(cw.nonferrous, actor=cw.lianban, investor="x", project_name="y",
                    owner_org=cw.enterprise_a.organisation)
    assert enterprise_owner.value.field == "owner_org"
    with pytest.raises(ValidationFailed) as no_owner:
        lead_create(cw.nonferrous, actor=cw.lianban, investor="x", project_name="y", owner_org=None)
    assert no_owner.value.field == "owner_org"
    from yancheng.chains.services.registry import node_add

    chip = node_add(cw.electronics, actor=None, code="chips", name="芯片", segment="up")
    with pytest.raises(ValidationFailed) as foreign_node:
        lead_create(cw.nonferrous, actor=cw.lianban, investor="x", project_name="y", owner_org=cw.city_ndrc, node=chip)
    assert foreign_node.value.field == "node"
    lead = lead_create(cw.nonferrous, actor=cw.lianban, investor="x", project_name="y", owner_org=cw.city_ndrc,
                       owner=cw.handler_ndrc)
    assert AuditEvent.objects.filter(action="chain.lead_create", actor=cw.lianban, object_id=str(lead.pk)).exists()
    assert cw.handler_ndrc.notifications.filter(verb="chains.lead").exists()


def test_the_owner_unit_follows_up_and_advances_its_lead_but_not_anothers(cw):
    with time_machine.travel(dt.datetime(2026, 5, 6, 9, tzinfo=dt.UTC), tick=False):
        own = make_lead(cw)
        other = make_lead(cw, owner_org=cw.office)  # the chain office's own lead
        own = lead_follow_up(own, actor=cw.handler_ndrc, text="电话沟通", next_step="上门拜访",
                             next_step_on=dt.date(2026, 5, 20), expected_version=own.version)
        assert own.last_activity_on == dt.date(2026, 5, 6) and own.next_step == "上门拜访"
        own = lead_advance(own, actor=cw.handler_ndrc)
        own = lead_update(own, actor=cw.handler_ndrc, planned_investment="80000")
    assert own.stage == LeadStage.NEGOTIATING and own.planned_investment == Decimal("80000")
    with pytest.raises(PermissionDeniedError):
        lead_update(own, actor=cw.handler_ndrc, owner_org=cw.office)  # the unit is the office's to change
    for act in (lambda: lead_follow_up(other, actor=cw.handler_ndrc, text="x"),
                lambda: lead_advance(other, actor=cw.handler_ndrc),
                lambda: lead_update(other, actor=cw.handler_ndrc, note="x")):
        with pytest.raises(PermissionDeniedError):
            act()
    with pytest.raises(PermissionDeniedError):
        lead_drop(own, actor=cw.handler_ndrc, reason="不来了")
    with pytest.raises(PermissionDeniedError):
        lead_follow_up(own, actor=cw.handler_power, text="x")
    with pytest.raises(ConflictError):
        lead_follow_up(own, actor=cw.handler_ndrc, text="x", expected_version=own.version - 1)


def test_drop_needs_a_reason_and_reopen_brings_it_back(cw):
    lead = make_lead(cw)
    with pytest.raises(ValidationFailed):
        lead_drop(lead, actor=cw.lianban, reason=" ")
    lead = lead_drop(lead, actor=cw.lianban, reason="企业战略调整")
    assert (lead.stage, lead.dropped_reason) == (LeadStage.DROPPED, "企业战略调整")
    with pytest.raises(ConflictError):
        lead_advance(lead, actor=cw.lianban)
    lead = lead_reopen(lead, actor=cw.lianban, to=LeadStage.NEGOTIATING)
    assert lead.stage == LeadStage.NEGOTIATING
    steps = list(lead.events.filter(kind=LeadEvent.Kind.STAGE).values_list("from_stage", "to_stage"))
    assert steps == [(LeadStage.CONTACT, LeadStage.DROPPED), (LeadStage.DROPPED, LeadStage.NEGOTIATING)]


def _light(lead: Lead, today: dt.date) -> str:
    return annotate_lead_lights(Lead.objects.filter(pk=lead.pk), today).get().light


@pytest.mark.parametrize(("days_idle", "light"), [(29, "green"), (30, "yellow"), (59, "yellow"), (60, "red")])
def test_a_lead_without_follow_up_turns_yellow_at_30_days_and_red_at_60(cw, days_idle, light):
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), tick=False):
        lead = make_lead(cw)
    assert _light(lead, dt.date(2026, 1, 5) + dt.timedelta(days=days_idle)) == light


@pytest.mark.parametrize(("days_after", "light"), [(0, "green"), (1, "yellow"), (14, "yellow"), (15, "red")])
def test_a_passed_next_step_turns_yellow_and_red_after_14_days(cw, days_after, light):
    step_on = dt.date(2026, 1, 10)
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), tick=False):
        lead = make_lead(cw, next_step="考察", next_step_on=step_on)
    assert _light(lead, step_on + dt.timedelta(days=days_after)) == light


def test_closed_leads_have_no_light_and_stale_leads_feed_the_agenda(cw):
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), tick=False):
        stale = make_lead(cw)
        dropped = lead_drop(make_lead(cw), actor=None, reason="无意向")
        landed = make_lead(cw, stage=LeadStage.LANDED)
    later = dt.date(2026, 4, 1)
    assert [_light(x, later) for x in (stale, dropped, landed)] == ["red", "none", "none"]
    assert list(stale_leads(cw.nonferrous, today=later)) == [stale]


def test_conversion_files_a_signed_project_in_projects_keeping_the_leads_history(cw):
    from yancheng.projects.models import Project, Stage, StageChange

    with time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC), tick=False):
        lead = signed_lead(cw)
    with time_machine.travel(dt.datetime(2026, 6, 3, 9, tzinfo=dt.UTC), tick=False):
        project = lead_convert(lead, actor=cw.lianban, region=cw.qidong)
    project = Project.objects.get(pk=project.pk)
    assert (project.chain, project.region, project.total_investment, project.stage, project.signed_on) == (
        cw.nonferrous, cw.qidong, Decimal("50000"), Stage.SIGNED, dt.date(2026, 6, 1))
    assert project.responsible_org == cw.city_ndrc and project.name == lead.project_name
    assert StageChange.objects.get(project=project).actor == cw.lianban
    assert AuditEvent.objects.filter(action="project.create_from_lead", actor=cw.lianban).exists()
    lead.refresh_from_db()
    assert lead.project == project and lead.stage == LeadStage.SIGNED
    kinds = list(lead.events.values_list("kind", flat=True))
    assert kinds == ["created", "stage", "stage", "converted"]
    with pytest.raises(ConflictError) as twice:
        lead_convert(lead, actor=cw.lianban, region=cw.qidong)
    assert twice.value.code == "already_converted"
    assert Project.objects.filter(chain=cw.nonferrous).count() == 1
    with pytest.raises(ConflictError):
        lead_drop(lead, actor=cw.lianban, reason="x")
    funnel = lead_funnel([cw.nonferrous], 2026)
    assert (funnel.total, funnel.signed, funnel.converted, funnel.by_stage["signed"]) == (1, 1, 1, 1)


def test_conversion_is_refused_to_others_and_for_unsigned_leads(cw):
    lead = make_lead(cw)
    with pytest.raises(ConflictError) as unsigned:
        lead_convert(lead, actor=cw.lianban, region=cw.qidong)
    assert unsigned.value.code == "invalid_stage"
    signed = signed_lead(cw)
    with pytest.raises(PermissionDeniedError):
        lead_convert(signed, actor=cw.handler_ndrc, region=cw.qidong)  # the owner follows up, never converts
    with pytest.raises(PermissionDeniedError):
        lead_convert(signed, actor=cw.lianban_dz, region=cw.qidong)
    with pytest.raises(PermissionDeniedError):
        lead_convert(signed, actor=cw.dispatcher, region=cw.qidong)
    no_region = signed_lead(cw, region=None)
    with pytest.raises(ValidationFailed) as missing:
        lead_convert(no_region, actor=cw.lianban)
    assert missing.value.field == "region"
    assert not Lead.objects.filter(project__isnull=False).exists()


def test_a_lead_another_unit_cannot_see_is_not_found(cw):
    lead = make_lead(cw, chain=cw.electronics, owner_org=cw.office_dz, node=None)
    with pytest.raises((NotFoundError, PermissionDeniedError)):
        lead_follow_up(lead, actor=cw.handler_ndrc, text="x")
