"""Back-office settings rows without a domain service of their own (time limits, project
light thresholds, industry chains) change only with their audit record, in the same
transaction (issue 11 §3). Written from the side of a failed record and of a user who is
not the system administrator."""

import pytest
from django.urls import reverse

from yancheng.cases.models import SlaPolicy
from yancheng.core.audit import rows
from yancheng.core.audit.models import AuditEvent
from yancheng.core.models import IndustryChain
from yancheng.projects.models import LightSettings

POLICY = {
    "accept_working_days": 2, "solve_working_days": 7, "objection_working_days": 1,
    "supervise_after_working_days": 3, "report_after_working_days": 10, "revisit_after_days": 5,
    "yellow_remaining_percent": 30, "day_unit": "working", "extension_approver": "dispatcher",
}
# Booleans the form posts as "on"; recorded as True (an unticked box is not posted at all).
TICKED = {"roll_to_working_day": True, "solve_from_acceptance": False}


@pytest.fixture
def policy(db):
    return SlaPolicy.objects.get_or_create(kind="project_problem", urgency="normal")[0]


def test_changing_a_time_limit_records_before_and_after(client, world, policy):
    old = policy.solve_working_days
    client.force_login(world.system_admin)
    posted = {**POLICY, **{name: "on" for name, ticked in TICKED.items() if ticked}, "max_extension_days": ""}
    response = client.post(reverse("admin:cases_slapolicy_change", args=[policy.pk]), posted)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.filter(action="sla_policy.update", object_id=str(policy.pk)).get()
    assert event.actor_id == world.system_admin.pk
    assert event.before["solve_working_days"] == old
    assert event.after == {"kind": "project_problem", "urgency": "normal", **POLICY, **TICKED,
                           "max_extension_days": None}


def test_adding_an_industry_chain_and_renaming_it_are_both_recorded(client, world):
    client.force_login(world.system_admin)
    response = client.post(reverse("admin:core_industrychain_add"), {"code": "new-energy", "name": "新能源",
                                                                      "sort_order": 9})
    assert response.status_code == 302, response.content.decode()[:2000]
    chain = IndustryChain.objects.get(code="new-energy")
    created = AuditEvent.objects.get(action="industry_chain.create", object_id=str(chain.pk))
    assert created.before is None and created.after == {"code": "new-energy", "name": "新能源", "sort_order": 9}
    client.post(reverse("admin:core_industrychain_change", args=[chain.pk]),
                {"code": "new-energy", "name": "新能源汽车", "sort_order": 9})
    updated = AuditEvent.objects.get(action="industry_chain.update", object_id=str(chain.pk))
    assert (updated.before["name"], updated.after["name"]) == ("新能源", "新能源汽车")


def test_the_light_thresholds_are_recorded(client, world):
    LightSettings.objects.all().delete()
    client.force_login(world.system_admin)
    response = client.post(reverse("admin:projects_lightsettings_add"),
                           {"start_red_months": 4, "progress_yellow_points": 12, "progress_red_points": 25})
    assert response.status_code == 302, response.content.decode()[:2000]
    settings_row = LightSettings.objects.get()
    event = AuditEvent.objects.get(action="project_lights.create", object_id=str(settings_row.pk))
    assert event.after == {"start_red_months": 4, "progress_yellow_points": 12, "progress_red_points": 25}


def test_a_row_whose_record_fails_is_not_saved(client, world, policy, monkeypatch):
    before = SlaPolicy.objects.values().get(pk=policy.pk)

    def broken(*args, **kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(rows, "audit_record", broken)
    policy.solve_working_days = 99
    with pytest.raises(RuntimeError):
        rows.audited_save(policy, action="sla_policy", fields=POLICY, actor=world.system_admin)
    assert SlaPolicy.objects.values().get(pk=policy.pk) == before


@pytest.mark.parametrize("persona", ["dispatcher", "security_admin", "leader"])
def test_no_one_else_changes_a_time_limit_or_a_chain(client, world, policy, persona):
    before = (SlaPolicy.objects.values().get(pk=policy.pk), IndustryChain.objects.count(), AuditEvent.objects.count())
    client.force_login(world.users[persona])
    client.post(reverse("admin:cases_slapolicy_change", args=[policy.pk]), POLICY)
    client.post(reverse("admin:core_industrychain_add"), {"code": "x-chain", "name": "某链", "sort_order": 1})
    assert SlaPolicy.objects.values().get(pk=policy.pk) == before[0]
    assert IndustryChain.objects.count() == before[1]
    assert not AuditEvent.objects.filter(action__in=["sla_policy.update", "industry_chain.create"]).exists()
