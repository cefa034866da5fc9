"""The village on the fediverse, in-process: discovery, the publishing hook, the outbox."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from sqlalchemy import select

from federation.activitypub import store
from node.extensions import db
from node.models import Event, Visibility, fediverse_tables
from node.services import events
from tests.node.events.support import add_event

SCHEMA = Path(__file__).parents[2] / "federation" / "activitypub" / "nodeinfo-2.1.schema.json"


def activities(app: Flask) -> list[dict[str, Any]]:
    with app.app_context():
        return store.all_bodies(db.session.connection(), fediverse_tables)


def deliveries(app: Flask) -> list[tuple[str, str]]:
    t = fediverse_tables
    with app.app_context():
        rows = db.session.execute(select(t.activity.c.kind, t.delivery.c.inbox)
                                  .join(t.delivery, t.delivery.c.activity == t.activity.c.id)
                                  .order_by(t.delivery.c.id))
        return [(kind, inbox) for kind, inbox in rows]


def test_webfinger_actor_and_key(fedi_app: Flask) -> None:
    client = fedi_app.test_client()
    found = client.get("/.well-known/webfinger?resource=acct:sparsbach@node.test")
    assert found.status_code == 200
    assert found.mimetype == "application/jrd+json"
    assert found.json["links"][0]["href"] == "http://node.test/ap/actor"
    assert client.get("/.well-known/webfinger?resource=acct:westhouse@node.test"
                      ).status_code == 404
    missing = client.get("/.well-known/webfinger")
    assert missing.status_code == 400 and "resource" in missing.json["message"]
    actor = client.get("/ap/actor")
    assert actor.mimetype == "application/activity+json"
    document = json.loads(actor.data)
    assert document["type"] == "Group" and document["preferredUsername"] == "sparsbach"
    key = serialization.load_pem_public_key(document["publicKey"]["publicKeyPem"].encode())
    assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048
    path = Path(fedi_app.instance_path) / "keys" / "activitypub-rsa.pem"
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert json.loads(client.get("/ap/actor").data)["publicKey"] == document["publicKey"]


def test_nodeinfo_is_valid_and_reveals_no_membership(fedi_app: Flask) -> None:
    client = fedi_app.test_client()
    link = client.get("/.well-known/nodeinfo").json["links"][0]["href"]
    assert link == "http://node.test/nodeinfo/2.1"
    document = json.loads(client.get("/nodeinfo/2.1").data)
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(document)
    assert "activitypub" in document["protocols"]
    assert document["usage"]["users"]["total"] == 1  # two accounts exist; the Group is one


def test_create_update_delete_one_post_per_server(fedi_app: Flask) -> None:
    client = fedi_app.test_client()
    with fedi_app.test_request_context():
        uuid = add_event("Café des indépendants", visibility=Visibility.PUBLIC).uuid
        add_event("Réunion des membres", visibility=Visibility.COMMUNITY)
    assert deliveries(fedi_app) == [("Create", "https://mastodon.example/inbox"),
                                    ("Create", "https://mobilizon.example/inbox")]
    event = json.loads(client.get(f"/ap/events/{uuid}").data)
    assert event["type"] == "Event" and event["name"] == "Café des indépendants"
    with fedi_app.test_request_context():
        row = db.session.scalars(select(Event).where(Event.uuid == uuid)).one()
        row.title = "Café des indépendants (salle du haut)"
        db.session.commit()
        row.visibility = Visibility.COMMUNITY
        db.session.commit()
        row.visibility = Visibility.PUBLIC
        db.session.commit()
        events.cancel_event(row)
        db.session.commit()
    assert [a["type"] for a in activities(fedi_app)] == ["Create", "Update", "Delete",
                                                         "Create", "Delete"]
    gone = client.get(f"/ap/events/{uuid}")
    assert gone.status_code == 410 and gone.json["type"] == "Tombstone"
    with fedi_app.test_request_context():
        private = add_event("Réunion", visibility=Visibility.NETWORK).uuid
    assert client.get(f"/ap/events/{private}").status_code == 404


def test_deleting_an_unpublished_event_says_nothing(fedi_app: Flask) -> None:
    with fedi_app.test_request_context():
        event = add_event("Réunion des membres", visibility=Visibility.COMMUNITY)
        events.delete_event(event)
        db.session.commit()
    assert activities(fedi_app) == []


def test_outbox_is_paged_newest_first(fedi_app: Flask) -> None:
    with fedi_app.test_request_context():
        for number in range(23):
            add_event(f"Rencontre {number}", visibility=Visibility.PUBLIC)
    client = fedi_app.test_client()
    outbox = json.loads(client.get("/ap/outbox").data)
    assert outbox["type"] == "OrderedCollection" and outbox["totalItems"] == 23
    first = json.loads(client.get(outbox["first"].removeprefix("http://node.test")).data)
    assert len(first["orderedItems"]) == 20
    assert first["orderedItems"][0]["object"]["name"] == "Rencontre 22"
    second = json.loads(client.get(first["next"].removeprefix("http://node.test")).data)
    assert [a["object"]["name"] for a in second["orderedItems"]] == [
        "Rencontre 2", "Rencontre 1", "Rencontre 0"]
    assert "next" not in second
    assert client.get("/ap/outbox?page=true&avant=abc").status_code == 400
    followers = json.loads(client.get("/ap/followers").data)
    assert followers["totalItems"] == 3 and "orderedItems" not in followers


def test_rencontres_page_shows_the_handle_to_follow(fedi_app: Flask) -> None:
    page = fedi_app.test_client().get("/rencontres").get_data(as_text=True)
    assert "@sparsbach@node.test" in page


def test_a_new_presentation_reaches_followers_as_update_of_the_group(fedi_app: Flask) -> None:
    from node.models import Community

    with fedi_app.test_request_context():
        community = db.session.scalars(select(Community)).one()
        community.description = "Nouvelle présentation du tiers-lieu."
        db.session.commit()
    [update] = activities(fedi_app)
    assert update["type"] == "Update" and update["object"]["type"] == "Group"
    assert "Nouvelle présentation" in update["object"]["summary"]
    assert "BEGIN PUBLIC KEY" in update["object"]["publicKey"]["publicKeyPem"]
    assert deliveries(fedi_app) == [("Update", "https://mastodon.example/inbox"),
                                    ("Update", "https://mobilizon.example/inbox")]
    outbox = json.loads(fedi_app.test_client().get("/ap/outbox").data)
    assert outbox["totalItems"] == 0  # the outbox lists rencontres only
