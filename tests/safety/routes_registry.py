"""Route policies of the registry family (see test_route_matrix.py): the registry and a
system's page for its readers, the coverage pages for the 安委办 (city and county), the letters
for safety staff and leaders."""

from __future__ import annotations

from typing import Any

from tests.test_permission_matrix import PERSONAS, Policy

SAFETY_STAFF = {"anweiban", "anweiban_qidong", "safety_emergency", "safety_emergency2", "safety_qidong",
                "safety_fire", "grid_park"}
READERS = SAFETY_STAFF | {"inspector", "supervisor", "leader"}
OFFICES = {"anweiban", "anweiban_qidong"}
LETTER_READERS = SAFETY_STAFF | {"leader"}


def build(sw: Any) -> None:
    """This year's letter of the fire brigade (issued, not signed)."""
    from django.utils import timezone

    from yancheng.safety.services.letters import letters_issue

    sw.letter = letters_issue(actor=None, year=timezone.localdate().year, units=[sw.fire_brigade],
                              issuer=sw.city_office)[0]


POLICIES: dict[str, Policy] = {
    "safety:registry_list": Policy(READERS),
    "safety:system_detail": Policy(READERS, kwargs=lambda sw: {"code": sw.fire.code}),
    "safety:revision_detail": Policy(READERS, kwargs=lambda sw: {"code": sw.fire.code, "number": 1}),
    "safety:coverage": Policy(OFFICES),
    "safety:coverage_gaps": Policy(OFFICES),
    "safety:coverage_units": Policy(OFFICES),
    "safety:coverage_posts": Policy(OFFICES),
    # POST only: a GET answers 405 to everyone signed in.
    "safety:coverage_refresh": Policy(set(), denied=405),
    "safety:letter_list": Policy(LETTER_READERS),
}
API_PATHS: dict[str, str] = {
    "api:safety_systems_list": "/api/v1/safety/registry/systems",
    "api:safety_systems_create": "/api/v1/safety/registry/systems",
    "api:safety_systems_detail": "/api/v1/safety/registry/systems/fire",
    "api:safety_systems_patch": "/api/v1/safety/registry/systems/fire",
    "api:safety_systems_retire": "/api/v1/safety/registry/systems/fire/retire",
    "api:safety_items_add": "/api/v1/safety/registry/systems/fire/items",
    "api:safety_items_patch": "/api/v1/safety/registry/items/1",
    "api:safety_duties_add": "/api/v1/safety/registry/systems/fire/duties",
    "api:safety_duties_patch": "/api/v1/safety/registry/duties/1",
    "api:safety_units_set": "/api/v1/safety/registry/systems/fire/units",
    "api:safety_persons_list": "/api/v1/safety/registry/systems/fire/persons",
    "api:safety_persons_add": "/api/v1/safety/registry/systems/fire/persons",
    "api:safety_persons_patch": "/api/v1/safety/registry/persons/1",
    "api:safety_mappings_list": "/api/v1/safety/coverage/mappings",
    "api:safety_mappings_add": "/api/v1/safety/coverage/mappings",
    "api:safety_mappings_remove": "/api/v1/safety/coverage/mappings/1",
    "api:safety_coverage_gaps": "/api/v1/safety/coverage/gaps",
    "api:safety_letters_list": "/api/v1/safety/letters",
    "api:safety_letters_issue": "/api/v1/safety/letters",
    "api:safety_letters_sign": "/api/v1/safety/letters/1/sign",
}
API_ROUTES: set[str] = set(API_PATHS)

CITY_OFFICE = {"anweiban"}
POLICIES.update({
    "safety:system_new": Policy(CITY_OFFICE),
    "safety:system_edit": Policy(CITY_OFFICE, kwargs=lambda sw: {"code": sw.fire.code}),
    "safety:system_retire": Policy(CITY_OFFICE, kwargs=lambda sw: {"code": sw.fire.code}),
    "safety:item_new": Policy(CITY_OFFICE, kwargs=lambda sw: {"code": sw.fire.code}),
    "safety:duty_new": Policy(CITY_OFFICE, kwargs=lambda sw: {"code": sw.fire.code}),
    "safety:unit_new": Policy(CITY_OFFICE, kwargs=lambda sw: {"code": sw.fire.code}),
    "safety:person_new": Policy(CITY_OFFICE, kwargs=lambda sw: {"code": sw.fire.code}),
    "safety:mapping_new": Policy(OFFICES),
    "safety:letters_issue": Policy(OFFICES),
    # POST only: a GET answers 405 to everyone signed in.
    "safety:item_deactivate": Policy(set(), denied=405, kwargs=lambda sw: {"code": sw.fire.code, "pk": 1}),
    "safety:duty_deactivate": Policy(set(), denied=405, kwargs=lambda sw: {"code": sw.fire.code, "pk": 1}),
    "safety:person_deactivate": Policy(set(), denied=405, kwargs=lambda sw: {"code": sw.fire.code, "pk": 1}),
    "safety:mapping_remove": Policy(set(), denied=405, kwargs=lambda sw: {"pk": 1}),
    # The fire brigade's letter: its safety staff and the city's office sign; nobody else sees it.
    "safety:letter_sign": Policy(
        {"anweiban", "safety_fire"}, kwargs=lambda sw: {"pk": sw.letter.pk},
        invisible=(set(PERSONAS) | SAFETY_STAFF) - {"anweiban", "safety_fire"},
    ),
})

POLICIES.update({
    "safety:registry_import": Policy(CITY_OFFICE, kwargs=lambda sw: {"kind": "systems"}),
    "safety:registry_import_template": Policy(CITY_OFFICE, kwargs=lambda sw: {"kind": "systems"}),
    # POST only: a GET answers 405 to everyone signed in.
    "safety:registry_import_confirm": Policy(set(), denied=405, kwargs=lambda sw: {"kind": "systems"}),
})
