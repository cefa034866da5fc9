"""« Se connecter avec mon village » asks the village for the visitor's language
(``ui_locales``, issue 11): French by default, English for a visitor reading in English,
so the village's sign-in and consent pages speak the language of the page they came from."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import Flask

from directory.extensions import db
from directory.models import Peer, PeerKey, PeerStatus, utcnow
from directory.peering.identity import create_identity
from federation.keys import generate_signing_key, public_key_b64

VILLAGE = "lutzelbourg"


def _village(app: Flask) -> None:
    with app.app_context():
        create_identity("pays-saverne")
        key = generate_signing_key(f"{VILLAGE}:k1")
        peer = Peer(node_id=VILLAGE, name="Tiers-lieu de Lutzelbourg",
                    base_url="https://lutzelbourg.example", status=PeerStatus.ADMITTED,
                    key_fingerprint="SHA256:test", admitted_at=utcnow(),
                    last_success_at=utcnow())
        db.session.add(peer)
        db.session.flush()
        db.session.add(PeerKey(keyid=key.keyid, peer_id=peer.id, status="active",
                               public_key=public_key_b64(key.public_key)))
        db.session.commit()


def _asked_language(app: Flask, query: str = "") -> str:
    answer = app.test_client().get(f"/connexion/village/{VILLAGE}?next=/{query}")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    location = answer.headers["Location"]
    assert location.startswith("https://lutzelbourg.example/")
    return parse_qs(urlsplit(location).query)["ui_locales"][0]


def test_the_village_is_asked_in_french_by_default(app: Flask) -> None:
    _village(app)
    assert _asked_language(app) == "fr"


def test_a_visitor_reading_in_english_is_signed_in_in_english(app: Flask) -> None:
    _village(app)
    assert _asked_language(app, "&lang=en") == "en"
