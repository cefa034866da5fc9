"""Golden tests: the Event object obeys each importer's rules (Mastodon, Mobilizon, Gancio,
FEP-8a8e), and NodeInfo validates against the 2.1 schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema

from federation.activitypub import vocabulary
from federation.activitypub.vocabulary import Actor, Place, PublicEvent

ACTOR = Actor(
    id="https://sparsbach.example/ap/actor", username="sparsbach", host="sparsbach.example",
    name="Tiers-lieu de Sparsbach", summary="Rencontres d'indépendants.\n\nBienvenue.",
    profile_url="https://sparsbach.example/", icon_url="https://sparsbach.example/icon.svg",
    public_key_pem="-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n",
    inbox="https://sparsbach.example/ap/inbox", outbox="https://sparsbach.example/ap/outbox",
    followers="https://sparsbach.example/ap/followers",
    shared_inbox="https://sparsbach.example/ap/inbox")
EVENT = PublicEvent(
    id="https://sparsbach.example/ap/events/0f8e", url="https://sparsbach.example/rencontres/0f8e",
    uuid="0f8e", title="Café des indépendants <3",
    description="Apportez vos questions & vos outils.\n\nSoupe offerte.",
    starts_at=datetime(2026, 7, 12, 16, 0, tzinfo=UTC),
    ends_at=datetime(2026, 7, 12, 18, 0, tzinfo=UTC),
    when="dimanche 12 juillet 2026, 18 h 00 – 20 h 00",
    place=Place("La Grange", "3 rue de l'Église", "Sparsbach", 48.866, 7.413),
    published=datetime(2026, 6, 1, tzinfo=UTC), updated=datetime(2026, 6, 2, tzinfo=UTC),
    capacity=20)
#: Mobilizon's built-in categories (its « Categories » list); anything else becomes MEETING.
MOBILIZON_CATEGORIES = {
    "ARTS", "BOOK_CLUBS", "BUSINESS", "CAUSES", "COMEDY", "CRAFTS", "FOOD_DRINK", "HEALTH",
    "MUSIC", "AUTO_BOAT_AIR", "COMMUNITY", "FAMILY_EDUCATION", "FASHION_BEAUTY",
    "FILM_MEDIA", "GAMES", "LANGUAGE_CULTURE", "LEARNING", "LGBTQ", "MOVEMENTS_POLITICS",
    "NETWORKING", "PARTY", "PERFORMING_VISUAL_ARTS", "PETS", "PHOTOGRAPHY",
    "OUTDOORS_ADVENTURE", "SPIRITUALITY_RELIGION_BELIEFS", "SCIENCE_TECH", "SPORTS",
    "THEATRE", "MEETING"}
SCHEMA = Path(__file__).with_name("nodeinfo-2.1.schema.json")


def event() -> dict[str, Any]:
    return vocabulary.event_object(EVENT, ACTOR)


def test_mastodon_sees_date_place_and_link_in_summary() -> None:
    """Mastodon renders an Event as name + summary only."""
    data = event()
    assert data["name"] == "Café des indépendants <3"
    summary = data["summary"]
    assert "dimanche 12 juillet 2026, 18 h 00" in summary
    assert "La Grange, Sparsbach" in summary
    assert 'href="https://sparsbach.example/rencontres/0f8e"' in summary
    assert "<3" not in summary.replace("&lt;3", "")  # text is escaped HTML


def test_mobilizon_rules() -> None:
    data = event()
    assert data["category"] in MOBILIZON_CATEGORIES and data["category"].isupper()
    assert vocabulary.PUBLIC in data["to"]
    location = data["location"]
    assert isinstance(location["latitude"], float) and isinstance(location["longitude"], float)
    assert location["address"]["type"] == "PostalAddress"
    assert all(isinstance(item.get("name"), str) and item["name"]
               for item in data["attachment"])
    assert data["attributedTo"] == ACTOR.id
    assert data["externalParticipationUrl"] == EVENT.url
    assert data["status"] == "CONFIRMED"


def test_gancio_rules() -> None:
    data = event()
    assert isinstance(data["attachment"], list)
    assert all(item.get("mediaType") for item in data["attachment"])
    without_place = vocabulary.event_object(
        PublicEvent(**{**EVENT.__dict__, "place": None}), ACTOR)
    assert isinstance(without_place["attachment"], list)
    assert "location" not in without_place


def test_fep_8a8e_fields() -> None:
    data = event()
    assert data["type"] == "Event"
    assert data["startTime"] == "2026-07-12T18:00:00+02:00"  # local time with its offset
    assert data["endTime"] == "2026-07-12T20:00:00+02:00"
    assert data["timezone"] == "Europe/Paris"
    assert data["location"]["type"] == "Place"
    assert data["location"]["address"] == {
        "type": "PostalAddress", "streetAddress": "3 rue de l'Église",
        "addressLocality": "Sparsbach", "addressCountry": "FR"}
    assert data["eventStatus"] == "EventScheduled"
    assert data["content"] == ("<p>Apportez vos questions &amp; vos outils.</p>"
                               "<p>Soupe offerte.</p>")


def test_delete_carries_a_tombstone_of_an_event() -> None:
    moment = datetime(2026, 7, 1, tzinfo=UTC)
    body = vocabulary.activity("Delete", "https://sparsbach.example/activities/1", ACTOR,
                               vocabulary.tombstone(EVENT.id, moment), moment)
    assert body["object"] == {"id": EVENT.id, "type": "Tombstone", "formerType": "Event",
                              "deleted": "2026-07-01T00:00:00Z"}
    assert body["to"] == [vocabulary.PUBLIC]


def test_actor_is_a_group_with_key_and_shared_inbox() -> None:
    data = vocabulary.actor_document(ACTOR)
    assert data["type"] == "Group"
    assert data["publicKey"] == {"id": ACTOR.id + "#main-key", "owner": ACTOR.id,
                                 "publicKeyPem": ACTOR.public_key_pem}
    assert data["endpoints"]["sharedInbox"] == ACTOR.shared_inbox
    for field in ("inbox", "outbox", "followers", "icon", "name", "summary", "url"):
        assert data[field]
    finger = vocabulary.webfinger(ACTOR)
    assert finger["subject"] == "acct:sparsbach@sparsbach.example"
    assert {"rel": "self", "type": "application/activity+json", "href": ACTOR.id} \
        in finger["links"]


def test_accept_embeds_the_follow() -> None:
    follow = {"id": "https://m.example/f/1", "type": "Follow", "actor": "https://m.example/u",
              "object": ACTOR.id, "extra": "dropped"}
    accept = vocabulary.accept("https://sparsbach.example/activities/2", ACTOR, follow)
    assert accept["object"] == {k: v for k, v in follow.items() if k != "extra"}
    assert accept["type"] == "Accept" and accept["actor"] == ACTOR.id


def test_nodeinfo_validates_against_the_2_1_schema() -> None:
    schema = json.loads(SCHEMA.read_text())
    document = vocabulary.nodeinfo("0.1.0", True, 3, "Tiers-lieu de Sparsbach")
    jsonschema.Draft4Validator(schema).validate(document)
    assert document["protocols"] == ["activitypub"]
    assert document["usage"]["users"]["total"] == 1  # the Group, never the members
    broken = {**document, "protocols": ["chaleur"]}
    assert list(jsonschema.Draft4Validator(schema).iter_errors(broken))
