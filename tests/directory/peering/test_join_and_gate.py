"""The directory's identity, join and rotation, and every refusal of its signature gate."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from directory import create_app
from directory.extensions import db
from directory.models import Peer, PeerKey, SeenNonce
from directory.peering.identity import create_identity, current_fingerprint
from directory.services.peers import admit_node, refuse_node, suspend_node
from federation.client import JSON_TYPES
from federation.keys import KeyRecord, KeyStatus, fingerprint, load_public_key_b64
from federation.nodedoc import NODE_MEDIA_TYPE, WELL_KNOWN_PATH, validate_node_document
from federation.signatures import sign_request
from federation.verification import utc_now, verify_signed_response
from tests.directory.conftest import build_directory, directory_config
from tests.directory.peering.conftest import (
    ORIGIN,
    join,
    send,
    village_document,
    village_key,
)


def test_init_creates_identity_key_file_and_prints_the_fingerprint(tmp_path: Path) -> None:
    app = create_app(directory_config(tmp_path, PUBLIC_URL=ORIGIN))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init", "--email", "pays@example.org", "--password",
                                 "un-mot-de-passe-long", "--node-id", "pays-saverne"])
    assert result.exit_code == 0, result.output
    key_file = Path(app.instance_path) / "keys" / "pays-saverne:k1.pem"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    with app.app_context():
        printed = current_fingerprint()
        db.engine.dispose()
    assert f"pays-saverne ; empreinte de la clé : {printed}" in result.output
    again = runner.invoke(args=["federation", "fingerprint"])
    assert printed in again.output and "pays-saverne:k1" in again.output


def test_well_known_document_is_signed_with_role_directory(client: FlaskClient) -> None:
    # Signed as a node's client signs it: the answer then covers that signature (`;req`).
    answer = send(client, "GET", WELL_KNOWN_PATH, key=village_key("neuwiller"))
    assert answer.status_code == 200 and answer.mimetype == NODE_MEDIA_TYPE
    document = validate_node_document(answer.get_json())
    assert (document["role"], document["node_id"], document["base_url"]) == (
        "directory", "pays-test", ORIGIN)
    (key,) = document["keys"]
    public = load_public_key_b64(key["public_key"])
    assert fingerprint(public) == current_fingerprint()
    record = KeyRecord(key["keyid"], "pays-test", public, KeyStatus.ACTIVE)
    signer = verify_signed_response(
        200, list(answer.headers.items()), answer.get_data(), request_method="GET",
        request_url=ORIGIN + WELL_KNOWN_PATH, now=utc_now(),
        request_headers=list(answer.request.headers.items()),
        resolve_key=lambda keyid: record if keyid == record.keyid else None)
    assert signer.keyid == "pays-test:k1"


def test_join_stores_a_pending_node_with_its_keys_idempotently(client: FlaskClient) -> None:
    first = join(client, "neuwiller")
    assert (first.status_code, first.get_json()) == (202, {"status": "pending"})
    assert first.headers["Signature"] and first.mimetype in JSON_TYPES
    again = join(client, "neuwiller")
    assert (again.status_code, again.get_json()) == (202, {"status": "pending"})
    peer = db.session.scalars(select(Peer).where(Peer.node_id == "neuwiller")).one()
    assert peer.status == "pending"
    assert peer.key_fingerprint == fingerprint(village_key("neuwiller").public_key)
    assert [row.keyid for row in db.session.scalars(select(PeerKey))] == ["neuwiller:k1"]


def test_a_taken_node_id_or_name_is_node_id_taken(client: FlaskClient) -> None:
    assert join(client, "neuwiller").status_code == 202
    other_key = village_key("neuwiller", 2)
    taken = join(client, "neuwiller", other_key)
    assert (taken.status_code, taken.get_json()["error"]) == (409, "node_id_taken")
    same_name = join(client, "dossenheim", name="Tiers-lieu de Neuwiller")
    assert (same_name.status_code, same_name.get_json()["error"]) == (409, "node_id_taken")
    assert db.session.scalar(select(func.count()).select_from(PeerKey)) == 1


def test_a_pending_or_refused_node_is_refused_everywhere_but_join(client: FlaskClient) -> None:
    key = village_key("neuwiller")
    join(client, "neuwiller")
    for method, path in (("GET", "/federation/network"), ("POST", "/federation/inbox")):
        answer = send(client, method, path, {"records": []} if method == "POST" else None,
                      key=key)
        assert (answer.status_code, answer.get_json()["error"]) == (403, "key_not_usable")
    refuse_node("neuwiller", by="test")
    answer = send(client, "GET", "/federation/network", key=key)
    assert (answer.status_code, answer.get_json()["error"]) == (403, "key_not_usable")
    unknown = send(client, "GET", "/federation/network", key=village_key("inconnu"))
    assert (unknown.status_code, unknown.get_json()["error"]) == (401, "key_unknown")


def test_admission_makes_keys_usable_and_suspension_refuses_them(client: FlaskClient) -> None:
    key = village_key("neuwiller")
    join(client, "neuwiller")
    admit_node("neuwiller", by="test")
    answer = send(client, "GET", "/federation/network", key=key)
    assert answer.status_code == 200 and answer.headers["Signature"]
    suspend_node("neuwiller", by="test")
    answer = send(client, "GET", "/federation/network", key=key)
    assert (answer.status_code, answer.get_json()["error"]) == (403, "key_not_usable")


def test_rotation_signed_with_the_stored_key(client: FlaskClient) -> None:
    old, new = village_key("neuwiller"), village_key("neuwiller", 2)
    join(client, "neuwiller", old)
    admit_node("neuwiller", by="test")
    grace = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    document = village_document("neuwiller", [new, old], retiring={old.keyid: grace})
    # Signed only by the new key: not a rotation.
    refused = send(client, "POST", "/federation/join", document, key=new)
    assert (refused.status_code, refused.get_json()["error"]) == (409, "node_id_taken")
    rotated = send(client, "POST", "/federation/join", document, key=old)
    assert rotated.status_code == 200, rotated.get_json()
    rows = {row.keyid: row for row in db.session.scalars(select(PeerKey))}
    assert rows[new.keyid].status == "active" and rows[old.keyid].status == "retiring"
    assert rows[old.keyid].grace_until is not None
    assert send(client, "GET", "/federation/network", key=new).status_code == 200
    assert send(client, "GET", "/federation/network", key=old).status_code == 200
    # Past its grace, the old key is refused.
    rows[old.keyid].grace_until = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    late = send(client, "GET", "/federation/network", key=old)
    assert (late.status_code, late.get_json()["error"]) == (403, "key_not_usable")
    # A later document without the old key revokes it.
    send(client, "POST", "/federation/join", village_document("neuwiller", [new]), key=new)
    db.session.expire_all()
    revoked = db.session.get(PeerKey, old.keyid)
    assert revoked is not None and revoked.status == "revoked"


def test_gate_refusals_store_nothing(pays: Flask, client: FlaskClient) -> None:
    key = village_key("neuwiller")
    join(client, "neuwiller")
    admit_node("neuwiller", by="test")
    nonces = db.session.scalar(select(func.count()).select_from(SeenNonce))
    unsigned = client.get("/federation/network")
    assert (unsigned.status_code, unsigned.get_json()["error"]) == (401, "signature_missing")
    old = send(client, "GET", "/federation/network", key=key, now=utc_now() - 400)
    assert old.get_json()["error"] == "created_too_old"
    body = b'{"records":[]}'
    tampered = send(client, "POST", "/federation/inbox", body=body, key=key,
                    headers={"Content-Digest": "sha-256=:AAAA:"})
    assert tampered.status_code in (400, 401)
    assert db.session.scalar(select(func.count()).select_from(SeenNonce)) == nonces
    # Replaying an accepted request is refused.
    headers = sign_request("GET", ORIGIN + "/federation/network", {}, b"", key=key,
                           now=utc_now())
    assert client.get("/federation/network", headers=headers).status_code == 200
    replay = client.get("/federation/network", headers=headers)
    assert (replay.status_code, replay.get_json()["error"]) == (401, "nonce_replayed")
    # Signed for another receiver.
    elsewhere = sign_request("GET", "http://autre.test/federation/network", {}, b"", key=key,
                             now=utc_now())
    wrong = client.get("/federation/network", headers=elsewhere)
    assert wrong.status_code == 401


def test_oversized_bodies_are_refused_before_verification(client: FlaskClient) -> None:
    big = b'{"records":[' + b" " * (1024 * 1024) + b"]}"
    answer = send(client, "POST", "/federation/inbox", body=big, key=village_key("neuwiller"))
    assert (answer.status_code, answer.get_json()["error"]) == (413, "payload_too_large")
    document = village_document("neuwiller", [village_key("neuwiller")])
    document["padding"] = "x" * 70_000
    joined = send(client, "POST", "/federation/join", document, key=village_key("neuwiller"))
    assert joined.status_code == 413
    assert db.session.scalar(select(func.count()).select_from(Peer).where(
        Peer.node_id == "neuwiller")) == 0


def test_rate_limit_per_node_answers_429_with_retry_after(tmp_path: Path) -> None:
    app = build_directory(tmp_path, PUBLIC_URL=ORIGIN, RATELIMIT_ENABLED=True,
                          FEDERATION_RATE_LIMIT="2 per minute")
    with app.app_context():
        create_identity("pays-test")
        db.session.commit()
        client = app.test_client()
        key = village_key("neuwiller")
        join(client, "neuwiller")
        admit_node("neuwiller", by="test")
        statuses = [send(client, "GET", "/federation/network", key=key) for _ in range(3)]
        assert [answer.status_code for answer in statuses][-1] == 429
        assert statuses[-1].get_json()["error"] == "rate_limited"
        assert int(statuses[-1].headers["Retry-After"]) >= 1
        db.engine.dispose()


def test_cli_pull_once_and_nodes_list_show_the_candidates_fingerprint(
        pays: Flask, client: FlaskClient) -> None:
    join(client, "neuwiller")
    runner = pays.test_cli_runner()
    listing = runner.invoke(args=["nodes", "list"])
    expected = fingerprint(village_key("neuwiller").public_key)
    assert f"neuwiller\tpending\tTiers-lieu de Neuwiller\t-\t{expected}" in listing.output
    admitted = runner.invoke(args=["nodes", "admit", "neuwiller"])
    assert admitted.exit_code == 0 and expected in admitted.output
    db.session.execute(db.delete(Peer).where(Peer.node_id.like("https://%")))
    db.session.commit()
    pulled = runner.invoke(args=["federation", "pull", "--once"])
    # The candidate's base_url is not reachable (https://neuwiller.example is not public
    # DNS in tests): one node read, its failure named, exit status 1.
    assert "1 nœud(s) lu(s)" in pulled.output and "échec neuwiller" in pulled.output
    assert pulled.exit_code == 1
