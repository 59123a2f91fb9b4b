"""Reading the city's inspection policy writes nothing (issue 11 §3): the default row comes
from a data migration, a database without one reads the defaults unsaved, and the only
write is the audited `policy_update`, refused to whoever may not change the rules."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import PermissionDeniedError
from yancheng.inspections.models import InspectionPolicy
from yancheng.inspections.supervision.policy import policy_update

MIGRATION = importlib.import_module("yancheng.inspections.migrations.0003_default_inspection_policy")


def test_reading_the_policy_of_an_empty_table_writes_nothing(db):
    InspectionPolicy.objects.all().delete()
    events = AuditEvent.objects.count()
    policy = InspectionPolicy.current()
    assert policy.pk is None
    assert (policy.backfill_days, policy.cap_exceeded, policy.rating_min_count) == (10, "alert", 5)
    assert InspectionPolicy.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_the_data_migration_puts_one_default_policy_in_place(db):
    InspectionPolicy.objects.all().delete()
    MIGRATION.create_default_policy(apps, None)
    MIGRATION.create_default_policy(apps, None)  # run again: still one row
    assert InspectionPolicy.objects.count() == 1
    assert InspectionPolicy.current().pk == InspectionPolicy.objects.get().pk
    assert InspectionPolicy.current().backfill_days == 10


@pytest.mark.parametrize("persona", ["clerk_market", "inspector", "enterprise_a_user"])
def test_whoever_may_not_change_the_rules_cannot_create_the_policy(world, persona):
    InspectionPolicy.objects.all().delete()
    with pytest.raises(PermissionDeniedError):
        policy_update(actor=getattr(world, persona), backfill_days=7)
    assert InspectionPolicy.objects.count() == 0


def test_the_first_change_on_an_empty_table_saves_the_policy_with_its_audit_record(world):
    InspectionPolicy.objects.all().delete()
    policy = policy_update(actor=world.supervisor, backfill_days=7)
    assert InspectionPolicy.objects.get().pk == policy.pk
    assert InspectionPolicy.current().backfill_days == 7
    event = AuditEvent.objects.get(action="inspection_policy.update")
    assert event.object_id == str(policy.pk)
    assert event.actor_id == world.supervisor.pk
