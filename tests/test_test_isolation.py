"""The suite runs in any order (pytest-xdist spreads files over workers): each test starts
from the migrated database and the default language, whatever ran before it."""

import pytest
from django.core.management import call_command
from django.utils import translation

from yancheng.cases.models import CaseKind, SlaPolicy
from yancheng.dashboard.models import RankingFormula
from yancheng.petitions.models import Topic


@pytest.mark.django_db(transaction=True)
def test_emptying_the_database_puts_back_what_the_migrations_seeded():
    call_command("flush", interactive=False, verbosity=0)
    assert SlaPolicy.objects.filter(kind="project_problem", urgency="normal").exists()
    assert SlaPolicy.objects.count() == 2 * len(CaseKind)  # every kind, normal and urgent
    # The petition clocks as their data migration set them: natural days, 60 from acceptance.
    petition = SlaPolicy.objects.get(kind=CaseKind.PETITION, urgency="normal")
    assert (petition.day_unit, petition.solve_working_days, petition.solve_from_acceptance) == ("natural", 60, True)
    assert Topic.objects.filter(code="urban_construction").exists()  # the 信访 topics
    assert RankingFormula.objects.filter(is_active=True).count() == 1


def test_a_test_may_switch_to_english():
    translation.activate("en")
    assert translation.get_language() == "en"


def test_the_next_test_starts_in_chinese_again():
    assert translation.get_language() == "zh-hans"
