"""Every route of the safety module, tried by every persona — the global personas plus the
safety ones (the city's and 祁东县's 安委办, department safety staff, the fire brigade's, a grid
person of the park).

Each part declares its policies in ``routes_<part>.py`` (``POLICIES``, ``API_ROUTES``,
``API_PATHS`` and ``build(sw)``, which adds the objects its routes need to the shared world)
and is listed in ``SIDES``; ``tests/test_permission_matrix.py`` counts them when it checks that
every route has a policy."""

from __future__ import annotations

from types import ModuleType

import pytest
from django.urls import reverse

from tests.test_permission_matrix import PERSONAS, check_route

from . import routes_checks, routes_hazards, routes_home, routes_registry, routes_stats

SIDES: tuple[ModuleType, ...] = (routes_checks, routes_registry, routes_hazards, routes_stats, routes_home)

SAFETY_MATRIX = {name: policy for side in SIDES for name, policy in side.POLICIES.items()}
SAFETY_API_ROUTES = {name for side in SIDES for name in side.API_ROUTES}
SAFETY_API_PATHS = {name: path for side in SIDES for name, path in side.API_PATHS.items()}
SAFETY_PERSONAS = [
    *PERSONAS, "anweiban", "anweiban_qidong", "safety_emergency", "safety_emergency2", "safety_qidong",
    "safety_fire", "grid_park",
]


@pytest.fixture(scope="module")
def _module_safety_world(django_db_setup, django_db_blocker):
    """The world, the safety world and every part's objects, built once for the module inside
    a transaction rolled back at the end; each test runs in a savepoint of its own."""
    from django.db import transaction

    from yancheng.testing.safety import build_safety_world
    from yancheng.testing.world import build_world

    with django_db_blocker.unblock(), transaction.atomic():
        sw = build_safety_world(build_world())
        for side in SIDES:
            side.build(sw)
        yield sw
        transaction.set_rollback(True)


@pytest.fixture
def safety_matrix_world(_module_safety_world, db):
    return _module_safety_world


def persona_user(sw, persona):
    return sw.users[persona] if persona in sw.users else getattr(sw.world, persona)  # enterprise_a_user …


CASES = [(name, persona) for name in SAFETY_MATRIX for persona in ["anonymous", *SAFETY_PERSONAS]]


@pytest.mark.parametrize(("route", "persona"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_safety_route_answers_each_persona_as_declared(client, safety_matrix_world, route, persona):
    sw = safety_matrix_world
    user = None if persona == "anonymous" else persona_user(sw, persona)
    check_route(client, route, SAFETY_MATRIX[route], persona, sw, user)


@pytest.mark.parametrize("route", sorted(SAFETY_API_ROUTES))
def test_safety_api_routes_refuse_anonymous_callers(client, route):
    path = SAFETY_API_PATHS.get(route) or reverse(route)
    response = client.get(path)
    assert response.status_code in (401, 405), (route, response.status_code)
