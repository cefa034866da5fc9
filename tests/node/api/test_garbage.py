"""Garbage in, a 4xx with a reason out: never a 500, never a row stored."""

from __future__ import annotations

import json

from node.api.errors import API_MAX_BODY
from node.extensions import db
from node.models import Community, Event, Venue
from tests.node.api.conftest import Api, seed_rencontres

VALID_EVENT = {"title": "Café", "starts_at": "2030-03-05T18:30",
               "ends_at": "2030-03-05T20:00"}

# (raw body, expected error code) — each one a way a program gets JSON wrong.
GARBAGE: list[tuple[bytes, str]] = [
    (b"", "invalid_json"),
    (b"not json", "invalid_json"),
    (b'{"title": "Caf', "invalid_json"),
    (b"[1, 2, 3]", "invalid_body"),
    (b'"a string"', "invalid_body"),
    (b"null", "invalid_body"),
    (b"42", "invalid_body"),
    (b'{"title": NaN}', "invalid_json"),
    (b'{"capacity": Infinity}', "invalid_json"),
    (b'{"latitude": 1e400}', "invalid_json"),
    (b'{"capacity": ' + b"9" * 5000 + b"}", "invalid_json"),
    (b"\xff\xfe{}", "invalid_json"),
    (b"[" * 5000 + b"]" * 5000, "invalid_json"),
    (b'{"title": "a\\u0000b"}', "invalid_text"),
    (b'{"title": "\\ud800"}', "invalid_text"),
    (b'{"\\ud800": 1}', "invalid_text"),
    (b'{"nested": ' + b'{"a": ' * 30 + b"1" + b"}" * 30 + b"}", "invalid_body"),
    (b'{"unknown": 1}', "unknown_fields"),
    ('{"title": "Café", "id": "forged"}'.encode(), "unknown_fields"),
]

WRITE_ENDPOINTS = [("POST", "/events"), ("PATCH", "/events/{event}"),
                   ("POST", "/events/{event}/cancel"), ("POST", "/venues"),
                   ("PATCH", "/venues/{venue}"), ("PATCH", "/community")]


def _snapshot() -> tuple[object, ...]:
    """What a write could change: counts and versions of every shared record."""
    return (
        tuple(db.session.execute(db.select(Event.id, Event.version, Event.cancelled)).all()),
        tuple(db.session.execute(db.select(Venue.id, Venue.version)).all()),
        tuple(db.session.execute(db.select(Community.id, Community.version)).all()),
    )


def test_garbage_bodies_are_refused_with_a_reason(api: Api) -> None:
    ids = api.run(seed_rencontres)
    before = api.run(_snapshot)
    for method, template in WRITE_ENDPOINTS:
        path = template.format(event=ids["public"], venue=ids["venue"])
        for raw, code in GARBAGE:
            if template.endswith("/cancel") and raw == b"":
                continue  # an empty body is how one cancels
            response = api.send(method, path, data=raw, content_type="application/json")
            assert response.status_code == 400, (method, path, raw[:40], response.get_json())
            assert response.get_json()["error"] == code, (path, raw[:40])
            assert response.get_json()["message"]
    assert api.run(_snapshot) == before


def test_wrong_content_type_is_a_400(lite_api: Api) -> None:
    body = json.dumps({"name": "Grange", "commune_code": "67475"})
    for content_type in ("text/plain", "application/x-www-form-urlencoded",
                         "multipart/form-data; boundary=x", None):
        response = lite_api.send("POST", "/venues", data=body, content_type=content_type)
        assert response.status_code == 400, content_type
        assert response.get_json()["error"] == "unsupported_content_type"
    assert lite_api.send("POST", "/venues", data=body,
                         content_type="application/json").status_code == 201


def test_wrong_types_are_field_errors(lite_api: Api) -> None:
    response = lite_api.send("POST", "/venues", {
        "name": ["Grange"], "commune_code": {"code": "67475"}, "latitude": "48.8",
        "longitude": True, "capacity": 2.5, "address": None})
    assert response.status_code == 422
    fields = {item["field"] for item in response.get_json()["fields"]}
    assert fields == {"name", "commune_code", "latitude", "longitude", "capacity", "address"}


def test_invalid_dates_are_field_errors(lite_api: Api) -> None:
    for when in ("2030-02-30T10:00", "2030-03-05", "05/03/2030 18:30", "2030-03-05T25:00",
                 "2030-03-05T18:30+99:00", "1850-01-01T10:00", "9999-12-31T23:59:59-12:00",
                 "2030-03-05T18:30\n", " 2030-03-05T18:30"):
        response = lite_api.send("POST", "/events", {**VALID_EVENT, "starts_at": when})
        assert response.status_code == 422, (when, response.get_json())
        assert [item["field"] for item in response.get_json()["fields"]] == ["starts_at"]
    assert lite_api.run(lambda: db.session.scalar(db.select(db.func.count(Event.id)))) == 0
    assert lite_api.send("POST", "/events", VALID_EVENT).status_code == 201


def test_huge_numbers_in_range_checks(lite_api: Api) -> None:
    response = lite_api.send("POST", "/events", {**VALID_EVENT, "capacity": 10**30,
                                                 "venue_id": 2**63})
    assert response.status_code == 422
    assert {item["field"] for item in response.get_json()["fields"]} == {"capacity",
                                                                         "venue_id"}
    venue = lite_api.send("POST", "/venues", {"name": "Loin", "commune_code": "67475",
                                              "latitude": 1e300, "longitude": -1e300})
    assert venue.status_code == 422


def test_body_larger_than_the_limit_is_a_413_json(lite_api: Api) -> None:
    huge = json.dumps({**VALID_EVENT, "description": "x" * (API_MAX_BODY + 10)})
    response = lite_api.send("POST", "/events", data=huge, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"] == "payload_too_large"
    assert lite_api.run(lambda: db.session.scalar(db.select(db.func.count(Event.id)))) == 0


def test_unknown_route_and_method_answer_json(lite_api: Api) -> None:
    missing = lite_api.get("/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    wrong = lite_api.send("DELETE", "/community")
    assert wrong.status_code == 405 and "error" in wrong.get_json()
