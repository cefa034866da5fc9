"""The inbox through the real view, with a remote key already known (no network): every
refusal answers 401/403 and changes nothing; Undo and Delete of an account forget it."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from federation.activitypub import signatures, store
from node.extensions import db
from node.models import fediverse_tables
from node.peering.identity import create_identity
from tests.conftest import build_node

ADA = "https://mastodon.example/users/ada"
KEY_ID = f"{ADA}#main-key"
KEY = signatures.generate_rsa_key()
INBOX = "http://node.test/ap/inbox"


def _know_ada(app: Flask) -> None:
    with app.app_context():
        store.store_key(db.session.connection(), fediverse_tables, KEY_ID, ADA,
                        signatures.public_key_pem(KEY), int(time.time()))
        db.session.commit()


def _post(client: FlaskClient, activity: dict[str, object], when: datetime | None = None,
          body: bytes | None = None) -> tuple[int, dict[str, object] | None]:
    raw = json.dumps(activity).encode()
    headers = signatures.sign_request("POST", INBOX, raw, KEY_ID, KEY, when or datetime.now(UTC))
    headers["Content-Type"] = "application/activity+json"
    response = client.post("/ap/inbox", data=body if body is not None else raw,
                           headers={k: v for k, v in headers.items() if k != "Host"})
    return response.status_code, response.get_json(silent=True)


def _followers(app: Flask) -> list[str]:
    with app.app_context():
        return store.follower_ids(db.session.connection(), fediverse_tables)


def test_refusals_change_nothing(fedi_app: Flask) -> None:
    _know_ada(fedi_app)
    client = fedi_app.test_client()
    undo = {"id": f"{ADA}/undo/1", "type": "Undo", "actor": ADA,
            "object": {"type": "Follow", "actor": ADA, "object": "http://node.test/ap/actor"}}
    status, answer = _post(client, undo, body=json.dumps({**undo, "id": "changed"}).encode())
    assert (status, answer and answer["error"]) == (401, "digest_mismatch")
    status, answer = _post(client, undo, when=datetime.now(UTC) - timedelta(hours=3))
    assert (status, answer and answer["error"]) == (401, "date_too_old")
    status, answer = _post(client, {**undo, "actor": "https://mastodon.example/users/bob"})
    assert status == 403 and answer and answer["error"] == "actor_mismatch"
    assert len(_followers(fedi_app)) == 3


def test_undo_and_account_deletion_forget_the_follower(fedi_app: Flask) -> None:
    _know_ada(fedi_app)
    client = fedi_app.test_client()
    status, _ = _post(client, {"id": f"{ADA}#delete", "type": "Delete", "actor": ADA,
                               "object": ADA})
    assert status == 202 and ADA not in _followers(fedi_app)
    with fedi_app.app_context():
        store.add_follower(db.session.connection(), fediverse_tables, ADA,
                           "https://mastodon.example/inbox", int(time.time()))
        db.session.commit()
    status, _ = _post(client, {"id": f"{ADA}/undo/2", "type": "Undo", "actor": ADA,
                               "object": {"type": "Follow", "actor": ADA,
                                          "object": "http://node.test/ap/actor"}})
    assert status == 202 and ADA not in _followers(fedi_app)
    status, _ = _post(client, {"id": f"{ADA}/like/1", "type": "Like", "actor": ADA,
                               "object": "http://node.test/ap/events/x"})
    assert status == 202  # understood, nothing to do


def _rfc9421_post(client: FlaskClient, activity: dict[str, object],
                  tamper: bool = False) -> tuple[int, dict[str, object] | None]:
    """Signed by http_message_signatures' own signer (RSA v1.5 SHA-256), as newer Mastodon
    does: ("@method" "@target-uri" "content-digest")."""
    import requests
    from http_message_signatures import (
        HTTPMessageSigner,
        HTTPSignatureKeyResolver,
        algorithms,
    )

    class Keys(HTTPSignatureKeyResolver):  # type: ignore[misc]
        def resolve_private_key(self, key_id: str) -> object:
            return KEY

        def resolve_public_key(self, key_id: str) -> object:
            return KEY.public_key()

    raw = json.dumps(activity).encode()
    prepared = requests.Request("POST", INBOX, data=raw, headers={
        "Content-Type": "application/activity+json"}).prepare()
    HTTPMessageSigner(signature_algorithm=algorithms.RSA_V1_5_SHA256,
                      key_resolver=Keys()).sign(
        prepared, key_id=KEY_ID, created=datetime.now(UTC),
        covered_component_ids=("@method", "@target-uri", "content-digest"), body=raw)
    headers = {k: v for k, v in prepared.headers.items() if k.lower() != "content-length"}
    data = raw.replace(b"Undo", b"Like") if tamper else raw
    response = client.post("/ap/inbox", data=data, headers=headers)
    return response.status_code, response.get_json(silent=True)


def test_rfc9421_signatures_are_accepted_too(fedi_app: Flask) -> None:
    _know_ada(fedi_app)
    client = fedi_app.test_client()
    undo = {"id": f"{ADA}/undo/3", "type": "Undo", "actor": ADA,
            "object": {"type": "Follow", "actor": ADA, "object": "http://node.test/ap/actor"}}
    status, answer = _rfc9421_post(client, undo, tamper=True)
    assert status == 401 and ADA in _followers(fedi_app)
    status, _ = _rfc9421_post(client, undo)
    assert status == 202 and ADA not in _followers(fedi_app)


def test_the_inbox_refuses_a_flood_before_checking_signatures(tmp_path: Path) -> None:
    """Posts beyond the limit get 429 with Retry-After, not one more signature check."""
    app = build_node(tmp_path, FEDERATION_ALLOW_PRIVATE=True, RATELIMIT_ENABLED=True,
                     FEDIVERSE_INBOX_RATE_LIMIT="3 per minute")
    with app.app_context():
        create_identity("sparsbach")
        db.session.commit()
    client = app.test_client()
    answers = [client.post("/ap/inbox", data=b'{"type": "Follow"}',
                           content_type="application/activity+json",
                           environ_base={"REMOTE_ADDR": "203.0.113.7"}) for _ in range(4)]
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert answers[3].get_json()["error"] == "rate_limited"
    assert int(answers[3].headers["Retry-After"]) >= 1
    # Another address is not held back by the first one's flood.
    other = client.post("/ap/inbox", data=b'{"type": "Follow"}',
                        content_type="application/activity+json",
                        environ_base={"REMOTE_ADDR": "203.0.113.8"})
    assert other.status_code == 401
