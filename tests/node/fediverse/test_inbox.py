"""The inbox through the real view, with a remote key already known (no network): every
refusal answers 401/403 and changes nothing; Undo and Delete of an account forget it."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from federation.activitypub import signatures, store
from node.extensions import db
from node.models import fediverse_tables

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
