"""The Pays as a fediverse Group: the villages' public rencontres only, in one account."""

from __future__ import annotations

import json
import time

from flask import Flask
from flask.testing import FlaskClient

from directory.extensions import db
from directory.models import DirectoryIdentity, fediverse_tables
from directory.services.aggregation import apply_batch
from federation.activitypub import store, vocabulary
from tests.directory.conftest import SPARSBACH, WESTHOUSE, envelope, event_payload

PUBLIC_ID = "0f8e2b1c-5a4d-4e3f-9b2a-7c6d5e4f3a2b"


def _identity_and_follower() -> None:
    db.session.add(DirectoryIdentity(node_id="pays-saverne", current_keyid="pays-saverne:k1"))
    store.add_follower(db.session.connection(), fediverse_tables,
                       "https://mobilizon.example/@agenda", "https://mobilizon.example/inbox",
                       int(time.time()))
    db.session.commit()


def _activities() -> list[dict[str, object]]:
    return store.all_bodies(db.session.connection(), fediverse_tables)


def test_the_pays_is_followable(app: Flask, client: FlaskClient) -> None:
    assert client.get("/ap/actor").status_code == 404  # no identity yet: nobody to follow
    _identity_and_follower()
    found = client.get("/.well-known/webfinger?resource=acct:pays-saverne@pays.test")
    assert found.status_code == 200 and found.json["links"][0]["href"] == "http://pays.test/ap/actor"
    actor = json.loads(client.get("/ap/actor").data)
    assert actor["type"] == "Group" and actor["name"] == "Pays de Saverne, Plaine et Plateau"
    assert "BEGIN PUBLIC KEY" in actor["publicKey"]["publicKeyPem"]
    assert json.loads(client.get("/nodeinfo/2.1").data)["openRegistrations"] is False


def test_only_public_rencontres_of_the_villages_go_out(app: Flask, client: FlaskClient) -> None:
    _identity_and_follower()
    unmarked = event_payload("Sans mention")
    del unmarked["public"]  # the test payloads are public unless told otherwise
    apply_batch(SPARSBACH, [
        envelope("event", event_payload("Café des indépendants", public=True,
                                         venue_name="La Grange", commune_code="67475",
                                         url="https://sparsbach.example/rencontres/1"),
                 record_id=PUBLIC_ID),
        envelope("event", event_payload("Réunion du réseau", public=False)),
        envelope("event", unmarked),  # an older node: not public
    ])
    apply_batch(WESTHOUSE, [envelope("event", event_payload("Soirée graphisme", public=True),
                                     origin=WESTHOUSE)])
    created = _activities()
    assert sorted(a["object"]["name"] for a in created) == [  # type: ignore[index]
        "Café des indépendants", "Soirée graphisme"]
    event = json.loads(client.get(f"/ap/events/{PUBLIC_ID}").data)
    assert event["location"]["address"]["addressLocality"] == "Sparsbach"
    assert isinstance(event["location"]["latitude"], float)
    assert event["url"] == "https://sparsbach.example/rencontres/1"
    assert "Tiers-lieu de Sparsbach" in event["content"]
    text = json.dumps(created, ensure_ascii=False)
    assert "Réunion du réseau" not in text and "Sans mention" not in text

    apply_batch(SPARSBACH, [envelope("event", event_payload(
        "Café des indépendants", public=True, cancelled=True), record_id=PUBLIC_ID, version=2)])
    kinds = [a["type"] for a in _activities()]
    assert kinds[-1] == "Delete"
    gone = client.get(f"/ap/events/{PUBLIC_ID}")
    assert gone.status_code == 410 and gone.json["formerType"] == "Event"
    outbox = json.loads(client.get("/ap/outbox").data)
    # The cancelled rencontre's Create left the outbox and kept no word of it; its Delete and
    # the other village's Create remain.
    assert outbox["totalItems"] == 2
    assert "La Grange" not in json.dumps(_activities(), ensure_ascii=False)
    for activity in _activities():
        assert vocabulary.PUBLIC in activity["to"]  # type: ignore[operator]


def test_a_suspended_village_leaves_the_fediverse(app: Flask, client: FlaskClient) -> None:
    from directory.services.peers import reinstate_node, suspend_node

    _identity_and_follower()
    apply_batch(SPARSBACH, [envelope("event", event_payload("Café", public=True),
                                     record_id=PUBLIC_ID)])
    suspend_node(SPARSBACH, by="test")
    assert [a["type"] for a in _activities()] == ["Create", "Delete"]
    assert client.get(f"/ap/events/{PUBLIC_ID}").status_code == 410
    reinstate_node(SPARSBACH, by="test")
    assert [a["type"] for a in _activities()] == ["Create", "Delete", "Create"]
    assert client.get(f"/ap/events/{PUBLIC_ID}").status_code == 200
