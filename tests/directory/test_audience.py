"""« Réseau » on the Pays site: anonymous visitors see and find only the public part of what
nodes share; the network copy served to the villages keeps the rest."""

from __future__ import annotations

import uuid

from flask import Flask
from sqlalchemy import select

from directory.extensions import db
from directory.models import Record
from directory.services.aggregation import apply_batch
from directory.services.audience import Audience, public_part, visible_part
from tests.directory.conftest import SPARSBACH, envelope, event_payload, listing, member

HIDDEN = ("06 11 22 33 44", "lea@reseau.example", "Restauratrice discrète", "Sous-sol",
          "Bastien Réseau", "Soirée du réseau")


def seed() -> str:
    lea, bastien = str(uuid.uuid4()), str(uuid.uuid4())
    apply_batch(SPARSBACH, [
        envelope("member", member("Léa Publique", trade="Ébéniste", phone="06 11 22 33 44",
                                   contact_email="lea@reseau.example",
                                   bio="Restauratrice discrète",
                                   network=("phone", "contact_email", "bio")), record_id=lea),
        envelope("member", member("Bastien Réseau", trade="Graveur", network=("display_name",)),
                 record_id=bastien),
        envelope("listing", listing("Prête un rabot", lea)),
        envelope("listing", listing("Sous-sol à partager", bastien, public=False)),
        envelope("event", event_payload("Soirée du réseau", public=False)),
        envelope("event", event_payload("Marché des artisans")),
    ])
    return lea


def test_unmarked_payloads_are_for_the_network_only() -> None:
    assert public_part("member", {"display_name": "Ancien nœud", "phone": "06"}) is None
    assert public_part("listing", {"kind": "offer", "title": "x"}) is None
    assert public_part("event", {"title": "x", "starts_at": "2026-01-01T00:00:00Z"}) is None
    assert public_part("member", {"display_name": "A", "phone": "06",
                                  "public": ["display_name"]}) == {"display_name": "A"}
    network = visible_part(Audience.network(), "member", {"display_name": "A", "phone": "06",
                                                          "public": []})
    assert network == {"display_name": "A", "phone": "06"}


def test_anonymous_pages_and_api_show_and_find_only_public_parts(any_db_app: Flask) -> None:
    """On SQLite and on PostgreSQL: each has its own full-text index, and neither may find a
    member by a word of their network-only fields."""
    client = any_db_app.test_client()
    seed()
    bodies = [client.get(path).get_data(as_text=True) for path in (
        "/annuaire", "/annuaire?q=discrete", "/annuaire?q=graveur", "/offres-et-besoins",
        "/agenda", "/agenda.ics", "/statistiques", "/api/v1/search", "/api/v1/listings",
        "/api/v1/events", "/api/v1/statistics", "/api/v1/search?q=bastien")]
    assert not [value for body in bodies for value in HIDDEN if value in body]
    found = client.get("/api/v1/search").get_json()["items"]
    assert [item["display_name"] for item in found] == ["Léa Publique"]
    assert found[0]["phone"] == "" and found[0]["trade"] == "Ébéniste"
    assert client.get("/api/v1/search?q=discrete").get_json()["total"] == 0
    assert [i["title"] for i in client.get("/api/v1/listings").get_json()["items"]] \
        == ["Prête un rabot"]
    assert [i["title"] for i in client.get("/api/v1/events").get_json()["items"]] \
        == ["Marché des artisans"]


def test_the_stored_records_keep_network_fields_for_the_network_copy(app: Flask) -> None:
    """The network copy is built from the records as received (the end-to-end test
    tests/federation_e2e/test_pays_network.py reads it on a village)."""
    seed()
    stored = repr(list(db.session.scalars(select(Record.payload))))
    assert [value for value in HIDDEN if value not in stored] == []
