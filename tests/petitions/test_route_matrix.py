"""Every route of the petitions module, tried by every persona — the global personas plus the
petition ones (the 信访局 of the city and of a county, the handling organs' handlers and heads,
and a supervisor of an organ complained about).

Each part declares its policies in ``routes_<part>.py`` (``POLICIES``, ``API_ROUTES``,
``API_PATHS`` and ``build(pw)``, which adds the objects its routes need to the shared world);
``tests/test_permission_matrix.py`` counts them when it checks that every route has a policy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.test_permission_matrix import PERSONAS, check_route

from . import routes_core, routes_documents, routes_handling, routes_intake, routes_public, routes_stabilise

SIDES = (routes_core, routes_handling, routes_documents, routes_intake, routes_public, routes_stabilise)




PETITION_MATRIX = {name: policy for side in SIDES for name, policy in side.POLICIES.items()}
PETITION_API_ROUTES = {name for side in SIDES for name in side.API_ROUTES}
PETITION_API_PATHS = {name: path for side in SIDES for name, path in side.API_PATHS.items()}
PETITION_PERSONAS = [
    *PERSONAS, "xinfang", "xinfang_qidong", "handler_housing", "head_housing", "handler_housing_office",
    "handler_hrss", "head_hrss", "handler_discipline", "supervisor_housing",
]


@pytest.fixture(scope="module")
def _module_petition_world(django_db_setup, django_db_blocker):
    """The world, the petitions world and every part's objects, built once for the module inside
    a transaction rolled back at the end; each test runs in a savepoint of its own."""
    from django.db import transaction

    from yancheng.testing.petitions import build_petition_world
    from yancheng.testing.world import build_world

    with django_db_blocker.unblock(), transaction.atomic():
        pw = build_petition_world(build_world())
        for side in SIDES:
            side.build(pw)
        yield pw
        transaction.set_rollback(True)


@pytest.fixture
def petition_matrix_world(_module_petition_world, db):
    return _module_petition_world


def persona_user(pw, persona):
    return pw.users[persona] if persona in pw.users else getattr(pw.world, persona)


CASES = [(name, persona) for name in PETITION_MATRIX for persona in ["anonymous", *PETITION_PERSONAS]]


@pytest.mark.parametrize(("route", "persona"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_petition_route_answers_each_persona_as_declared(client, petition_matrix_world, route, persona):
    pw = petition_matrix_world
    user = None if persona == "anonymous" else persona_user(pw, persona)
    check_route(client, route, PETITION_MATRIX[route], persona, pw, user)


@pytest.mark.parametrize("route", sorted(PETITION_API_ROUTES))
def test_petition_api_routes_refuse_anonymous_callers(client, route):
    path = PETITION_API_PATHS.get(route) or reverse(route)
    response = client.get(path)
    assert response.status_code in (401, 405), (route, response.status_code)
