"""Property-based fuzzing of the API against its own OpenAPI document (issue 10 §5).

schemathesis generates requests for every operation from /api/v1/openapi.json (the
document ninja builds, the one the endpoint serves) and sends them through the whole
WSGI stack (middleware, auth, guards) as three roles with bearer tokens: an enterprise
user, the dispatcher and the supervisor. Any 5xx, or a response that does not match
the schema it documents, fails the test with the operation and the request.

Deterministic for CI: Hypothesis runs derandomized with no example database and no
shrinking, at a small budget per operation (FUZZ_EXAMPLES, ~40 s per database on 2 cores).
Raise it locally with YANCHENG_FUZZ_EXAMPLES=200 to look harder."""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.hypothesis.builder import HypothesisTestConfig, HypothesisTestMode, create_test
from schemathesis.specs.openapi.checks import response_schema_conformance

from yancheng.api.main import api
from yancheng.api.services import api_token_create
from yancheng.testing.world import build_world

FUZZ_EXAMPLES = int(os.environ.get("YANCHENG_FUZZ_EXAMPLES", "8"))
# The coverage phase (every boundary and out-of-range value of every parameter) sends
# ~3,000 requests a role: too slow for every CI run, worth it before a release.
COVERAGE = os.environ.get("YANCHENG_FUZZ_COVERAGE") == "1"
ROLES = ["enterprise_a", "dispatcher", "supervisor"]


@pytest.fixture(scope="module")
def _fuzz_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, a case to find and a token per role; built once for the module inside a
    transaction rolled back at the end."""
    from django.db import transaction
    from django.test import override_settings

    root = tmp_path_factory.mktemp("fuzz-attachments")
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(
        YANCHENG_ATTACHMENT_ROOT=root, YANCHENG_API_RATE="100000/m"
    ):
        world = build_world()
        from yancheng.cases.services import case_submit

        case_submit(actor=world.enterprise_a_user, title="高压专线未接入", description="尚未接入")
        tokens = {}
        for role in ROLES:
            user = world.users[role]
            _token, raw = api_token_create(user=user, name="fuzz", valid_days=30, actor=user)
            tokens[role] = raw
        yield root, tokens
        transaction.set_rollback(True)


@pytest.fixture
def fuzz_tokens(_fuzz_world, db, settings):
    """The tokens; requests go through a plain WSGIHandler, which (like a server) closes
    the database connection when a request ends. Django's test client stops that so the
    test's transaction survives; so does this, for the duration of the test."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    root, tokens = _fuzz_world
    settings.YANCHENG_ATTACHMENT_ROOT = root
    settings.YANCHENG_API_RATE = "100000/m"
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield tokens
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _schema(document: dict | None = None) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_dict(document or api.get_openapi_schema())
    schema.app = WSGIHandler()
    return schema


def _fuzz(operation, token: str, statuses: Counter[int]) -> str | None:
    """Run one operation through schemathesis' fuzzing phase (FUZZ_EXAMPLES cases drawn in
    the configured modes, valid and invalid input), after its coverage phase when asked;
    the first failure's description, or None."""
    headers = {"Authorization": f"Bearer {token}"}

    def run(case):
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        checks = [not_a_server_error]
        if case.meta is None or case.meta.generation.mode is schemathesis.GenerationMode.POSITIVE:
            checks.append(response_schema_conformance)
        case.validate_response(response, checks=checks, headers=headers)

    test = create_test(
        operation=operation,
        test_func=run,
        config=HypothesisTestConfig(
            project=operation.schema.config,
            modes=MODES,
            settings=settings(
                max_examples=FUZZ_EXAMPLES, derandomize=True, database=None, deadline=None,
                phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
            ),
        ),
    )
    try:
        test()
    except (Exception, BaseExceptionGroup) as exc:  # a failed check (schemathesis groups them)
        return f"{operation.method.upper()} {operation.path}: {exc}"[:1500]
    return None


MODES = [HypothesisTestMode.COVERAGE, HypothesisTestMode.FUZZING] if COVERAGE else [HypothesisTestMode.FUZZING]


@pytest.mark.parametrize("role", ROLES)
def test_the_api_answers_fuzzed_requests_without_5xx_or_schema_violations(fuzz_tokens, role):
    schema = _schema()
    failures = []
    operations = 0
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        failure = _fuzz(operation, fuzz_tokens[role], statuses)
        if failure:
            failures.append(failure)
    print(f"schemathesis as {role}: {operations} operations, {sum(statuses.values())} requests, {dict(statuses)}")
    assert operations >= 50
    # The token works (not everything refused) and the fuzzer reached the endpoints.
    assert statuses[200] >= 10 and statuses[401] == 0, statuses
    assert failures == [], "\n\n".join(failures)


# The harness itself: it must see a server error and a response off its schema.


def _operation(schema, method: str, path: str):
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() == method and operation.path == path:
            return operation
    raise AssertionError(f"{method} {path} is not in the schema")


def test_the_harness_reports_a_response_that_breaks_the_schema(fuzz_tokens):
    """The document is changed to promise a field the regions list does not send."""
    document = api.get_openapi_schema()
    region = document["components"]["schemas"]["RegionOut"]
    region["properties"]["population"] = {"type": "integer"}
    region["required"] = [*region.get("required", []), "population"]
    operation = _operation(_schema(document), "GET", "/api/v1/regions")
    statuses: Counter[int] = Counter()
    failure = _fuzz(operation, fuzz_tokens["dispatcher"], statuses)
    assert failure is not None and "population" in failure
    assert statuses[200] >= 1


def test_the_harness_reports_a_server_error(fuzz_tokens, monkeypatch):
    """The regions list is made to fail as a bug would (the one place this suite breaks
    our own code on purpose: to show the fuzzer would notice)."""
    from yancheng.api import core_endpoints

    class Broken:
        class objects:  # mimics a model's manager
            @staticmethod
            def select_related(*args):
                raise RuntimeError("a bug")

    monkeypatch.setattr(core_endpoints, "Region", Broken)
    operation = _operation(_schema(), "GET", "/api/v1/regions")
    statuses: Counter[int] = Counter()
    failure = _fuzz(operation, fuzz_tokens["dispatcher"], statuses)
    assert failure is not None and "500" in failure
    assert statuses[500] >= 1
