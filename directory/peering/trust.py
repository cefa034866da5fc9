"""Whom the directory trusts: nodes' stored keys, filtered by the node's admission.

Keys come only from the ``peer_key`` table (filled by a verified join or rotation): a key id
is never fetched as a URL. A key's effective status combines what the node's document said
(active, retiring, revoked) with the coordinator's decision on the node, so admitting,
refusing or suspending a node changes every one of its keys at once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select

from directory.extensions import db
from directory.models import Peer, PeerKey, PeerStatus, SeenNonce
from federation.keys import KeyRecord, KeyStatus, load_public_key_b64
from federation.nonces import SqlNonceStore
from federation.verification import KeyResolver

#: Peer status -> the status every non-revoked key of that peer reports.
ADMISSION_KEY_STATUS = {
    PeerStatus.PENDING: KeyStatus.PENDING,
    PeerStatus.REFUSED: KeyStatus.REVOKED,
    PeerStatus.SUSPENDED: KeyStatus.SUSPENDED,
}


def key_record(row: PeerKey, peer: Peer) -> KeyRecord:
    """The key as the verifier sees it today (admission applied)."""
    stored = KeyStatus(row.status)
    status = stored
    if stored is not KeyStatus.REVOKED and peer.status in ADMISSION_KEY_STATUS:
        status = ADMISSION_KEY_STATUS[PeerStatus(peer.status)]
    grace = int(row.grace_until.timestamp()) if row.grace_until else None
    return KeyRecord(row.keyid, peer.node_id, load_public_key_b64(row.public_key), status, grace)


def resolve_peer_key(keyid: str) -> KeyRecord | None:
    """The key resolver handed to the verifier: stored keys of known nodes only."""
    row = db.session.get(PeerKey, keyid)
    if row is None:
        return None
    peer = db.session.get(Peer, row.peer_id)
    return None if peer is None else key_record(row, peer)


def peer_keys(peer: Peer) -> list[PeerKey]:
    return list(db.session.scalars(select(PeerKey).where(PeerKey.peer_id == peer.id)
                                   .order_by(PeerKey.keyid)))


def node_key_resolver(peer: Peer) -> KeyResolver:
    """Resolver over one node's keys only, to verify its signed answers (feed pages)."""
    def resolve(keyid: str) -> KeyRecord | None:
        record = resolve_peer_key(keyid)
        return record if record is not None and record.node_id == peer.node_id else None
    return resolve


def node_keys_now(peer: Peer) -> dict[str, KeyRecord]:
    """The keys :func:`node_key_resolver` answers with, read once from the database now.

    For the pull's page reader (a thread or a process without an application context: it
    cannot query), key id → key as the node's keys stand when its feed read starts."""
    return {row.keyid: key_record(row, peer) for row in peer_keys(peer)}


def nonce_store(now: int) -> SqlNonceStore:
    return SqlNonceStore(db.engine, SeenNonce.__table__, now)


def purge_expired_nonces(now: datetime) -> int:
    result = db.session.execute(
        delete(SeenNonce).where(SeenNonce.expires_at < int(now.astimezone(UTC).timestamp())))
    return int(getattr(result, "rowcount", 0) or 0)

