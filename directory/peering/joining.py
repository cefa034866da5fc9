"""Join requests and key rotations, as docs/federation.md section 8 describes them.

A node unknown here proves it holds a key of the document it sends (the signature is
verified with that key) and is stored as *pending*. A node already known must sign with a
key the directory stored for it: for an admitted node, that is a rotation or a document
refresh (new keys active, retiring ones with their grace, missing ones revoked); for a
pending or refused one, a repeated request. Anything else with a taken node id or name is
``node_id_taken``. An admitted node's new address, endpoints, name or contact are held for
the coordinator (:mod:`directory.services.identity_changes`); its keys are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from directory.extensions import db
from directory.models import Peer, PeerKey, PeerStatus
from directory.peering.trust import key_record, nonce_store, peer_keys
from directory.services import identity_changes, peers
from federation.admission import verify_join_request
from federation.errors import SignatureRefused
from federation.keys import fingerprint, load_public_key_b64
from federation.records import parse_utc
from federation.signatures import HeaderInput


@dataclass(frozen=True)
class JoinAnswer:
    status: int
    body: dict[str, Any]


def _taken(message: str) -> JoinAnswer:
    return JoinAnswer(409, {"error": "node_id_taken", "message": message})


def active_fingerprint(document: dict[str, Any]) -> str:
    """The fingerprint the coordinator compares: the document's first active key."""
    keys = [key for key in document["keys"] if key["status"] == "active"] or document["keys"]
    return fingerprint(load_public_key_b64(keys[0]["public_key"]))


def _name_taken(document: dict[str, Any]) -> bool:
    clash = db.session.scalars(select(Peer.id).where(
        func.lower(Peer.name) == document["name"].strip().lower(),
        Peer.node_id != document["node_id"])).first()
    return clash is not None


def _grace_until(key: dict[str, Any], now: datetime) -> datetime | None:
    if key["status"] != "retiring":
        return None
    longest = now + timedelta(days=float(current_app.config["FEDERATION_MAX_GRACE_DAYS"]))
    wanted = parse_utc(key["grace_until"]) if key.get("grace_until") else now
    return min(wanted, longest)


def store_keys(peer: Peer, document: dict[str, Any], now: datetime) -> None:
    """The document's keys as listed; stored keys it no longer lists become revoked."""
    listed = {key["keyid"]: key for key in document["keys"]}
    for row in peer_keys(peer):
        if row.keyid not in listed:
            row.status, row.grace_until = "revoked", None
    for keyid, key in listed.items():
        row = db.session.get(PeerKey, keyid) or PeerKey(keyid=keyid, peer_id=peer.id)
        row.public_key, row.status = key["public_key"], key["status"]
        row.grace_until = _grace_until(key, now)
        db.session.add(row)


def _same_keys(peer: Peer, document: dict[str, Any]) -> bool:
    stored = {(row.keyid, row.public_key) for row in peer_keys(peer) if row.status != "revoked"}
    return stored == {(key["keyid"], key["public_key"]) for key in document["keys"]}


def _signed_by_stored_key(peer: Peer, document: dict[str, Any], keyid: str, now: int) -> bool:
    """The signature was checked with the document's key `keyid`; it counts for a known node
    only if that same public key is one the directory stored for it (and may still sign)."""
    row = db.session.get(PeerKey, keyid)
    listed = {key["keyid"]: key["public_key"] for key in document["keys"]}
    if row is None or row.peer_id != peer.id or row.public_key != listed.get(keyid):
        return False
    record = key_record(row, peer)
    return record.usable_at(now, accept_pending=True)


def handle_join(method: str, target: str, headers: HeaderInput, body: bytes, *,
                public_origin: str, now: int) -> JoinAnswer:
    """Verify a join or rotation and store what it asks; the caller signs the answer."""
    signer, document = verify_join_request(method, target, headers, body,
                                           public_origin=public_origin,
                                           nonces=nonce_store(now), now=now)
    moment = datetime.fromtimestamp(now, UTC)
    if _name_taken(document):
        return _taken("another node already uses this name")
    peer = peers.find_peer(document["node_id"])
    if peer is None:
        peer = peers.register_join_request(document, active_fingerprint(document))
        store_keys(peer, document, moment)
        db.session.commit()
        return JoinAnswer(202, {"status": "pending"})
    if not _signed_by_stored_key(peer, document, signer.keyid, now):
        return _taken("this node id is already used with other keys")
    if peer.status == PeerStatus.SUSPENDED:
        raise SignatureRefused("key_not_usable", f"node {peer.node_id!r} is suspended")
    if peer.status in (PeerStatus.PENDING, PeerStatus.REFUSED):
        if not _same_keys(peer, document):
            return _taken("a pending request cannot change its keys")
        peers.register_join_request(document, active_fingerprint(document))
        return JoinAnswer(202, {"status": "pending"})
    store_keys(peer, document, moment)  # a rotation signed by a stored key applies at once
    held = identity_changes.receive_document(peer, document, active_fingerprint(document))
    db.session.commit()
    keys = [{"keyid": row.keyid, "status": row.status} for row in peer_keys(peer)]
    answer: dict[str, Any] = {"status": "admitted", "keys": keys}
    if held:
        answer["held"] = held
    return JoinAnswer(200, answer)
