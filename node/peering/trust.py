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
from node.models import Peer, PeerKey, SeenNonce

#: One accepted request in this many also deletes expired nonces.
PURGE_ONE_IN = 50


def key_record(row: PeerKey) -> KeyRecord:
    grace = int(row.grace_until.timestamp()) if row.grace_until else None
    return KeyRecord(row.keyid, row.node_id, load_public_key_b64(row.public_key),
                     KeyStatus(row.status), grace)


def resolve_peer_key(keyid: str) -> KeyRecord | None:
    """The key resolver handed to the verifier: stored keys only.

    A key of a suspended peer reports `suspended`, so every request is key_not_usable."""
    row = db.session.get(PeerKey, keyid)
    if row is None:
        return None
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
