"""Every OpenAPI component name stands for exactly one schema (issue 10 §5).

django-ninja names a component after its class and, when two classes share a name
(two ``EnterpriseOut``), keeps whichever it met last: the other endpoint's responses
then point at a shape they do not have, and a client or a fuzzer checking responses
against the schema finds "violations" that are the schema's fault. This test records
every definition ninja merges while it builds the document and fails on any name
defined twice with different contents."""

from __future__ import annotations

import json

import pytest
from ninja.openapi.schema import OpenAPISchema

from yancheng.api.main import api


@pytest.fixture
def merged_definitions(monkeypatch):
    seen: dict[str, list[str]] = {}
    original = OpenAPISchema.add_schema_definitions

    def recording(self, definitions):
        for name, definition in definitions.items():
            seen.setdefault(name, []).append(json.dumps(definition, sort_keys=True, ensure_ascii=False))
        return original(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", recording)
    return seen


def _collisions(seen: dict[str, list[str]]) -> dict[str, int]:
    return {name: len(set(bodies)) for name, bodies in seen.items() if len(set(bodies)) > 1}


def test_no_two_schemas_share_a_component_name(merged_definitions):
    document = api.get_openapi_schema()
    assert merged_definitions, "the recorder saw no definitions: the test would pass vacuously"
    assert _collisions(merged_definitions) == {}
    assert set(merged_definitions) <= set(document["components"]["schemas"])


def test_the_recorder_would_catch_a_collision(merged_definitions):
    """Guards the test above: two definitions under one name are reported."""
    schema = OpenAPISchema.__new__(OpenAPISchema)
    schema.schemas = {}
    schema.add_schema_definitions({"Thing": {"type": "object", "properties": {"a": {"type": "string"}}}})
    schema.add_schema_definitions({"Thing": {"type": "object", "properties": {"b": {"type": "integer"}}}})
    assert _collisions(merged_definitions) == {"Thing": 2}


def test_the_enterprise_components_are_named_apart():
    components = api.get_openapi_schema()["components"]["schemas"]
    core = components["EnterpriseOut"]["properties"]
    assert {"uscc", "park", "chains"} <= set(core)
    inspector = components["InspectorEnterpriseOut"]["properties"]
    assert {"grade", "grade_display"} <= set(inspector)
