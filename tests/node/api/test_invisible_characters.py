"""Every text field of every API body, and every query parameter, refuses invisible control
characters (webui.unsafe_text) with a 400 naming the field, and stores nothing.

The bodies and parameters are read from the published OpenAPI document, so an endpoint or a
field added later is covered without touching this test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from node.api.openapi import document
from tests.node.api.conftest import Api, seed_rencontres
from tests.security.conftest import table_snapshot

REFUSED = ["Salle\x00B", "Grange \u202eegnarg", "\u2067Atelier\u2069", "Café\x1b[31m"]
COMPONENTS = document()["components"]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = COMPONENTS["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _text_values(schema: dict[str, Any], value: str) -> Iterator[tuple[str, Any]]:
    """(field, a body value carrying ``value``) for each text property of a body schema."""
    for name, prop in _resolve(schema).get("properties", {}).items():
        kinds = prop.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "string" in kinds:
            yield name, value
        elif "array" in kinds and "string" in str(prop.get("items", {}).get("type")):
            yield name, ["67475", value]


def text_fields() -> list[tuple[str, str, str]]:
    """(method, path, field) for every text field of every request body in the document."""
    found = []
    for path, operations in document()["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if body is None:
                continue
            schema = body["content"]["application/json"]["schema"]
            found += [(method.upper(), path, name) for name, _ in _text_values(schema, "")]
    return found


def query_parameters() -> list[tuple[str, str]]:
    found = []
    for path, operations in document()["paths"].items():
        for operation in operations.values():
            for ref in operation.get("parameters", []):
                parameter = COMPONENTS["parameters"][ref["$ref"].rsplit("/", 1)[1]]
                if parameter["in"] == "query":
                    found.append((path, parameter["name"]))
    return found


TEXT_FIELDS = text_fields()


def test_the_enumeration_covers_every_write() -> None:
    assert {(m, p) for m, p, _ in TEXT_FIELDS} == {
        ("POST", "/events"), ("PATCH", "/events/{event_uuid}"),
        ("POST", "/events/{event_uuid}/cancel"), ("POST", "/venues"),
        ("PATCH", "/venues/{venue_ref}"), ("PATCH", "/community")}
    assert ("PATCH", "/community", "communes") in TEXT_FIELDS  # a list of strings
    assert len(TEXT_FIELDS) >= 20


def _fill(path: str, ids: dict[str, str]) -> str:
    return path.replace("{event_uuid}", ids["public"]).replace("{venue_ref}", ids["venue"])


def test_every_text_field_of_every_body_refuses_invisible_controls(lite_api: Api) -> None:
    ids = lite_api.run(seed_rencontres)
    before = table_snapshot(lite_api.app, ignore=("api_token",))
    for method, path, name in TEXT_FIELDS:
        for value in REFUSED:
            body = dict(_text_values(document()["paths"][path][method.lower()]["requestBody"]
                                     ["content"]["application/json"]["schema"], value))
            response = lite_api.send(method, _fill(path, ids), {name: body[name]})
            assert response.status_code == 400, (method, path, name, value)
            answer = response.get_json()
            assert answer["error"] == "invalid_text"
            assert f"« {name}" in answer["message"], answer
            assert "caractère invisible interdit" in answer["message"]
    assert table_snapshot(lite_api.app, ignore=("api_token",)) == before


def test_a_key_or_a_nested_value_is_found_too(lite_api: Api) -> None:
    response = lite_api.send("PATCH", "/community", {"communes": ["67475", "Sa\u202ever"]})
    assert response.get_json()["message"].startswith("Champ « communes[1] »")
    response = lite_api.send("POST", "/venues", {"na\u2066me": "Grange"})
    assert response.get_json()["error"] == "invalid_text"


@pytest.mark.parametrize(("path", "name"), query_parameters())
def test_every_query_parameter_refuses_invisible_controls(lite_api: Api, path: str,
                                                          name: str) -> None:
    ids = lite_api.run(seed_rencontres)
    for value in REFUSED:
        response = lite_api.get(f"{_fill(path, ids)}?{name}={quote(value)}")
        assert response.status_code == 400, (path, name, value)
        assert "caractère invisible interdit" in response.get_json()["message"]
