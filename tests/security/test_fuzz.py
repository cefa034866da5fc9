"""Fuzzing the JSON API from its OpenAPI document, and the federation endpoints with
unsigned, garbage-signed and wrongly-signed requests: never a 5xx, always a JSON error for a
refusal, and nothing stored. The number of generated requests is printed at the end."""

from __future__ import annotations

import json
import string
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.extensions import db as directory_db
from federation.keys import generate_signing_key, make_keyid
from federation.signatures import sign_request
from federation.verification import utc_now
from node.extensions import db
from node.peering.identity import create_identity
from tests.federation_e2e.directory_double import directory_key
from tests.node.peering.test_feed_and_limits import trust_directory
from tests.security.conftest import FUZZED as COUNTS
from tests.security.conftest import table_snapshot


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ORIGIN = "http://node.test"
NASTY = ["\x00", "a\x00b", "%00", "-1", "0", "1e309", "NaN", "Infinity", "[]", "{}", "null",
         "' OR 1=1 --", "\"; DROP TABLE member; --", "<script>alert(1)</script>", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
         "\u202eevil", "../../etc/passwd", "%", "%%", "\\", "*", "67475" * 50, " ", "\t\n"]
garbage_text = st.one_of(st.sampled_from(NASTY), st.text(max_size=40),
                         st.integers(2_000, 20_000).map(lambda n: "é" * n),
                         st.integers().map(str), st.floats().map(str))


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    """Values a client following the document could send."""
    if "enum" in schema:
        return st.sampled_from([str(v) for v in schema["enum"]])
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True)
    if schema.get("type") == "integer":
        return st.integers(schema.get("minimum", -10**6), schema.get("maximum", 10**6)).map(str)
    if schema.get("type") == "number":
        return st.floats(0.001, schema.get("maximum", 1000)).map(lambda v: f"{v:.3f}")
    return st.text(max_size=int(schema.get("maxLength", 200)))


def _json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                        garbage_text)
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
        max_leaves=20)


deep_nesting = st.integers(50, 5000).map(lambda n: ("[" * n + "]" * n).encode())
bodies = st.one_of(_json_values().map(lambda v: json.dumps(v).encode()), deep_nesting,
                   st.binary(max_size=300), st.just(b"\x00" * 100), st.just(b""))


def assert_refusal_is_json(response: Any, where: str) -> None:
    assert response.status_code < 500, (where, response.status_code, response.get_data()[:300])
    if response.status_code >= 400:
        assert response.is_json, where
        assert isinstance(response.get_json().get("error"), str), where


def test_directory_api_from_its_openapi_document(make_directory: Callable[..., Flask]) -> None:
    from tests.directory.test_site import seed_hostile, seed_network

    app = make_directory()
    with app.app_context():
        seed_network()
        seed_hostile()
    client = app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    operations = [(path, op["get"].get("parameters", []))
                  for path, op in document["paths"].items()]
    assert len(operations) == 5
    before = table_snapshot(app, directory_db)

    def query(parameters: list[dict[str, Any]]) -> st.SearchStrategy[list[tuple[str, str]]]:
        names = [p["name"] for p in parameters]
        documented = st.tuples(st.sampled_from(names), st.one_of(*[
            from_schema(p["schema"]) for p in parameters])) if names else st.nothing()
        wrong = st.tuples(st.sampled_from(names or ["q"]), garbage_text)
        unknown = st.tuples(st.text(string.ascii_letters + "[]._", min_size=1, max_size=12),
                            garbage_text)
        return st.lists(st.one_of(documented, documented, wrong, unknown), max_size=6)

    for path, parameters in operations:
        fuzz_operation(client, path, parameters, query)
    assert table_snapshot(app, directory_db) == before


def fuzz_operation(client: FlaskClient, path: str, parameters: list[dict[str, Any]],
                   query: Callable[..., Any]) -> None:
    """A few hundred requests against one documented operation."""
    @fuzz(250)
    @given(params=query(parameters), method=st.sampled_from(["GET", "GET", "GET", "POST"]),
           body=bodies)
    def run(params: list[tuple[str, str]], method: str, body: bytes) -> None:
        COUNTS["directory api"] += 1
        response = client.open("/api/v1" + path, method=method, query_string=params,
                               data=body, content_type="application/json")
        assert_refusal_is_json(response, path)
        if method == "POST":
            assert response.status_code == 405
        response.close()

    run()


def test_directory_federation_endpoints_refuse_unsigned_requests(
        make_directory: Callable[..., Flask]) -> None:
    """Unsigned requests to the directory's federation endpoints: a JSON 4xx, nothing stored."""
    app = make_directory()
    client = app.test_client()
    with app.app_context():
        before = _directory_row_counts()
    for path in ("/federation/inbox", "/federation/join", "/federation/network",
                 "/federation/feed"):
        for method in ("GET", "POST"):
            COUNTS["directory federation"] += 1
            response = client.open(path, method=method, data=b'{"records": []}',
                                   content_type="application/json")
            assert 400 <= response.status_code < 500, (path, method, response.status_code)
            assert_refusal_is_json(response, path)
    with app.app_context():
        assert _directory_row_counts() == before


def _directory_row_counts() -> dict[str, int]:
    from sqlalchemy import func, select

    from directory.extensions import db as directory_db

    return {table.name: directory_db.session.scalar(select(func.count()).select_from(table))
            or 0 for table in directory_db.metadata.sorted_tables}


header_value = st.text(string.printable.replace("\r", "").replace("\n", "")
                       .replace("\x0b", "").replace("\x0c", ""), max_size=200)
signature_headers: st.SearchStrategy[dict[str, str]] = st.one_of(
    st.fixed_dictionaries({}),
    st.fixed_dictionaries({"Signature": header_value, "Signature-Input": header_value}),
    st.fixed_dictionaries({
        "Signature": st.builds(lambda s: f"sig1=:{s}:", header_value),
        "Signature-Input": st.builds(
            lambda k, c, n: f'sig1=("@method" "@target-uri" "content-digest");created={c};'
                            f'keyid="{k}";nonce="{n}";alg="ed25519"',
            header_value.filter(lambda v: '"' not in v and "\\" not in v),
            st.integers(-10**12, 10**12), st.text(string.ascii_letters, max_size=30)),
        "Content-Digest": st.builds(lambda s: f"sha-256=:{s}:", header_value),
        "Date": header_value}),
)


def _node_with_identity(make_node: Callable[..., Flask]) -> Flask:
    app = make_node(FEDERATION_ALLOW_PRIVATE=True)
    with app.app_context():
        create_identity("sparsbach")
        db.session.commit()
    trust_directory(app)
    return app


FEDERATION_TARGETS = [("POST", "/federation/inbox"), ("GET", "/federation/feed")]


def test_node_federation_refuses_unsigned_and_garbage_signed(
        make_node: Callable[..., Flask]) -> None:
    app = _node_with_identity(make_node)
    client = app.test_client()
    before = table_snapshot(app)

    @fuzz(900)
    @given(target=st.sampled_from(FEDERATION_TARGETS), headers=signature_headers, body=bodies,
           query=st.lists(st.tuples(st.sampled_from(["cursor", "limit", "x"]), garbage_text),
                          max_size=3))
    def run(target: tuple[str, str], headers: dict[str, str], body: bytes,
            query: list[tuple[str, str]]) -> None:
        COUNTS["node federation, unsigned or garbage"] += 1
        method, path = target
        response = client.open(path, method=method, headers=headers, data=body,
                               query_string=query)
        assert 400 <= response.status_code < 500, (path, response.status_code)
        assert_refusal_is_json(response, path)

    run()
    assert table_snapshot(app) == before


def test_node_federation_refuses_wrong_keys_and_tampered_bodies(
        make_node: Callable[..., Flask]) -> None:
    app = _node_with_identity(make_node)
    client = app.test_client()
    stranger = generate_signing_key(make_keyid("inconnu", 1))
    before = table_snapshot(app)

    @fuzz(500)
    @given(body=bodies, tampered=bodies, unknown_key=st.booleans(),
           path=st.sampled_from(["/federation/inbox", "/federation/feed"]))
    def run(body: bytes, tampered: bytes, unknown_key: bool, path: str) -> None:
        COUNTS["node federation, wrong key or body"] += 1
        method = "POST" if path.endswith("inbox") else "GET"
        signed_body = body if method == "POST" else b""
        headers = sign_request(method, ORIGIN + path, {}, signed_body,
                               key=stranger if unknown_key else directory_key(), now=utc_now())
        sent = signed_body if unknown_key else tampered + b" "  # never the signed bytes
        if not unknown_key and method == "GET":
            path += "?limit=1"  # the signed target was the bare path
        response = client.open(path, method=method, headers=headers, data=sent)
        assert 400 <= response.status_code < 500, (path, response.status_code)
        assert_refusal_is_json(response, path)

    run()
    assert table_snapshot(app) == before


def test_node_well_known_and_public_queries_never_fail(make_node: Callable[..., Flask]) -> None:
    app = _node_with_identity(make_node)
    client: FlaskClient = app.test_client()
    before = table_snapshot(app)
    paths = ["/.well-known/chaleur-node", "/membres", "/rencontres", "/rencontres.ics",
             "/reseau", "/rencontres/annulation", "/connexion", "/api/v1/openapi.json",
             "/api/v1/members", "/admin/exports"]

    @fuzz(400)
    @given(path=st.sampled_from(paths), headers=signature_headers,
           params=st.lists(st.tuples(st.sampled_from(["q", "page", "commune", "skill", "jeton",
                                                      "next", "cursor", "passees"]),
                                     garbage_text), max_size=4))
    def run(path: str, headers: dict[str, str], params: list[tuple[str, str]]) -> None:
        COUNTS["node public GET"] += 1
        response = client.get(path, headers=headers, query_string=params)
        assert response.status_code < 500, (path, params)
        response.close()

    run()
    assert table_snapshot(app) == before


def test_node_forms_survive_garbage(make_node: Callable[..., Flask]) -> None:
    """Every form of the node, posted by an admin with garbage in every field it knows (and
    fields it does not): a 4xx or the form again, never a 5xx."""
    from tests.security.conftest import ADMIN_EMAIL, session_for, write_rules
    from tests.security.test_csrf import FORM_DATA
    from tests.security.world import build_world

    app = make_node()
    world = build_world(app)
    admin = session_for(app, ADMIN_EMAIL)
    urls = [world.url(app, rule) for rule in write_rules(app)
            if rule.endpoint not in ("members.delete_account", "auth.logout")]
    names = sorted(FORM_DATA)
    field_values = st.one_of(
        garbage_text, st.integers(-10**30, 10**30).map(str),
        st.sampled_from(["2030-02-30", "9999-12-31", "0000-01-01", "25:61", "1e400", "-0"]))

    @fuzz(700)
    @given(url=st.sampled_from(urls),
           form=st.dictionaries(st.one_of(st.sampled_from(names), st.text(max_size=8)),
                                field_values, max_size=12),
           base=st.booleans())
    def run(url: str, form: dict[str, str], base: bool) -> None:
        COUNTS["node forms"] += 1
        data = {**(FORM_DATA if base else {}), **form}
        response = admin.post(url, data=data)
        assert response.status_code < 500, (url, data)
        response.close()

    run()
