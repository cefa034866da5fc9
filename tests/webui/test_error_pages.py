"""Error pages keep the site's menu; a form sent after its session expired is shown again,
in French, with what the person typed (never « The CSRF session token is missing. »)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from directory.extensions import db as directory_db
from node.extensions import db
from node.models import Account, Listing
from tests.conftest import MEMBER_EMAIL, build_node
from tests.directory.conftest import build_directory
from tests.support.sessions import signed_in_client

EXPIRED = "Votre session a expiré"


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _close(app: Flask, database: object) -> None:
    with app.app_context():
        database.session.remove()  # type: ignore[attr-defined]
        database.engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[Flask]:
    """A node that checks CSRF tokens, as in production."""
    app = build_node(tmp_path, WTF_CSRF_ENABLED=True)
    yield app
    _close(app, db)


def _refused_in_french(response: TestResponse) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert EXPIRED in html and "CSRF" not in html
    return html


def test_error_pages_keep_the_menu_of_their_site(tmp_path: Path) -> None:
    node = build_node(tmp_path / "node")
    pays = build_directory(tmp_path / "pays")
    try:
        village = node.test_client().get("/nulle-part").get_data(as_text=True)
        assert "Page introuvable" in village
        assert 'href="/rencontres"' in village and 'href="/connexion"' in village
        member = signed_in_client(node, MEMBER_EMAIL).get("/nulle-part").get_data(as_text=True)
        assert 'href="/membres"' in member and 'href="/mon-profil"' in member
        html = pays.test_client().get("/nulle-part").get_data(as_text=True)
        assert "Page introuvable" in html
        assert 'href="/annuaire"' in html and 'href="/offres-et-besoins"' in html
    finally:
        _close(node, db)
        _close(pays, directory_db)


def test_expired_join_form_is_shown_again_in_french_with_what_was_typed(
        guarded: Flask) -> None:
    typed = {"display_name": "Nadia Exemple", "email": "nadia@example.org",
             "password": "un-mot-de-passe-long", "trade": "Ébéniste",
             "commune": "Sparsbach", "message": "J'ai un atelier près de l'église."}
    # The page was opened yesterday: its token no longer matches any session.
    stale = _token(guarded.test_client().get("/adhesion").get_data(as_text=True))
    html = _refused_in_french(guarded.test_client().post(
        "/adhesion", data={**typed, "csrf_token": stale}))
    for name in ("display_name", "email", "trade", "commune"):
        assert re.search(rf'name="{name}"[^>]*value="{re.escape(typed[name])}"', html) \
            or re.search(rf'value="{re.escape(typed[name])}"[^>]*name="{name}"', html), name
    assert "J&#39;ai un atelier près de l&#39;église." in html
    assert _token(html) != stale  # a fresh token: sending again works
    with guarded.app_context():
        assert db.session.scalars(db.select(Account).where(
            Account.email == typed["email"])).first() is None


def test_expired_token_of_a_signed_in_member_keeps_the_offer_typed(guarded: Flask) -> None:
    client = signed_in_client(guarded, MEMBER_EMAIL)
    offer = {"kind": "offer", "title": "Cours de marqueterie", "details": "Le samedi matin."}
    html = _refused_in_french(client.post("/mon-profil/offres",
                                          data={**offer, "csrf_token": "expired"}))
    assert 'value="Cours de marqueterie"' in html and "Le samedi matin." in html
    with guarded.app_context():
        assert db.session.scalars(db.select(Listing)).all() == []
    # Sent again with the new token, it is saved.
    again = client.post("/mon-profil/offres", data={**offer, "csrf_token": _token(html)})
    assert again.status_code == 302


def test_a_button_without_its_token_gets_the_french_page_with_the_menu(guarded: Flask) -> None:
    client = signed_in_client(guarded, MEMBER_EMAIL)
    html = _refused_in_french(client.post("/deconnexion"))
    assert 'href="/rencontres"' in html
    assert client.get("/mon-profil").status_code == 200  # still signed in
