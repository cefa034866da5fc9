"""Whom this node trusts: the stored keys of its peers, and the nonces already seen.

Keys come only from the ``peer_key`` table (filled by ``chaleur federation join`` after the
fingerprint check, or by a signed rotation notice): a key id is never fetched as a URL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete

from federation.keys import KeyRecord, KeyStatus, load_public_key_b64
from federation.nonces import SqlNonceStore
from node.extensions import db
from node.models import NetworkCopy, Peer, PeerKey, SeenNonce

#: One accepted request in this many also deletes expired nonces.
PURGE_ONE_IN = 50


def key_record(row: PeerKey) -> KeyRecord:
    grace = int(row.grace_until.timestamp()) if row.grace_until else None
    return KeyRecord(row.keyid, row.node_id, load_public_key_b64(row.public_key),
                     KeyStatus(row.status), grace)


def village_key(keyid: str) -> KeyRecord | None:
    """Another village's key, as the network list the directory signed gives it (decisions
    between villages). Only keys whose id names the listed node count."""
    copy = db.session.get(NetworkCopy, 1)
    for node in (copy.data or {}).get("nodes", []) if copy is not None else []:
        for key in node.get("keys", []):
            if key.get("keyid") == keyid and keyid.startswith(f"{node.get('node_id')}:"):
                return KeyRecord(keyid, str(node["node_id"]),
                                 load_public_key_b64(str(key["public_key"])),
                                 KeyStatus(str(key.get("status", "active"))))
    return None


def resolve_peer_key(keyid: str) -> KeyRecord | None:
    """The key resolver handed to the verifier: the directory's stored keys, then other
    villages' keys from the signed network list.

    A key of a suspended peer reports `suspended`, so every request is key_not_usable."""
    row = db.session.get(PeerKey, keyid)
    if row is None:
        return village_key(keyid)
    record = key_record(row)
    peer = db.session.scalars(db.select(Peer).where(Peer.node_id == row.node_id)).first()
    if peer is None:
        return None
    if peer.status == "suspended":
        return KeyRecord(record.keyid, record.node_id, record.public_key, KeyStatus.SUSPENDED)
    return record


class DatabaseNonceStore(SqlNonceStore):
    """The node's nonce store: :class:`federation.nonces.SqlNonceStore` on ``seen_nonce``."""

    def __init__(self, now: int) -> None:
        super().__init__(db.engine, SeenNonce.__table__, now, PURGE_ONE_IN)


def purge_expired_nonces(now: datetime) -> int:
    result = db.session.execute(
        delete(SeenNonce).where(SeenNonce.expires_at < int(now.astimezone(UTC).timestamp())))
    return int(getattr(result, "rowcount", 0) or 0)
