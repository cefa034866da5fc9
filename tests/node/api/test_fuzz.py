"""Property: whatever JSON a program sends to a write endpoint, the node answers without a 5xx,
and a refused request leaves every record as it was."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from node.api.schemas import COMMUNITY_FIELDS, EVENT_FIELDS, VENUE_FIELDS
from tests.node.api.conftest import Api, seed_rencontres
from tests.node.api.test_garbage import WRITE_ENDPOINTS, _snapshot

FIELD_NAMES = sorted(set(EVENT_FIELDS) | set(VENUE_FIELDS) | set(COMMUNITY_FIELDS))

# Values a real field might take, next to hostile ones: a fuzzer rarely guesses a valid
# datetime or commune code, and the interesting refusals are in the services behind them.
PLAUSIBLE = st.sampled_from([
    "2030-03-05T18:30", "2030-03-05T20:00:00+01:00", "2030-03-31T02:30", "2030-10-27T02:30",
    "2030-03-05T18:30:00Z", "67475", "67527", "Sparsbach", "FREQ=WEEKLY", "FREQ=MONTHLY;"
    "BYDAY=1TU", "FREQ=DAILY", "public", "community", "network", "request", "invitation",
    "", " ", "mairie@example.org", "03 88 00 00 00", "x" * 300,
])
# Text no database column may hold: PostgreSQL refuses NUL, UTF-8 refuses lone surrogates.
HOSTILE = st.sampled_from(["\x00", "Grange\x00", "\ud800", "Salle \udfff"])
SCALARS = st.one_of(PLAUSIBLE, PLAUSIBLE, HOSTILE, st.none(), st.booleans(),
                    st.integers(min_value=-(2**80), max_value=2**80),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)
ANY_KEYS = st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), VALUES,
                           max_size=6)
ENDPOINT_FIELDS: dict[str, dict[str, Any]] = {
    "/events": EVENT_FIELDS, "/events/{event}": EVENT_FIELDS, "/events/{event}/cancel": {},
    "/venues": VENUE_FIELDS, "/venues/{venue}": VENUE_FIELDS, "/community": COMMUNITY_FIELDS}


def _typed(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values of the field's own JSON type, so that whole bodies often get past the schema."""
    kinds = schema.get("type", "string")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    options: list[st.SearchStrategy[Any]] = []
    if "string" in kinds:
        options += [PLAUSIBLE, HOSTILE, st.text(max_size=30)]
    if "integer" in kinds:
        options += [st.integers(0, 300), st.integers(-(2**70), 2**70)]
    if "number" in kinds:
        options += [st.floats(-90, 90), st.floats(allow_nan=False, allow_infinity=False)]
    if "null" in kinds:
        options.append(st.none())
    if "array" in kinds:
        options.append(st.lists(PLAUSIBLE | HOSTILE | st.text(max_size=10), max_size=4))
    return st.one_of(*options)


def _requests(method: str, template: str) -> st.SearchStrategy[tuple[tuple[str, str], bytes]]:
    """Bodies for one endpoint: mostly objects with its own keys (where the services are
    reached), some with any key, any JSON value, or bytes that are not JSON at all."""
    fields = ENDPOINT_FIELDS[template]
    known = st.fixed_dictionaries({}, optional={
        name: st.one_of(_typed(schema), _typed(schema), _typed(schema), VALUES)
        for name, schema in fields.items()})
    bodies = st.one_of(known, known, known, ANY_KEYS, VALUES).map(
        lambda body: json.dumps(body).encode()) | st.binary(max_size=60)
    return st.tuples(st.just((method, template)), bodies)


REQUESTS = st.one_of(*(_requests(method, template) for method, template in WRITE_ENDPOINTS))


@pytest.fixture
def seeded(api: Api) -> Iterator[tuple[Api, dict[str, str]]]:
    """On SQLite and PostgreSQL: text PostgreSQL refuses (NUL) is a classic 500."""
    yield api, api.run(seed_rencontres)


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(request=REQUESTS)
def test_no_5xx_and_nothing_stored_when_refused(
        seeded: tuple[Api, dict[str, str]], request: tuple[tuple[str, str], bytes]) -> None:
    api, ids = seeded
    (method, template), raw = request
    path = template.format(event=ids["public"], venue=ids["venue"])
    before = api.run(_snapshot)
    response = api.send(method, path, data=raw, content_type="application/json")
    event(f"{method} {template} -> {response.status_code}")
    assert response.status_code < 500, (method, path, raw[:200], response.get_data()[:300])
    body: Any = response.get_json()
    assert isinstance(body, dict)
    if response.status_code >= 400:
        assert set(body) >= {"error", "message"}
        assert api.run(_snapshot) == before, (method, path, raw[:200], body)
