"""Every route of the chains module, tried by every persona — the global personas plus the
chain ones (the city's 链办 ``lianban`` running 有色金属, the 电子信息 office ``lianban_dz``, a
county chain office running none ``lianban_qd``, the two 链长, and ``handler_ndrc`` of the
backing 发改委).

Each page family declares its policies in ``routes_<family>.py`` (``POLICIES``, ``API_ROUTES``,
``API_PATHS`` and ``build(cw)``, which adds the objects its routes need to the shared world)
and is listed in ``SIDES``; ``tests/test_permission_matrix.py`` counts them when it checks that
every route has a policy."""

from __future__ import annotations

from types import ModuleType

import pytest
from django.urls import reverse

from tests.chains import (
    routes_leader,
    routes_leads,
    routes_map,
    routes_meetings,
    routes_problems,
    routes_registry,
    routes_research,
    routes_targets,
)
from tests.test_permission_matrix import PERSONAS, check_route
from yancheng.testing.chains import CHAIN_PERSONAS

SIDES: tuple[ModuleType, ...] = (
    routes_registry,
    routes_map,
    routes_targets,
    routes_leads,
    routes_problems,
    routes_meetings,
    routes_research,
    routes_leader,
)

CHAIN_MATRIX = {name: policy for side in SIDES for name, policy in side.POLICIES.items()}
CHAIN_API_ROUTES = {name for side in SIDES for name in side.API_ROUTES}
CHAIN_API_PATHS = {name: path for side in SIDES for name, path in side.API_PATHS.items()}
ALL_PERSONAS = [*PERSONAS, *CHAIN_PERSONAS]


@pytest.fixture(scope="module")
def _module_chain_world(django_db_setup, django_db_blocker):
    """The world, the chain world and every family's objects, built once for the module inside
    a transaction rolled back at the end; each test runs in a savepoint of its own."""
    from django.db import transaction

    from yancheng.testing.chains import build_chain_world
    from yancheng.testing.world import build_world

    with django_db_blocker.unblock(), transaction.atomic():
        cw = build_chain_world(build_world())
        for side in SIDES:
            side.build(cw)
        yield cw
        transaction.set_rollback(True)


@pytest.fixture
def chain_matrix_world(_module_chain_world, db):
    return _module_chain_world


def persona_user(cw, persona):
    return cw.users[persona] if persona in cw.users else getattr(cw.world, persona)  # enterprise_a_user …


CASES = [(name, persona) for name in CHAIN_MATRIX for persona in ["anonymous", *ALL_PERSONAS]]


@pytest.mark.parametrize(("route", "persona"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_chain_route_answers_each_persona_as_declared(client, chain_matrix_world, route, persona):
    cw = chain_matrix_world
    user = None if persona == "anonymous" else persona_user(cw, persona)
    check_route(client, route, CHAIN_MATRIX[route], persona, cw, user)


@pytest.mark.parametrize("route", sorted(CHAIN_API_ROUTES))
def test_chain_api_routes_refuse_anonymous_callers(client, route):
    path = CHAIN_API_PATHS.get(route) or reverse(route)
    response = client.get(path)
    assert response.status_code in (401, 405), (route, response.status_code)
