"""Who is the 安委办, who is a department's safety staff, and what the engine lets each do on
a hazard's case."""

import rules

from yancheng.safety.permissions import is_city_safety_office, is_department_safety, is_safety_office


def persona(sw, name):
    return sw.users.get(name) or sw.world.users[name]


def test_the_safety_role_in_an_office_is_the_anweiban_and_in_a_department_or_park_it_is_department_staff(sw):
    assert is_safety_office(sw.anweiban) and is_city_safety_office(sw.anweiban)
    assert is_safety_office(sw.anweiban_qidong) and not is_city_safety_office(sw.anweiban_qidong)
    for name in ("safety_emergency", "safety_fire", "grid_park", "inspector_emergency"):
        user = persona(sw, name)
        assert not is_safety_office(user) and is_department_safety(user), name
    for name in ("enterprise_a", "leader", "dispatcher", "handler_power", "supervisor"):
        assert not is_department_safety(persona(sw, name)), name


def test_only_the_city_anweiban_edits_the_registry(sw):
    assert rules.has_perm("safety.manage_registry", sw.anweiban)
    for name in ("anweiban_qidong", "safety_emergency", "inspector_emergency", "leader", "enterprise_a", "system_admin"):
        assert not rules.has_perm("safety.manage_registry", persona(sw, name)), name


def test_safety_staff_no_longer_get_the_generic_case_inbox(sw):
    """Hazards are worked on the safety pages; the generic inbox would always be empty."""
    assert not rules.has_perm("cases.view_inbox", sw.anweiban)
    assert rules.has_perm("cases.view_inbox", sw.handler_power)
