"""Coordinator pages with CSRF and rate limits on: sign-in, admission, suspension, the log."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from directory.extensions import db
from directory.models import AdmissionDecision, Peer, PeerStatus
from directory.services.aggregation import apply_batch
from directory.services.peers import PeerError, register_join_request
from tests.directory.conftest import (
    COORDINATOR_EMAIL,
    COORDINATOR_PASSWORD,
    SPARSBACH,
    build_directory,
    envelope,
    member,
)

NEW_NODE = "https://dossenheim.example"


@pytest.fixture
def secure_app(tmp_path: Path) -> Iterator[Flask]:
    app = build_directory(tmp_path, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True,
                          LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def token(client: FlaskClient, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert found, url
    return found.group(1)


def login(client: FlaskClient) -> None:
    response = client.post("/coordination/connexion", data={
        "csrf_token": token(client, "/coordination/connexion"),
        "email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD})
    assert response.status_code == 302


def peer(node_id: str) -> Peer:
    db.session.expire_all()
    return db.session.scalars(select(Peer).where(Peer.node_id == node_id)).one()


def test_admin_pages_need_a_coordinator(secure_app: Flask) -> None:
    client = secure_app.test_client()
    response = client.get("/coordination/")
    assert response.status_code == 302 and "/coordination/connexion" in response.location


def test_join_request_then_approval_is_logged(secure_app: Flask) -> None:
    register_join_request({"id": NEW_NODE, "name": "Tiers-lieu de Dossenheim",
                           "url": NEW_NODE}, "SHA256:abc123")
    client = secure_app.test_client()
    login(client)
    queue = client.get("/coordination/").get_data(as_text=True)
    assert "Tiers-lieu de Dossenheim" in queue and "SHA256:abc123" in queue
    # The admit button is on the Coordination page itself, with the fingerprint to type.
    assert f'id="fingerprint-{NEW_NODE}" name="fingerprint" required' in queue
    page = f"/coordination/noeuds/{peer(NEW_NODE).id}"
    detail = client.get(page).get_data(as_text=True)
    assert "Dossenheim" in detail and "en attente" in detail
    refused = client.post("/coordination/noeuds/admit", data={"node_id": NEW_NODE})
    assert refused.status_code == 400  # no CSRF token
    assert peer(NEW_NODE).status == PeerStatus.PENDING
    misheard = client.post("/coordination/noeuds/admit", data={
        "csrf_token": token(client, page), "node_id": NEW_NODE, "fingerprint": "SHA256:abc124"},
        follow_redirects=True)
    assert "diffère de celle de sa demande" in misheard.get_data(as_text=True)
    assert peer(NEW_NODE).status == PeerStatus.PENDING
    empty = client.post("/coordination/noeuds/admit", data={
        "csrf_token": token(client, page), "node_id": NEW_NODE})
    assert empty.status_code == 302 and peer(NEW_NODE).status == PeerStatus.PENDING
    response = client.post("/coordination/noeuds/admit", data={
        "csrf_token": token(client, page), "node_id": NEW_NODE, "reason": "Charte signée",
        "fingerprint": "sha256 abc123"})  # typed as heard: case and spacing do not count
    assert response.status_code == 302
    assert peer(NEW_NODE).status == PeerStatus.ADMITTED and peer(NEW_NODE).admitted_at
    decision = db.session.scalars(select(AdmissionDecision)).one()
    assert (decision.decision, decision.by, decision.reason) == (
        "admit", COORDINATOR_EMAIL, "Charte signée")
    log = client.get("/coordination/journal").get_data(as_text=True)
    assert "Charte signée" in log and COORDINATOR_EMAIL in log and "admission" in log


def test_suspend_hides_records_and_reinstate_restores(secure_app: Flask) -> None:
    apply_batch(SPARSBACH, [envelope("member", member("Camille Testeuse"))])
    client = secure_app.test_client()
    login(client)
    assert "Camille Testeuse" in client.get("/annuaire").get_data(as_text=True)
    page = f"/coordination/noeuds/{peer(SPARSBACH).id}"
    client.post("/coordination/noeuds/suspend", data={
        "csrf_token": token(client, page), "node_id": SPARSBACH, "reason": "Plainte"})
    assert peer(SPARSBACH).status == PeerStatus.SUSPENDED
    assert "Camille Testeuse" not in client.get("/annuaire").get_data(as_text=True)
    client.post("/coordination/noeuds/reinstate", data={
        "csrf_token": token(client, page), "node_id": SPARSBACH})
    assert peer(SPARSBACH).status == PeerStatus.ADMITTED
    assert "Camille Testeuse" in client.get("/annuaire").get_data(as_text=True)
    decisions = db.session.scalars(select(AdmissionDecision.decision)
                                   .order_by(AdmissionDecision.id)).all()
    assert decisions == ["suspend", "reinstate"]


def test_impossible_decision_changes_nothing(secure_app: Flask) -> None:
    client = secure_app.test_client()
    login(client)
    page = f"/coordination/noeuds/{peer(SPARSBACH).id}"
    response = client.post("/coordination/noeuds/refuse", data={
        "csrf_token": token(client, page), "node_id": SPARSBACH}, follow_redirects=True)
    assert "Décision impossible" in response.get_data(as_text=True)
    assert peer(SPARSBACH).status == PeerStatus.ADMITTED
    assert db.session.scalars(select(AdmissionDecision)).first() is None


def test_login_is_rate_limited(secure_app: Flask) -> None:
    client = secure_app.test_client()
    statuses = []
    for _ in range(4):
        statuses.append(client.post("/coordination/connexion", data={
            "csrf_token": token(client, "/coordination/connexion"),
            "email": COORDINATOR_EMAIL, "password": "wrong-password"}).status_code)
    assert statuses == [200, 200, 200, 429]


def test_wrong_password_is_refused_in_french(secure_app: Flask) -> None:
    client = secure_app.test_client()
    response = client.post("/coordination/connexion", data={
        "csrf_token": token(client, "/coordination/connexion"),
        "email": COORDINATOR_EMAIL, "password": "not-the-password"})
    assert "Adresse ou mot de passe incorrect." in response.get_data(as_text=True)
    assert client.get("/coordination/").status_code == 302


def test_join_request_of_a_known_node_cannot_change_its_key(app: Flask) -> None:
    with pytest.raises(PeerError):
        register_join_request({"id": SPARSBACH, "name": "Autre"}, "SHA256:other")
    assert peer(SPARSBACH).key_fingerprint == "SHA256:test"
    with pytest.raises(PeerError):
        register_join_request({"name": "Sans identifiant"}, "SHA256:x")
