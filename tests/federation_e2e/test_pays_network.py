"""The whole network with real processes on loopback: one Pays directory, two village nodes.

Everything goes through the real command lines (``python -m directory init|serve|nodes``,
``python -m node init|federation join|serve``) and the real HTTP protocol. Tests read the
directory's database directly to prove what was (not) stored. The processes are shared by
the module and the tests run in order, like the life of the network: join, pending,
admission, pushes, privacy, impersonation, a missed push caught by the pull, suspension,
the Réseau page.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from directory.extensions import db as pays_db
from directory.models import Peer as PaysPeer
from directory.models import PeerKey as PaysPeerKey
from directory.models import Record
from federation.client import PeerRefused, SignedClient
from federation.keys import (
    SigningKey,
    generate_signing_key,
    load_private_key,
    public_key_b64,
)
from federation.signatures import sign_request
from federation.verification import utc_now
from node.extensions import db
from node.models import Admission, FieldGroup, Member, OutboxEntry, Peer, Visibility
from node.peering.identity import node_document
from node.services import accounts
from node.services.members import delete_member
from tests.federation_e2e.conftest import PASSWORD, NodeProcess, wait_for
from tests.federation_e2e.pays import DirectoryProcess

pytestmark = pytest.mark.slow
WEST = "westhouse-marmoutier"
SPARS = "sparsbach"


@dataclass
class Network:
    pays: DirectoryProcess
    spars: NodeProcess
    west: NodeProcess

    def nodes(self) -> tuple[NodeProcess, NodeProcess]:
        return self.spars, self.west


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    root = tmp_path_factory.mktemp("pays-network")
    pays = DirectoryProcess(root)
    pays.init()
    pays.start()
    spars = NodeProcess(root, SPARS)
    spars.init("Tiers-lieu de Sparsbach", "67475")
    west = NodeProcess(root, WEST)
    west.init("Tiers-lieu de Westhouse-Marmoutier", "67527")
    for node in (spars, west):
        node.cli("federation", "join", "--directory", pays.url, "--fingerprint",
                 pays.fingerprint)
        node.start()
    network = Network(pays, spars, west)
    yield network
    for node in (spars, west):
        node.close()
    pays.close()


# -- helpers -----------------------------------------------------------------------------

def node_key(node: NodeProcess) -> SigningKey:
    keyid = f"{node.node_id}:k1"
    return load_private_key(node.instance / "keys" / f"{keyid}.pem", keyid)


def stored_records(pays: DirectoryProcess, node_id: str) -> dict[str, dict[str, Any]]:
    """uuid -> {type, version, deleted, payload} of one node's records in the directory DB."""
    with pays.app().app_context():
        rows = pays_db.session.execute(
            select(Record).join(PaysPeer, PaysPeer.id == Record.peer_id)
            .where(PaysPeer.node_id == node_id)).scalars().all()
        found = {row.uuid: {"type": row.type, "version": row.version, "deleted": row.deleted,
                            "payload": row.payload} for row in rows}
        pays_db.session.remove()
        return found


def pays_peer(pays: DirectoryProcess, node_id: str) -> dict[str, Any]:
    with pays.app().app_context():
        peer = pays_db.session.scalars(select(PaysPeer).where(PaysPeer.node_id == node_id)).one()
        keys = {row.keyid: (row.public_key, row.status) for row in pays_db.session.scalars(
            select(PaysPeerKey).where(PaysPeerKey.peer_id == peer.id))}
        data = {"status": peer.status, "fingerprint": peer.key_fingerprint, "keys": keys,
                "name": peer.name, "document": peer.document, "cursor": peer.feed_cursor}
        pays_db.session.remove()
        return data


def admission(node: NodeProcess) -> str:
    with node.app().app_context():
        value = str(db.session.scalars(db.select(Peer)).one().admission)
        db.session.remove()
        return value


def admission_is(node: NodeProcess, expected: str) -> bool:
    return admission(node) == expected


def outbox_states(node: NodeProcess) -> set[str]:
    with node.app().app_context():
        states = {row.state for row in db.session.scalars(db.select(OutboxEntry))}
        db.session.remove()
        return states


def add_member(node: NodeProcess, name: str, *, identity: Visibility = Visibility.NETWORK,
               trade: str = "", **fields: Any) -> str:
    with node.app().app_context():
        email = f"{re.sub(r'[^a-z]', '', name.lower())}-{uuid.uuid4().hex[:6]}@example.org"
        account = accounts.create_account(email, name, PASSWORD, commune_code="67475")
        member: Member = account.member
        member.set_visibility(FieldGroup.IDENTITY, identity)
        member.set_visibility(FieldGroup.SKILLS, Visibility.NETWORK)
        member.trade = trade
        for field_name, value in fields.items():
            setattr(member, field_name, value)
        db.session.commit()
        member_uuid = str(member.uuid)
        db.session.remove()
        return member_uuid


def change_member(node: NodeProcess, member_uuid: str, **changes: Any) -> None:
    with node.app().app_context():
        member = db.session.scalars(db.select(Member).where(Member.uuid == member_uuid)).one()
        for name, value in changes.items():
            if name.startswith("visibility_"):
                member.set_visibility(FieldGroup(name.removeprefix("visibility_")), value)
            else:
                setattr(member, name, value)
        db.session.commit()
        db.session.remove()


def pays_search(pays: DirectoryProcess, query: str) -> str:
    answer = requests.get(pays.url + "/annuaire", params={"q": query}, timeout=10)
    assert answer.status_code == 200
    return answer.text


def signed(node: NodeProcess, pays: DirectoryProcess) -> SignedClient:
    return SignedClient(node_key(node), allow_private_addresses=True)


def push_as(node: NodeProcess, pays: DirectoryProcess,
            records: list[dict[str, Any]]) -> requests.Response:
    """A signed inbox POST with `node`'s real key, bypassing its outbox."""
    from federation.jsonbody import dump_json_body

    body = dump_json_body({"records": records})
    url = pays.url + "/federation/inbox"
    headers = sign_request("POST", url, {"Content-Type": "application/json"}, body,
                           key=node_key(node), now=utc_now())
    return requests.post(url, data=body, headers=headers, timeout=10)


def envelope(record_id: str, origin: str, version: int, payload: dict[str, Any] | None,
             kind: str = "member") -> dict[str, Any]:
    return {"type": kind, "id": record_id, "origin": origin, "version": version,
            "updated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "deleted": payload is None, "payload": payload}


# -- the life of the network -----------------------------------------------------------

def test_join_leaves_nodes_pending_and_their_pushes_are_refused(net: Network) -> None:
    for node in net.nodes():
        peer = pays_peer(net.pays, node.node_id)
        assert peer["status"] == "pending"
        printed = node.cli("federation", "fingerprint").stdout
        assert peer["fingerprint"] and peer["fingerprint"] in printed
        wait_for(partial(admission_is, node, Admission.NOT_USABLE))
    assert stored_records(net.pays, SPARS) == {} and stored_records(net.pays, WEST) == {}
    # Same request again: idempotent, still pending.
    again = net.spars.cli("federation", "join", "--directory", net.pays.url, "--fingerprint",
                          net.pays.fingerprint)
    assert "Demande d'adhésion envoyée" in again.stdout
    assert pays_peer(net.pays, SPARS)["status"] == "pending"
    # A pending node gets nothing: not the network copy, not a push.
    client = signed(net.spars, net.pays)
    with pytest.raises(PeerRefused) as refused:
        client.get(net.pays.url + "/federation/network")
    assert (refused.value.status, refused.value.code) == (403, "key_not_usable")
    answer = push_as(net.spars, net.pays, [envelope(str(uuid.uuid4()), SPARS, 1,
                                                    {"display_name": "Intrus"})])
    assert (answer.status_code, answer.json()["error"]) == (403, "key_not_usable")
    assert stored_records(net.pays, SPARS) == {}
    client.close()


def test_a_node_id_taken_by_another_key_is_refused(net: Network, tmp_path: Path) -> None:
    impostor = NodeProcess(tmp_path, SPARS)
    impostor.init("Faux tiers-lieu", "67475")
    result = impostor.cli("federation", "join", "--directory", net.pays.url, "--fingerprint",
                          net.pays.fingerprint, check=False)
    assert result.returncode == 1 and "connaît déjà un nœud" in result.stderr
    assert pays_peer(net.pays, SPARS)["name"] == "Tiers-lieu de Sparsbach"
    impostor.close()


def test_admission_prints_the_fingerprint_and_starts_deliveries(net: Network) -> None:
    for node in net.nodes():
        expected = pays_peer(net.pays, node.node_id)["fingerprint"]
        out = net.pays.cli("nodes", "admit", node.node_id, "--by", "Léa").stdout
        assert f"{node.node_id} : admis" in out and expected in out
    for node in net.nodes():
        wait_for(partial(admission_is, node, Admission.ADMITTED), timeout=20)
        records = wait_for(partial(stored_records, net.pays, node.node_id))
        community = [r for r in records.values() if r["type"] == "community"]
        assert community and community[0]["version"] >= 1
    assert outbox_states(net.spars) == {"delivered"}


def test_only_network_level_fields_ever_reach_the_directory(net: Network) -> None:
    shared = add_member(net.spars, "Aurélie Partage", trade="Reliure",
                        bio="MARK-BIO-COMMUNITY", contact_email="mark-mail@example.org",
                        phone="+33 6 00 00 77 41")
    change_member(net.spars, shared, visibility_about=Visibility.COMMUNITY,
                  visibility_contact=Visibility.PRIVATE)
    add_member(net.spars, "Bastien MARK-NAME-COMMUNITY", identity=Visibility.COMMUNITY,
               trade="MARK-TRADE-COMMUNITY")
    add_member(net.spars, "Chloé MARK-NAME-PRIVATE", identity=Visibility.PRIVATE,
               trade="MARK-TRADE-PRIVATE", bio="MARK-BIO-PRIVATE")
    wait_for(lambda: shared in stored_records(net.pays, SPARS))
    wait_for(lambda: outbox_states(net.spars) == {"delivered"})
    stored = net.pays.database_text()
    for marker in ("MARK-", "mark-mail", "77 41"):
        assert marker not in stored
    assert stored_records(net.pays, SPARS)[shared]["payload"]["trade"] == "Reliure"
    assert "Aurélie Partage" in pays_search(net.pays, "reliure")

    gone = add_member(net.spars, "Denise Départ", trade="Zythologie")
    wait_for(lambda: gone in stored_records(net.pays, SPARS))
    change_member(net.spars, shared, visibility_identity=Visibility.COMMUNITY)  # consent off
    with net.spars.app().app_context():
        delete_member(db.session.scalars(db.select(Member).where(Member.uuid == gone)).one())
        db.session.remove()
    wait_for(lambda: stored_records(net.pays, SPARS)[shared]["deleted"]
             and stored_records(net.pays, SPARS)[gone]["deleted"])
    assert stored_records(net.pays, SPARS)[shared]["payload"] is None
    assert "Aurélie Partage" not in pays_search(net.pays, "reliure")
    assert "Denise Départ" not in pays_search(net.pays, "zythologie")
    # Not a trace in any table, the full-text index's own segments included (the worker
    # compacts the index once per pull interval, 1 s here; SQLite runs with secure_delete).
    def leftovers() -> list[str]:
        stored = net.pays.database_text().lower()
        # Word stems: the index stores words prefix-compressed, stems in full.
        return [word for word in ("aur\\u00e9lie", "aurel", "reliur", "denis", "zytholog")
                if word in stored]

    wait_for(lambda: leftovers() == [], timeout=10)


def test_a_trade_search_finds_both_villages_and_edits_show_within_seconds(
        net: Network) -> None:
    anne = add_member(net.spars, "Anne Tonnelière", trade="Tonnellerie")
    add_member(net.west, "Bruno Tonnelier", trade="Tonnellerie")
    def both_villages() -> str:
        html = pays_search(net.pays, "tonnellerie")
        return html if "Anne Tonnelière" in html and "Bruno Tonnelier" in html else ""

    page = wait_for(both_villages)
    assert "Westhouse-Marmoutier" in page and "Sparsbach" in page
    change_member(net.spars, anne, trade="Charpente marine")
    started = datetime.now(UTC)
    wait_for(lambda: "Anne Tonnelière" in pays_search(net.pays, "charpente"), timeout=10)
    assert (datetime.now(UTC) - started).total_seconds() < 10
    assert "Anne Tonnelière" not in pays_search(net.pays, "tonnellerie")


def test_a_node_cannot_create_change_or_delete_another_nodes_records(net: Network,
                                                                      tmp_path: Path) -> None:
    victim = add_member(net.west, "Violette Victime", trade="Poterie")
    wait_for(lambda: victim in stored_records(net.pays, WEST))
    before_records, before_peer = stored_records(net.pays, WEST), pays_peer(net.pays, WEST)
    spars_before = stored_records(net.pays, SPARS)
    own_new = str(uuid.uuid4())
    forged = {"display_name": "Violette Falsifiée", "trade": "Escroquerie"}
    attempts = {
        "create as B": [envelope(str(uuid.uuid4()), WEST, 1, forged)],
        "change B's member": [envelope(victim, WEST, 99, forged)],
        "take B's id as own": [envelope(victim, SPARS, 99, forged)],
        "delete B's member": [envelope(victim, WEST, 99, None)],
        "delete B's id as own": [envelope(victim, SPARS, 99, None)],
        "own record + B's": [envelope(own_new, SPARS, 1, {"display_name": "Honnête"}),
                             envelope(victim, WEST, 99, forged)],
    }
    for label, records in attempts.items():
        answer = push_as(net.spars, net.pays, records)
        assert answer.status_code == 403, label
        assert answer.json()["error"] == "origin_mismatch", label
    # B's node document and keys: a document for B signed by A's key, or by a key A made up.
    made_up = generate_signing_key(f"{WEST}:k2")
    with net.west.app().app_context():
        west_document = node_document()
    west_document["keys"] = [{"keyid": f"{WEST}:k2", "alg": "ed25519", "status": "active",
                              "public_key": public_key_b64(made_up.public_key)}]
    for key, status, code in ((node_key(net.spars), 401, "key_unknown"),
                              (made_up, 409, "node_id_taken")):
        client = SignedClient(key, allow_private_addresses=True)
        with pytest.raises(PeerRefused) as refused:
            client.post(net.pays.url + "/federation/join", west_document)
        assert (refused.value.status, refused.value.code) == (status, code)
        client.close()
    assert stored_records(net.pays, WEST) == before_records
    assert pays_peer(net.pays, WEST)["keys"] == before_peer["keys"]
    assert pays_peer(net.pays, WEST)["document"] == before_peer["document"]
    assert stored_records(net.pays, SPARS) == spars_before  # nothing of a refused batch
    assert "Falsifiée" not in net.pays.database_text()


def test_the_pull_catches_changes_made_while_the_directory_was_down(net: Network) -> None:
    first = add_member(net.spars, "Fanny Fil", trade="Filature")
    wait_for(lambda: first in stored_records(net.pays, SPARS))
    net.pays.stop()
    second = add_member(net.spars, "Gaston Garance", trade="Teinture")
    change_member(net.spars, first, trade="Tissage")
    change_member(net.spars, first, trade="Tapisserie")
    change_member(net.spars, second, visibility_identity=Visibility.COMMUNITY)
    third = add_member(net.spars, "Hélène Hautelisse", trade="Broderie")
    wait_for(lambda: "retrying" in outbox_states(net.spars))
    with net.spars.app().app_context():
        expected = {m.uuid: m.version for m in db.session.scalars(
            db.select(Member).where(Member.uuid.in_([first, second, third])))}
        db.session.remove()
    net.pays.start()
    # The node's outbox waits out its backoff (tens of seconds); the pull does not.
    wait_for(lambda: third in stored_records(net.pays, SPARS), timeout=15)
    stored = stored_records(net.pays, SPARS)
    assert "retrying" in outbox_states(net.spars)  # so the pull brought them
    assert stored[first]["payload"]["trade"] == "Tapisserie"
    assert stored[first]["version"] == expected[first]
    assert stored[second]["deleted"] and stored[third]["payload"]["trade"] == "Broderie"
    assert pays_peer(net.pays, SPARS)["cursor"]
    # Later delivery of the same changes by the outbox changes nothing.
    with net.spars.app().app_context():
        db.session.execute(db.update(OutboxEntry).where(OutboxEntry.state == "retrying")
                           .values(next_attempt_at=datetime.now(UTC)))
        db.session.commit()
        db.session.remove()
    wait_for(lambda: outbox_states(net.spars) == {"delivered"})
    assert stored_records(net.pays, SPARS) == stored


def test_reseau_page_shows_the_network_and_survives_the_directory(net: Network) -> None:
    out = net.spars.cli("federation", "pull-network").stdout
    assert "à jour" in out
    session = requests.Session()
    login = session.get(net.spars.url + "/connexion", timeout=10)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login.text)
    assert token is not None
    session.post(net.spars.url + "/connexion", timeout=10, data={
        "csrf_token": token.group(1), "email": "admin@example.org", "password": PASSWORD})
    page = session.get(net.spars.url + "/reseau", timeout=10)
    assert page.status_code == 200 and "Bruno Tonnelier" in page.text
    assert "Westhouse-Marmoutier" in page.text
    net.pays.stop()
    try:
        again = session.get(net.spars.url + "/reseau", timeout=10)
        assert again.status_code == 200 and "Bruno Tonnelier" in again.text
    finally:
        net.pays.start()


def test_a_suspended_node_vanishes_at_once_and_is_refused(net: Network) -> None:
    def api_search() -> str:
        return requests.get(net.pays.url + "/api/v1/search", params={"q": "tonnellerie"},
                            timeout=10).text

    assert "Bruno Tonnelier" in pays_search(net.pays, "tonnellerie")
    assert "Bruno Tonnelier" in api_search()
    net.pays.cli("nodes", "suspend", WEST, "--reason", "Contrôle")
    assert "Bruno Tonnelier" not in pays_search(net.pays, "tonnellerie")
    assert "Bruno Tonnelier" not in api_search()
    client = signed(net.west, net.pays)
    with pytest.raises(PeerRefused) as refused:
        client.get(net.pays.url + "/federation/network")
    assert (refused.value.status, refused.value.code) == (403, "key_not_usable")
    client.close()
    add_member(net.west, "Igor Isolé", trade="Ferronnerie")
    wait_for(lambda: admission(net.west) == Admission.NOT_USABLE)
    network = signed(net.spars, net.pays).get(net.pays.url + "/federation/network").data
    assert network is not None
    assert all(item["origin"] != WEST for section in ("territories", "members", "listings",
                                                      "events") for item in network[section])
    net.pays.cli("nodes", "reinstate", WEST)
    wait_for(lambda: "Igor Isolé" in pays_search(net.pays, "ferronnerie"), timeout=20)
    assert "Bruno Tonnelier" in pays_search(net.pays, "tonnellerie")


def test_a_key_rotation_is_announced_and_deliveries_continue(net: Network) -> None:
    out = net.west.cli("federation", "rotate-key").stdout
    assert "Annuaire prévenu (HTTP 200)" in out
    keys = pays_peer(net.pays, WEST)["keys"]
    assert keys[f"{WEST}:k2"][1] == "active" and keys[f"{WEST}:k1"][1] == "retiring"
    printed = net.west.cli("federation", "fingerprint").stdout
    assert pays_peer(net.pays, WEST)["fingerprint"] in printed
    add_member(net.west, "Jeanne Nouvelle-Clé", trade="Dinanderie")
    wait_for(lambda: "Jeanne Nouvelle-Clé" in pays_search(net.pays, "dinanderie"))
