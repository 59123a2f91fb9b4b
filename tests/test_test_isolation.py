"""The suite runs in any order (pytest-xdist spreads files over workers): each test starts
from the migrated database and the default language, whatever ran before it."""

import pytest
from django.core.management import call_command
from django.utils import translation

from yancheng.cases.models import SlaPolicy
from yancheng.dashboard.models import RankingFormula


@pytest.mark.django_db(transaction=True)
def test_emptying_the_database_puts_back_what_the_migrations_seeded():
    call_command("flush", interactive=False, verbosity=0)
    assert SlaPolicy.objects.filter(kind="project_problem", urgency="normal").exists()
    assert SlaPolicy.objects.count() == 12
    assert RankingFormula.objects.filter(is_active=True).count() == 1


def test_a_test_may_switch_to_english():
    translation.activate("en")
    assert translation.get_language() == "en"


def test_the_next_test_starts_in_chinese_again():
    assert translation.get_language() == "zh-hans"
