"""The JSON API: results, OpenAPI document, 400 with field errors, never a 500."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from directory.services.aggregation import apply_batch
from tests.directory.conftest import SPARSBACH, envelope, event_payload, member


def seed() -> None:
    apply_batch(SPARSBACH, [
        envelope("community", {"name": "Tiers-lieu de Sparsbach", "communes": ["67475"]}),
        envelope("member", member("Jean Lehmann", trade="Ébéniste", commune_code="67437",
                                   skills=["Marqueterie"])),
        envelope("event", event_payload("Rencontre du mardi")),
        envelope("listing", {"public": True, "kind": "offer", "title": "Prête un établi"}),
    ])


def test_search_returns_items_and_facets(app: Flask, client: FlaskClient) -> None:
    seed()
    body = client.get("/api/v1/search?q=ebeniste&near=67437&km=10").get_json()
    assert body["total"] == 1 and body["items"][0]["display_name"] == "Jean Lehmann"
    assert body["facets"]["skill"] == [{"value": "Marqueterie", "label": "Marqueterie",
                                        "count": 1}]
    assert client.get("/api/v1/search?q=plombier").get_json()["total"] == 0


def test_other_endpoints(app: Flask, client: FlaskClient) -> None:
    seed()
    assert client.get("/api/v1/events").get_json()["items"][0]["title"] == "Rencontre du mardi"
    assert client.get("/api/v1/listings?kind=offer").get_json()["total"] == 1
    assert client.get("/api/v1/listings?kind=need").get_json()["total"] == 0
    territories = client.get("/api/v1/territories").get_json()["items"]
    assert [t["name"] for t in territories] == ["Atelier de Westhouse",
                                                "Tiers-lieu de Sparsbach"]
    stats = client.get("/api/v1/statistics").get_json()
    assert stats["trades"] == [{"label": "Ébéniste", "count": 1}]


def test_openapi_document_describes_every_endpoint(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {"/search", "/listings", "/events", "/territories",
                                      "/statistics"}
    search_params = {p["name"] for p in document["paths"]["/search"]["get"]["parameters"]}
    assert search_params == {"q", "trade", "skill", "commune", "territory", "near", "km", "page"}


@pytest.mark.parametrize(("query", "fields"), [
    ("page=0", {"page"}),
    ("page=abc", {"page"}),
    ("km=-3&near=67437", {"km"}),
    ("km=5", {"near"}),
    ("near=00000", {"near"}),
    ("commune=ABCDE", {"commune"}),
    ("q=" + "x" * 201, {"q"}),
    ("colour=blue", {"colour"}),
    ("page=0&near=1&km=x", {"page", "near", "km"}),
])
def test_bad_parameters_give_400_with_field_errors(client: FlaskClient, query: str,
                                                   fields: set[str]) -> None:
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid_parameters"
    assert {e["field"] for e in body["errors"]} == fields
    assert all(e["message"] for e in body["errors"])


def test_listing_and_event_parameters_are_checked(client: FlaskClient) -> None:
    assert client.get("/api/v1/listings?kind=gift").status_code == 400
    assert client.get("/api/v1/events?page=-1").status_code == 400
    assert client.get("/api/v1/territories?x=1").status_code == 400


@pytest.mark.parametrize("value", ["%00", "%FF%FE", "'", "\"", "(*)", "a" * 150, "NEAR(a b)",
                                   "é" * 60, "1e308", "nan", "inf"])
def test_odd_input_never_gives_a_500(app: Flask, client: FlaskClient, value: str) -> None:
    seed()
    for endpoint in ("search", "listings"):
        response = client.get(f"/api/v1/{endpoint}?q={value}")
        assert response.status_code in (200, 400), (endpoint, value)
    response = client.get(f"/api/v1/search?near=67437&km={value}")
    assert response.status_code in (200, 400)
    assert client.get("/api/v1/nothing-here").get_json()["error"] == "not_found"


def test_control_characters_are_refused_on_any_database(any_db_app: Flask) -> None:
    client = any_db_app.test_client()
    apply_batch(SPARSBACH, [envelope("member", member("Nul\x00le", trade="Tis\x00serande",
                                                       skills=["Lin\x00"], bio="a\x00b"))])
    assert client.get("/api/v1/search?q=tisserande").get_json()["total"] == 1
    for query in ("trade=a%00b", "q=%00", "skill=%01", "territory=a%1Fb"):
        response = client.get(f"/api/v1/search?{query}")
        assert response.status_code == 400, query
    page = client.get("/annuaire?trade=a%00b")  # the site refuses it too, in French
    assert page.status_code == 400
    assert "caractère invisible interdit (U+0000" in page.get_data(as_text=True)
