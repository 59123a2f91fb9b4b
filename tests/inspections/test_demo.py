"""The inspection demo (issue 5): every enterprise has a code and a grade; a year of plans,
registrations of every kind and mode, ratings, two complaints and the alerts that fired.
Loaded once for the module, inside a transaction rolled back at the end."""

import pytest
from django.db import transaction

from yancheng.cases.models import Case, CaseKind
from yancheng.core.demo import load_hengyang_demo
from yancheng.core.models import Enterprise
from yancheng.inspections.demo import load_inspection_demo
from yancheng.inspections.models import (
    EntryMode,
    Inspection,
    InspectionAlert,
    InspectionKind,
    InspectionPlan,
    JointProposal,
    Rating,
    SupervisionCode,
    TimeSlotPreference,
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_hengyang_demo(enterprise_count=60)
        added = load_inspection_demo()
        yield added
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo, db):
    return demo


def test_every_enterprise_has_one_active_code_and_a_grade(loaded):
    enterprises = Enterprise.objects.filter(is_active=True)
    active = SupervisionCode.objects.filter(revoked_at__isnull=True)
    assert active.count() == enterprises.count()
    assert set(active.values_list("enterprise_id", flat=True)) == set(enterprises.values_list("pk", flat=True))
    assert SupervisionCode.objects.filter(revoked_at__isnull=False).exists()  # one was re-issued
    assert set(enterprises.values_list("grade", flat=True)) <= {"A", "B", "C", "D"}


def test_a_year_of_plans_and_registrations_of_every_kind_and_mode(loaded):
    assert loaded >= 150
    assert InspectionPlan.objects.filter(status="filed", month__isnull=True).count() >= 4
    assert set(Inspection.objects.values_list("kind", flat=True)) == set(InspectionKind.values)
    assert set(Inspection.objects.values_list("entry_mode", flat=True)) == set(EntryMode.values)
    assert Inspection.objects.filter(joint_proposal__isnull=False).exists()
    assert Inspection.objects.filter(exemption_reason__isnull=False, counts_toward_caps=False).exists()
    assert Inspection.objects.filter(status="in_progress").exists()
    months = {i.started_at.month for i in Inspection.objects.all()}
    assert len(months) >= 6
    assert JointProposal.objects.filter(status="declined").exists()
    assert TimeSlotPreference.objects.exists()


def test_ratings_complaints_and_the_alerts_that_fired(loaded):
    assert Rating.objects.count() >= 50
    complaints = Case.objects.filter(kind=CaseKind.INSPECTION_COMPLAINT)
    assert complaints.filter(subject_ref__startswith="inspection:").count() == 2
    assert complaints.filter(subject_ref__startswith="inspection_department:").count() == 1
    kinds = set(InspectionAlert.objects.values_list("kind", flat=True))
    assert {"cap_reached", "cap_exceeded", "high_frequency", "emergency", "backfill", "unregistered"} <= kinds
    assert InspectionAlert.objects.filter(status="handled").exists()


def test_loading_it_again_adds_nothing(loaded):
    before = (Inspection.objects.count(), Rating.objects.count(), InspectionAlert.objects.count())
    assert load_inspection_demo() == 0
    assert (Inspection.objects.count(), Rating.objects.count(), InspectionAlert.objects.count()) == before
