"""« Ce que décident les villages »: decision records a village shares, on the Pays site,
and the villages' addresses in the signed network overview."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape

from flask import Flask

from directory.extensions import db
from directory.models import Peer, PeerKey
from directory.peering.overview import network_overview
from directory.services.aggregation import apply_batch
from tests.directory.conftest import SPARSBACH, WESTHOUSE

DECISION_ID = "0f8e2b1c-5a4d-4e3f-9b2a-7c6d5e4f3a2b"


def _record(version: int, payload: dict[str, object]) -> dict[str, object]:
    return {"type": "decision", "id": DECISION_ID, "origin": SPARSBACH, "version": version,
            "updated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "deleted": False,
            "payload": payload}


def test_shared_decisions_are_shown_open_then_closed(app: Flask) -> None:
    client = app.test_client()
    with app.app_context():
        apply_batch(SPARSBACH, [_record(1, {
            "title": "Achat groupé d'une imprimante 3D", "kind": "judgment", "state": "open",
            "closes_at": "2030-01-10T19:00:00Z", "villages": [WESTHOUSE],
            "url": "https://sparsbach.example/decisions/x"})], strict=True)
    page = unescape(client.get("/decisions").get_data(as_text=True))
    assert "Achat groupé d'une imprimante 3D" in page and "Atelier de Westhouse" in page
    assert page.index("Propositions ouvertes") < page.index("Achat groupé")
    with app.app_context():
        apply_batch(SPARSBACH, [_record(2, {
            "title": "Achat groupé d'une imprimante 3D", "kind": "judgment",
            "state": "closed", "closes_at": "2030-01-10T19:00:00Z", "participants": 14,
            "outcome": "En tête : Imprimante partagée (14 participant·e·s)."})], strict=True)
    page = unescape(client.get("/decisions").get_data(as_text=True))
    assert "En tête : Imprimante partagée" in page
    assert page.index("Décisions prises") < page.index("Achat groupé")


def test_the_network_overview_lists_how_to_reach_each_village(app: Flask) -> None:
    with app.app_context():
        peer = db.session.scalars(db.select(Peer).where(Peer.node_id == SPARSBACH)).one()
        peer.base_url = "https://sparsbach.example"
        peer.document = {"endpoints": {"inbox": "/federation/inbox"}}
        db.session.add(PeerKey(keyid=f"{SPARSBACH}:k1", peer_id=peer.id, status="active",
                               public_key="YrWYdhUuCsE_ZjtZ9I2EjQs-VF0MG1Vu1xlc8R3rKGo"))
        db.session.add(PeerKey(keyid=f"{SPARSBACH}:k0", peer_id=peer.id, status="revoked",
                               public_key="YrWYdhUuCsE_ZjtZ9I2EjQs-VF0MG1Vu1xlc8R3rKGo"))
        db.session.commit()
        nodes = network_overview()["nodes"]
    assert nodes == [{"node_id": SPARSBACH, "name": "Tiers-lieu de Sparsbach",
                      "base_url": "https://sparsbach.example", "inbox": "/federation/inbox",
                      "keys": [{"keyid": f"{SPARSBACH}:k1", "status": "active",
                                "public_key": "YrWYdhUuCsE_ZjtZ9I2EjQs-VF0MG1Vu1xlc8R3rKGo"}]}]
