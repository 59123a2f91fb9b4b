"""The registry's demo loads Hengyang's systems onto the demo city through the services."""

import pytest

from yancheng.core.demo import load_hengyang_demo
from yancheng.core.models import Organisation, User
from yancheng.safety.demo_registry import _registry_data, load_registry_demo
from yancheng.safety.models import EnterpriseSystem, ResponsibilityLetter, SafetySystem, SystemUnit
from yancheng.safety.selectors_registry import gaps_visible_to, letters_missing

pytestmark = pytest.mark.django_db


def test_the_registry_demo(settings, tmp_path):
    settings.YANCHENG_ATTACHMENT_ROOT = str(tmp_path)
    load_hengyang_demo(enterprise_count=30)
    counts = load_registry_demo()
    data = _registry_data()
    assert counts["systems"] == len(data["systems"]) == SafetySystem.objects.count()
    assert all(Organisation.objects.filter(code=o["code"]).exists() for o in data["organisations"])
    fire = SafetySystem.objects.get(code="fire")
    assert fire.items.filter(is_major_criterion=True).exists() and fire.revisions.count() > 1
    special = SafetySystem.objects.get(code="special-equipment")
    assert SystemUnit.objects.get(system=special, region__code="430426").organisation.code == "qd-scjg"
    assert not SystemUnit.objects.filter(system__code="gas", region__code="430426").exists()
    assert EnterpriseSystem.objects.filter(source="industry").exists()
    office = User.objects.get(username="anweiban")
    assert letters_missing(office).count() == 3
    assert ResponsibilityLetter.objects.filter(status="signed").count() == counts["letters"] - 3
    assert all(g.system.code == "gas" and g.enterprise.region.code == "430426" for g in gaps_visible_to(office))
    again = load_registry_demo()
    assert again == {"systems": 0, "letters": 0}
