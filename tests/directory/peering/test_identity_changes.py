"""An admitted node cannot quietly become someone else: identity changes wait for the
coordinator, side by side with the current values; a signed key rotation stays automatic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from directory.extensions import db
from directory.models import AdmissionDecision, IdentityChange, Peer, PeerKey
from directory.peering.overview import network_overview
from directory.services.peers import admit_node
from tests.directory.conftest import COORDINATOR_EMAIL, COORDINATOR_PASSWORD
from tests.directory.peering.conftest import join, send, village_document, village_key

NEW_ADDRESS = "https://pirate.example"


def peer() -> Peer:
    db.session.expire_all()
    return db.session.scalars(select(Peer).where(Peer.node_id == "neuwiller")).one()


def admitted(client: FlaskClient) -> None:
    join(client, "neuwiller")
    admit_node("neuwiller", by="test")


def moved(**changes: Any) -> dict[str, Any]:
    document = village_document("neuwiller", [village_key("neuwiller")])
    document.update({"base_url": NEW_ADDRESS, "name": "Tiers-lieu usurpé",
                     "contact": {"name": "Quelqu'un", "email": "x@pirate.example"}, **changes})
    return document


def coordinator(client: FlaskClient) -> None:
    answer = client.post("/coordination/connexion", data={
        "email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD})
    assert answer.status_code == 302


def test_a_new_address_name_or_contact_is_held_and_the_current_document_serves(
        client: FlaskClient) -> None:
    admitted(client)
    before = peer()
    address, name, document = before.base_url, before.name, dict(before.document)
    answer = send(client, "POST", "/federation/join", moved(), key=village_key("neuwiller"))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["held"] == ["base_url", "name", "contact"]
    now = peer()
    assert (now.base_url, now.name, now.document) == (address, name, document)
    waiting = db.session.get(IdentityChange, now.id)
    assert waiting is not None and waiting.document["base_url"] == NEW_ADDRESS
    # Every reader of the node's address still gets the admitted one.
    (listed,) = [n for n in network_overview()["nodes"] if n["node_id"] == "neuwiller"]
    assert listed["base_url"] == address and listed["name"] == name


def test_a_signed_rotation_applies_at_once_while_the_identity_waits(
        client: FlaskClient) -> None:
    admitted(client)
    old, new = village_key("neuwiller"), village_key("neuwiller", 2)
    grace = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    rotated = village_document("neuwiller", [new, old], retiring={old.keyid: grace})
    rotated["base_url"] = NEW_ADDRESS
    answer = send(client, "POST", "/federation/join", rotated, key=old)
    assert answer.status_code == 200 and answer.get_json()["held"] == ["base_url"]
    keys = {row.keyid: row.status for row in db.session.scalars(select(PeerKey))}
    assert keys[new.keyid] == "active" and keys[old.keyid] == "retiring"
    assert peer().base_url != NEW_ADDRESS
    assert [key["keyid"] for key in peer().document["keys"]] == [new.keyid, old.keyid]
    # Rotation alone (identity unchanged) holds nothing and withdraws the held change.
    plain = village_document("neuwiller", [new, old], retiring={old.keyid: grace})
    again = send(client, "POST", "/federation/join", plain, key=new)
    assert "held" not in again.get_json() and db.session.get(IdentityChange, peer().id) is None


def test_the_coordinator_sees_both_and_approves(client: FlaskClient) -> None:
    admitted(client)
    address = peer().base_url
    send(client, "POST", "/federation/join", moved(), key=village_key("neuwiller"))
    coordinator(client)
    dashboard = client.get("/coordination/").get_data(as_text=True)
    assert "Changements d’identité à examiner" in dashboard
    page = client.get(f"/coordination/noeuds/{peer().id}").get_data(as_text=True)
    assert address in page and NEW_ADDRESS in page and "Tiers-lieu usurpé" in page
    answer = client.post(f"/coordination/noeuds/{peer().id}/changement/approuver",
                         data={"reason": "vérifié par téléphone"})
    assert answer.status_code == 302
    now = peer()
    assert (now.base_url, now.name) == (NEW_ADDRESS, "Tiers-lieu usurpé")
    assert db.session.get(IdentityChange, now.id) is None
    assert now.document["base_url"] == NEW_ADDRESS
    decision = db.session.scalars(select(AdmissionDecision).where(
        AdmissionDecision.peer_id == now.id).order_by(AdmissionDecision.id.desc())).first()
    assert decision is not None and decision.decision == "approve_change"
    assert decision.by == COORDINATOR_EMAIL


def test_the_coordinator_refuses_and_the_node_keeps_its_identity(client: FlaskClient) -> None:
    admitted(client)
    address = peer().base_url
    send(client, "POST", "/federation/join", moved(), key=village_key("neuwiller"))
    coordinator(client)
    client.post(f"/coordination/noeuds/{peer().id}/changement/refuser", data={"reason": ""})
    now = peer()
    assert now.base_url == address and db.session.get(IdentityChange, now.id) is None
    missing = client.post(f"/coordination/noeuds/{now.id}/changement/approuver", data={})
    assert missing.status_code == 302 and peer().base_url == address
