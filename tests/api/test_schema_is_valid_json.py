"""The OpenAPI document must parse without duplicate keys: Swagger UI refuses it otherwise."""

import json


def _no_duplicates(pairs):
    keys = [key for key, _value in pairs]
    duplicated = {key for key in keys if keys.count(key) > 1}
    assert not duplicated, f"duplicated keys in the OpenAPI document: {duplicated}"
    return dict(pairs)


def test_the_openapi_document_has_no_duplicated_keys(client, world):
    client.force_login(world.dispatcher)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content, object_pairs_hook=_no_duplicates)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/enterprises" in schema["paths"]
