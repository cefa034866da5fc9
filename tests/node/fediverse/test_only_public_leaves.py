"""The scan: every activity the village ever stores for sending, and every document it
serves to the fediverse, holds public content only. Members, community and network
rencontres, venues' private notes: none of it may appear, whatever happens to them."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from sqlalchemy import select

from federation.activitypub import store, vocabulary
from node.extensions import db
from node.models import Event, Member, Visibility, fediverse_tables
from node.services import events
from tests.conftest import MEMBER_EMAIL
from tests.node.events.support import add_event, add_venue
from tests.node.fediverse.test_site import activities

SECRETS = ["Réunion secrète du bureau", "Ordre du jour confidentiel", "Sortie du réseau",
           "06 12 34 56 78", "camille.perso@example.org", "Bio très personnelle",
           "Accès par le code 1234", MEMBER_EMAIL, "Camille Testeuse", "12345678901234"]


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


def _scan(documents: list[dict[str, Any]]) -> None:
    text = json.dumps(documents, ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text, secret
    for document in documents:
        for item in _strings(document):
            assert "Réunion secrète" not in item


def test_nothing_but_public_content_leaves(fedi_app: Flask) -> None:
    with fedi_app.test_request_context():
        member = db.session.scalars(select(Member).where(
            Member.contact_email == "")).first() or db.session.scalars(select(Member)).first()
        assert member is not None
        member.bio, member.phone = "Bio très personnelle", "06 12 34 56 78"
        member.contact_email, member.siret = "camille.perso@example.org", "12345678901234"
        member.visibility_about = Visibility.COMMUNITY
        member.visibility_contact = Visibility.PRIVATE
        venue = add_venue("La Grange", accessibility="Accès par le code 1234")
        public = add_event("Café des indépendants", visibility=Visibility.PUBLIC,
                           venue_id=venue.id)
        secret = add_event("Réunion secrète du bureau", visibility=Visibility.COMMUNITY,
                           description="Ordre du jour confidentiel")
        network = add_event("Sortie du réseau", visibility=Visibility.NETWORK)
        # Every kind of change, to both kinds of rencontre.
        for event in (public, secret, network):
            event.description = event.description + " (mis à jour)"
        db.session.commit()
        secret.capacity = 12
        network.visibility = Visibility.COMMUNITY
        db.session.commit()
        events.cancel_event(public)
        db.session.commit()
        again = add_event("Marché des savoir-faire", visibility=Visibility.PUBLIC,
                          venue_id=venue.id)
        events.delete_event(secret)
        db.session.commit()
        again_uuid = again.uuid
        public_uuid = public.uuid
    stored = activities(fedi_app)
    assert {a["type"] for a in stored} == {"Create", "Update", "Delete"}
    for activity in stored:
        assert vocabulary.PUBLIC in activity["to"]
        obj = activity["object"]
        if isinstance(obj, str):  # announced, then withdrawn: only its id is kept
            assert activity["type"] in ("Create", "Update")
        elif obj["type"] == "Event":
            assert obj["name"] in ("Café des indépendants", "Marché des savoir-faire")

    client = fedi_app.test_client()
    served: list[dict[str, Any]] = []
    for path in ("/ap/actor", "/ap/outbox", "/ap/outbox?page=true", "/ap/followers",
                 "/nodeinfo/2.1", "/.well-known/nodeinfo",
                 "/.well-known/webfinger?resource=acct:sparsbach@node.test",
                 f"/ap/events/{again_uuid}", f"/ap/events/{public_uuid}"):
        response = client.get(path)
        assert response.status_code in (200, 410), path
        served.append(json.loads(response.data))
    with fedi_app.app_context():
        for event in db.session.scalars(select(Event)):
            response = client.get(f"/ap/events/{event.uuid}")
            if event.visibility != Visibility.PUBLIC or event.cancelled:
                assert response.status_code in (404, 410)
        pending = [due.body for due in store.due_deliveries(
            db.session.connection(), fediverse_tables, 2**40, 1000)]
    _scan(stored + served + [json.loads(body) for body in pending])
