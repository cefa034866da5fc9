"""CSRF: every state-changing form of the node and of the directory refuses a post without
its token (400, the error page) and writes nothing.

Routes are discovered from ``app.url_map``, so a new POST route without CSRF fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from directory.extensions import db as directory_db
from node.extensions import db
from tests.directory.conftest import COORDINATOR_EMAIL, SPARSBACH
from tests.security.conftest import (
    ADMIN_EMAIL,
    MEMBER_EMAIL,
    PASSWORD,
    csrf_token,
    directory_session,
    session_for,
    table_snapshot,
    write_rules,
)
from tests.security.world import build_world

# Exemptions from CSRF outside /api/ and /federation/, each with its reason.
ALLOWED_WITHOUT_CSRF: dict[str, str] = {
    "fediverse.inbox": "ActivityPub inbox: servers sign each POST (draft-cavage); no session",
    "exchange.unsubscribe": "a mail client POSTs the one-click unsubscribe link (RFC 8058) "
                            "without a session; the signed token in the URL is the proof, and "
                            "test_alerts shows a forged one is refused (404, nothing written)",
}

# Valid values for every field any form asks for: without CSRF, such a post WOULD act.
FORM_DATA: dict[str, Any] = {
    "email": "nouvelle@example.org", "password": PASSWORD, "display_name": "Nouveau Nom",
    "trade": "Menuisière", "commune": "67475", "message": "Bonjour", "title": "Nouveau titre",
    "description": "Texte", "details": "Détails", "kind": "offer", "note": "Nouvelle note",
    "name": "Nouveau nom", "communes": "67475", "signup_mode": "invitation",
    "contact_name": "X", "code": "67999", "latitude": "48.7", "longitude": "7.3",
    "address": "1 rue", "commune_code": "67475", "capacity": "10", "role": "admin",
    "status": "disabled", "start_date": "2030-01-05", "start_time": "18:00",
    "end_time": "20:00", "venue_id": "0", "recurrence": "none", "visibility": "public",
    "guest_name": "Jo", "guest_email": "jo@example.net", "confirmation": MEMBER_EMAIL,
    "reason": "test", "node_id": SPARSBACH, "shown": ["1"], "attended": ["1"],
    "bio": "Nouvelle bio", "phone": "0388000000",
}


def _assert_refused(app: Flask, client: Any, url: str, before: Any, database: Any) -> None:
    response = client.post(url, data=FORM_DATA)
    assert response.status_code == 400, f"{url} accepted a post without CSRF token"
    assert "<h1" in response.get_data(as_text=True), url  # the HTML error page
    assert table_snapshot(app, database) == before, f"{url} wrote without CSRF token"


def test_every_node_form_refuses_a_post_without_token(make_node: Callable[..., Flask]) -> None:
    app = make_node(WTF_CSRF_ENABLED=True)
    world = build_world(app)
    rules = write_rules(app)
    assert len(rules) >= 30  # the discovery really sees the node's forms
    before = table_snapshot(app)
    for email in (ADMIN_EMAIL, MEMBER_EMAIL, None):
        client = session_for(app, email) if email else app.test_client()
        for rule in rules:
            if rule.endpoint in ALLOWED_WITHOUT_CSRF:
                continue
            _assert_refused(app, client, world.url(app, rule), before, db)


def test_every_directory_form_refuses_a_post_without_token(
        make_directory: Callable[..., Flask]) -> None:
    app = make_directory(WTF_CSRF_ENABLED=True)
    rules = write_rules(app)
    assert {rule.endpoint for rule in rules} >= {"admin.login", "admin.decide"}
    before = table_snapshot(app, directory_db)
    for client in (directory_session(app, COORDINATOR_EMAIL), app.test_client()):
        for rule in rules:
            if rule.endpoint in ALLOWED_WITHOUT_CSRF:
                continue
            url = (rule.rule.replace("<decision>", "suspend").replace("<int:peer_id>", "1")
                   .replace("<choice>", "approuver"))
            _assert_refused(app, client, url, before, directory_db)
    # The coordinator's own login form too (a forged login would fix the session).
    response = app.test_client().post("/coordination/connexion", data={
        "email": COORDINATOR_EMAIL, "password": "pays-de-saverne-2026"})
    assert response.status_code == 400


def test_a_post_with_its_token_is_accepted(make_node: Callable[..., Flask]) -> None:
    """The refusals above are about the token, not about a broken form."""
    app = make_node(WTF_CSRF_ENABLED=True)
    build_world(app)
    client = session_for(app, MEMBER_EMAIL)
    page = client.get("/mon-profil/offres").get_data(as_text=True)
    response = client.post("/mon-profil/offres", data={
        "csrf_token": csrf_token(page), "kind": "offer", "title": "Cours de marqueterie"})
    assert response.status_code == 302
