"""The OpenAPI document: valid OpenAPI 3.1, complete, and true to what the API answers."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.conftest import ADMIN_EMAIL
from tests.node.api.conftest import Api, seed_rencontres

PREFIX = "/api/v1"
HTTP_METHODS = {"get", "post", "patch", "put", "delete"}


def _document(api: Api) -> dict[str, Any]:
    response = api.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()  # type: ignore[no-any-return]


def test_document_is_valid_openapi_3_1(lite_api: Api) -> None:
    document = _document(lite_api)
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on any deviation from the OpenAPI 3.1 schema


def _routes(app: Flask) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule[len(PREFIX):])
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            found.add((method.lower(), path))
    return found


def test_every_route_is_documented_and_nothing_else(lite_api: Api) -> None:
    document = _document(lite_api)
    documented = {(method, path) for path, item in document["paths"].items()
                  for method in item if method in HTTP_METHODS}
    assert documented == _routes(lite_api.app)
    assert len(documented) >= 13


def test_every_operation_documents_its_parameters_and_errors(lite_api: Api) -> None:
    document = _document(lite_api)
    parameters = document["components"]["parameters"]
    for path, item in document["paths"].items():
        in_path = set(re.findall(r"{([^}]+)}", path))
        for method, operation in item.items():
            declared = {parameters[ref["$ref"].rsplit("/", 1)[1]]["name"]
                        for ref in operation.get("parameters", [])}
            assert in_path <= declared, (method, path)
            if path != "/openapi.json":
                assert {"400", "401", "403"} <= set(operation["responses"]), (method, path)
            if method in ("post", "patch"):
                body = operation["requestBody"]["content"]["application/json"]["schema"]
                schema = document["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
                assert schema["additionalProperties"] is False
                assert {"413", "429"} <= set(operation["responses"])


def _validator(document: dict[str, Any], name: str) -> Draft202012Validator:
    """A validator for one component schema, resolving the document's own $refs."""
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:chaleur-api", resource)
    return Draft202012Validator({"$ref": f"urn:chaleur-api#/components/schemas/{name}"},
                                registry=registry)


def test_answers_match_their_documented_schemas(api: Api) -> None:
    ids = api.run(seed_rencontres)
    document = _document(api)
    answers = {
        "Community": api.get("/community"),
        "OccurrencePage": api.get("/events", as_=ADMIN_EMAIL),
        "Event": api.get(f"/events/{ids['public']}"),
        "VenuePage": api.get("/venues", as_=ADMIN_EMAIL),
        "Venue": api.get(f"/venues/{ids['venue']}"),
        "MemberPage": api.get("/members", as_=ADMIN_EMAIL),
        "EventCancelled": api.send("POST", f"/events/{ids['community']}/cancel"),
        "Error": api.send("POST", "/venues", {"name": 1}),
    }
    for name, response in answers.items():
        errors = list(_validator(document, name).iter_errors(response.get_json()))
        assert not errors, (name, [error.message for error in errors])
    assert answers["MemberPage"].get_json()["total"] > 1
    assert answers["Error"].status_code == 422
