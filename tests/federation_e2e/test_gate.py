"""Every refusal of the node's signature gate, through a real `python -m node serve` process.

The test plays the admitted Pays directory (its key was stored by a real `federation join`).
Each refusal checks the HTTP status, the protocol's JSON error code, and that nothing was
stored: no nonce spent by a refused signature, no peer key or document changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation.jsonbody import dump_json_body
from federation.keys import SigningKey
from federation.nodedoc import build_node_document, published
from federation.signatures import sign_request
from federation.verification import utc_now
from node.extensions import db
from node.models import Peer, PeerKey, SeenNonce
from tests.federation_e2e.conftest import NodeProcess, free_port, joined_node
from tests.federation_e2e.directory_double import DirectoryDouble, directory_key

FEED = "/federation/feed"
INBOX = "/federation/inbox"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory,
          template_instance: Path) -> Iterator[tuple[NodeProcess, DirectoryDouble]]:
    directory = DirectoryDouble(free_port())
    directory.start()
    node = joined_node(tmp_path_factory.mktemp("gate"), directory, template_instance)
    yield node, directory
    node.close()
    directory.stop()


@pytest.fixture
def node(world: tuple[NodeProcess, DirectoryDouble]) -> NodeProcess:
    return world[0]


def send(node: NodeProcess, method: str, path: str, body: bytes = b"", *,
         key: SigningKey | None = None, now: int | None = None, sign_url: str | None = None,
         sent_body: bytes | None = None,
         mutate: Callable[[dict[str, str]], None] | None = None) -> requests.Response:
    headers = sign_request(method, sign_url or node.url + path,
                           {"Content-Type": "application/json"} if body else {}, body,
                           key=key or directory_key(), now=now or utc_now())
    if mutate is not None:
        mutate(headers)
    return requests.request(method, node.url + path, headers=headers, timeout=10,
                            data=body if sent_body is None else sent_body)


def state(node: NodeProcess) -> tuple[Any, ...]:
    """Everything a refused request must leave untouched."""
    with node.app().app_context():
        peer = db.session.scalars(db.select(Peer)).one()
        keys = sorted((k.keyid, k.status) for k in db.session.scalars(db.select(PeerKey)))
        nonces = db.session.scalar(db.select(db.func.count(SeenNonce.id)))
        return peer.document, peer.status, keys, nonces


def assert_refused(node: NodeProcess, response: requests.Response, status: int,
                   code: str, before: tuple[Any, ...], *, nonce_spent: bool = False) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"] == code
    after = state(node)
    assert after[:3] == before[:3]
    assert after[3] == before[3] + (1 if nonce_spent else 0)


def other_key(keyid: str) -> SigningKey:
    seed = hashlib.sha256(f"e2e stranger {keyid}".encode()).digest()
    return SigningKey(Ed25519PrivateKey.from_private_bytes(seed), keyid)


def test_a_correctly_signed_feed_read_is_accepted(node: NodeProcess) -> None:
    before = state(node)
    answer = send(node, "GET", FEED + "?limit=5")
    assert answer.status_code == 200
    assert answer.json()["records"][0]["type"] == "community"
    assert "Signature" in answer.headers
    assert state(node)[3] == before[3] + 1  # its nonce is now spent


def test_missing_signature(node: NodeProcess) -> None:
    before = state(node)
    answer = requests.get(node.url + FEED, timeout=5)
    assert_refused(node, answer, 401, "signature_missing", before)


def test_invalid_signature(node: NodeProcess) -> None:
    def corrupt(headers: dict[str, str]) -> None:
        value = headers["Signature"]
        flipped = "A" if value[10] != "A" else "B"
        headers["Signature"] = value[:10] + flipped + value[11:]

    before = state(node)
    assert_refused(node, send(node, "GET", FEED, mutate=corrupt), 401, "signature_invalid",
                   before)


def test_unknown_key(node: NodeProcess) -> None:
    before = state(node)
    answer = send(node, "GET", FEED, key=other_key("intrus:k1"))
    assert_refused(node, answer, 401, "key_unknown", before)


@pytest.mark.parametrize("status", ["pending", "suspended"])
def test_pending_or_suspended_key_is_not_usable(node: NodeProcess, status: str) -> None:
    with node.app().app_context():
        db.session.get_one(PeerKey, "annuaire:k1").status = status
        db.session.commit()
    try:
        before = state(node)
        assert_refused(node, send(node, "GET", FEED), 403, "key_not_usable", before)
    finally:
        with node.app().app_context():
            db.session.get_one(PeerKey, "annuaire:k1").status = "active"
            db.session.commit()


def test_suspended_directory_is_not_usable(node: NodeProcess) -> None:
    with node.app().app_context():
        db.session.scalars(db.select(Peer)).one().status = "suspended"
        db.session.commit()
    try:
        before = state(node)
        assert_refused(node, send(node, "GET", FEED), 403, "key_not_usable", before)
    finally:
        with node.app().app_context():
            db.session.scalars(db.select(Peer)).one().status = "active"
            db.session.commit()


def test_stale_created(node: NodeProcess) -> None:
    before = state(node)
    answer = send(node, "GET", FEED, now=utc_now() - 400)
    assert_refused(node, answer, 401, "created_too_old", before)


def test_replayed_nonce_is_refused_also_after_a_restart(node: NodeProcess) -> None:
    headers = sign_request("GET", node.url + FEED, {}, b"", key=directory_key(), now=utc_now())
    assert requests.get(node.url + FEED, headers=headers, timeout=5).status_code == 200
    before = state(node)
    again = requests.get(node.url + FEED, headers=headers, timeout=5)
    assert_refused(node, again, 401, "nonce_replayed", before)

    fresh = sign_request("GET", node.url + FEED, {}, b"", key=directory_key(), now=utc_now())
    assert requests.get(node.url + FEED, headers=fresh, timeout=5).status_code == 200
    node.stop()
    node.start()
    before = state(node)
    after_restart = requests.get(node.url + FEED, headers=fresh, timeout=5)
    assert_refused(node, after_restart, 401, "nonce_replayed", before)


def test_digest_mismatch(node: NodeProcess) -> None:
    before = state(node)
    answer = send(node, "POST", INBOX, b'{"a":1}', sent_body=b'{"a":2}')
    assert_refused(node, answer, 400, "digest_mismatch", before)


def test_request_signed_for_another_path_or_authority(node: NodeProcess) -> None:
    before = state(node)
    other_path = send(node, "GET", FEED + "?limit=1", sign_url=node.url + FEED + "?limit=9")
    assert_refused(node, other_path, 401, "signature_invalid", before)

    def claim_other_host(headers: dict[str, str]) -> None:
        headers["Host"] = "annuaire-voisin.example"

    elsewhere = send(node, "GET", FEED, sign_url="http://annuaire-voisin.example" + FEED,
                     mutate=claim_other_host)
    assert_refused(node, elsewhere, 401, "target_mismatch", before)


def test_second_untagged_signature(node: NodeProcess) -> None:
    def add_second(headers: dict[str, str]) -> None:
        extra = sign_request("GET", node.url + FEED, {}, b"", key=directory_key(),
                             now=utc_now())
        headers["Signature-Input"] += ", " + extra["Signature-Input"].replace(
            "sig1=", "sig2=").replace(';tag="chaleur"', "")
        headers["Signature"] += ", " + extra["Signature"].replace("sig1=", "sig2=")

    before = state(node)
    assert_refused(node, send(node, "GET", FEED, mutate=add_second), 401,
                   "signature_multiple", before)


def test_body_over_the_cap(node: NodeProcess) -> None:
    before = state(node)
    body = b'{"node_document": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    assert_refused(node, send(node, "POST", INBOX, body), 413, "payload_too_large", before)


@pytest.mark.parametrize(("body", "code"), [
    (b'{"node_document": ', "json_invalid"),
    (b'{"node_document": {}, "node_document": {}}', "json_duplicate_key"),
    (b'[1, 2]', "json_not_object"),
    (b'{"greeting": "bonjour"}', "notice_unknown"),
    (b'{"node_document": {"node_id": "annuaire"}}', "node_document_invalid"),
])
def test_bad_bodies_are_refused_after_verification(node: NodeProcess, body: bytes,
                                                   code: str) -> None:
    before = state(node)
    # The signature held, so its nonce is spent; nothing else changes.
    assert_refused(node, send(node, "POST", INBOX, body), 400, code, before, nonce_spent=True)


def test_a_tampered_cursor_is_refused(node: NodeProcess) -> None:
    first = send(node, "GET", FEED + "?limit=1").json()
    tampered = first["next"][:-2] + ("AA" if not first["next"].endswith("AA") else "BB")
    answer = send(node, "GET", FEED + "?cursor=" + tampered)
    assert answer.status_code == 400 and answer.json()["error"] == "cursor_invalid"


def test_directory_rotation_notice_signed_with_the_trusted_key(
        world: tuple[NodeProcess, DirectoryDouble]) -> None:
    node, directory = world
    old, new = directory_key(1), directory_key(2)
    document = build_node_document(
        base_url=directory.origin, node_id="annuaire", name="Annuaire du Pays (test)",
        role="directory", territory="Pays", communes=[],
        contact={"name": "Coordination", "email": "pays@example.org"},
        keys=[published(new.keyid, new.public_key),
              published(old.keyid, old.public_key, "retiring", "2099-01-01T00:00:00Z")],
        software_version="test")
    # Signed only by the new key: not a rotation (the node does not know k2 yet).
    refused = send(node, "POST", INBOX, dump_json_body({"node_document": document}), key=new)
    assert refused.status_code == 401 and refused.json()["error"] == "key_unknown"

    accepted = send(node, "POST", INBOX, dump_json_body({"node_document": document}), key=old)
    assert accepted.status_code == 200, accepted.text
    with node.app().app_context():
        keys = {k.keyid: k.status for k in db.session.scalars(db.select(PeerKey))}
    assert keys == {"annuaire:k1": "retiring", "annuaire:k2": "active"}
    assert send(node, "GET", FEED, key=new).status_code == 200
    assert send(node, "GET", FEED, key=old).status_code == 200  # still within its grace
