"""A real node process and a real directory on loopback: join, feed, push, node document."""

from __future__ import annotations

import requests

from federation.client import SignedClient
from federation.keys import KeyStatus, fingerprint, load_public_key_b64
from federation.nodedoc import NODE_MEDIA_TYPE, WELL_KNOWN_PATH, validate_node_document
from node.extensions import db
from node.models import Admission, OutboxEntry, Peer, PeerKey
from tests.federation_e2e.conftest import NodeProcess, wait_for
from tests.federation_e2e.directory_double import DirectoryDouble


def test_node_document_is_served_signed_with_the_init_fingerprint(
        node: NodeProcess, directory: DirectoryDouble) -> None:
    answer = requests.get(node.url + WELL_KNOWN_PATH, timeout=5)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith(NODE_MEDIA_TYPE)
    assert "Signature" in answer.headers
    document = validate_node_document(answer.json())
    assert document["node_id"] == "sparsbach" and document["base_url"] == node.url
    assert document["endpoints"]["feed"] == "/federation/feed"
    (key,) = document["keys"]
    printed = node.cli("federation", "fingerprint").stdout
    assert fingerprint(load_public_key_b64(key["public_key"])) in printed
    assert "PRIVATE" not in answer.text
    # What the directory received at join time is that same document.
    assert directory.node_document is not None
    assert directory.node_document["keys"] == document["keys"]


def test_join_stored_the_directory_and_its_key(node: NodeProcess,
                                               directory: DirectoryDouble) -> None:
    with node.app().app_context():
        peer = db.session.scalars(db.select(Peer)).one()
        assert (peer.node_id, peer.base_url) == ("annuaire", directory.origin)
        assert peer.fingerprint == directory.fingerprint
        # The pusher may already have heard "not approved yet" from the directory.
        assert peer.admission in (Admission.REQUESTED, Admission.NOT_USABLE)
        key = db.session.get(PeerKey, "annuaire:k1")
        assert key is not None and key.status == KeyStatus.ACTIVE.value


def test_pending_node_waits_then_delivers_once_admitted(node: NodeProcess,
                                                        directory: DirectoryDouble) -> None:
    app = node.app()

    def peer_admission() -> str:
        with app.app_context():
            return str(db.session.scalars(db.select(Peer)).one().admission)

    wait_for(lambda: peer_admission() == Admission.NOT_USABLE)
    with app.app_context():
        rows = db.session.scalars(db.select(OutboxEntry)).all()
        assert rows and all(row.state == "pending" and row.tries == 0 for row in rows)
    assert directory.applied.log == []

    directory.admitted = True
    wait_for(lambda: peer_admission() == Admission.ADMITTED)
    wait_for(lambda: directory.applied.log)
    with app.app_context():
        assert {row.state for row in db.session.scalars(db.select(OutboxEntry))} == {"delivered"}
    community = [r for r in directory.applied.records.values() if r["type"] == "community"]
    assert community[0]["origin"] == "sparsbach"
    assert community[0]["payload"]["name"] == "Tiers-lieu de Sparsbach"


def test_feed_pages_with_cursor(node: NodeProcess, directory: DirectoryDouble) -> None:
    client = SignedClient(directory.key, allow_private_addresses=True)
    with node.app().app_context():
        from node.models import NodeKey
        from node.peering.trust import key_record

        own = db.session.scalars(db.select(NodeKey)).one()
        node_key = key_record(PeerKey(keyid=own.keyid, node_id="sparsbach",
                                      public_key=own.public_key, status="active"))
    first = client.get(node.url + "/federation/feed?limit=1", verify_with=node_key)
    assert first.signer is not None and first.signer.keyid == "sparsbach:k1"
    assert first.data is not None
    assert [r["type"] for r in first.data["records"]] == ["community"]
    assert first.data["records"][0]["origin"] == "sparsbach"
    second = client.get(node.url + "/federation/feed?limit=1&cursor=" + first.data["next"],
                        verify_with=node_key)
    assert second.data is not None and second.data["records"] == []
    assert second.data["more"] is False
    client.close()
