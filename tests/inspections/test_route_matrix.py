"""Every route of 企业赋码保护, tried by every persona — the global personas plus the
inspection ones: a second market inspector, the market bureau's clerk and an inspector of
another department (the right role in another organisation must fail).

Each side declares its policies in `routes_<side>.py`; `tests/test_permission_matrix.py`
counts them when it checks that every route has a policy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.test_permission_matrix import PERSONAS, check_route

from . import routes_department, routes_enterprise, routes_inspector, routes_supervisor

SIDES = (routes_inspector, routes_department, routes_enterprise, routes_supervisor)
INSPECTION_MATRIX = {name: policy for side in SIDES for name, policy in side.POLICIES.items()}
INSPECTION_API_ROUTES = {name for side in SIDES for name in side.API_ROUTES}
INSPECTION_API_PATHS = {name: path for side in SIDES for name, path in side.API_PATHS.items()}
INSPECTION_PERSONAS = [*PERSONAS, "inspector2", "clerk_market", "inspector_emergency"]


@pytest.fixture(scope="module")
def _module_inspection_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, the inspection world and every side's objects, built once for the module
    inside a transaction rolled back at the end; each test runs in a savepoint of its own
    (GETs change nothing, which every test checks; a login's writes are rolled back)."""
    from django.db import transaction
    from django.test import override_settings

    from yancheng.testing.inspections import build_inspection_world
    from yancheng.testing.world import build_world

    root = tmp_path_factory.mktemp("inspection-matrix-attachments")
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(YANCHENG_ATTACHMENT_ROOT=root):
        iw = build_inspection_world(build_world())
        for side in SIDES:
            side.build(iw)
        iw.attachment_root = root
        yield iw
        transaction.set_rollback(True)


@pytest.fixture
def inspection_matrix_world(_module_inspection_world, db, settings):
    settings.YANCHENG_ATTACHMENT_ROOT = _module_inspection_world.attachment_root
    return _module_inspection_world


CASES = [(name, persona) for name in INSPECTION_MATRIX for persona in ["anonymous", *INSPECTION_PERSONAS]]


@pytest.mark.parametrize(("route", "persona"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_inspection_route_answers_each_persona_as_declared(client, inspection_matrix_world, route, persona):
    iw = inspection_matrix_world
    user = None if persona == "anonymous" else getattr(iw.world, persona)
    check_route(client, route, INSPECTION_MATRIX[route], persona, iw, user)


@pytest.mark.parametrize("route", sorted(INSPECTION_API_ROUTES))
def test_inspection_api_routes_refuse_anonymous_callers(client, route):
    path = INSPECTION_API_PATHS.get(route) or reverse(route)
    response = client.get(path)
    assert response.status_code in (401, 405), (route, response.status_code)
