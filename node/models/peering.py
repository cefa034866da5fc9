"""Who this node is on the network, and whom it trusts there.

The node's own identity (node id, signing keys, feed epoch and horizon) lives next to the
peers it knows (the Pays directory and that directory's keys) and the nonces it has
already accepted. Private keys are never stored here: only their key id and public half;
the private PEM stays in ``instance/keys/`` with mode 0600.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from node.extensions import db
from node.models.base import UTCDateTime, utcnow
from webui.federation_tables import OwnIdentityColumns, PublicKeyColumns, SeenNonceColumns


class NodeIdentity(OwnIdentityColumns, db.Model):  # type: ignore[name-defined,misc]
    """This node's name on the network (exactly one row, written by ``chaleur init``)."""

    __tablename__ = "node_identity"

    # Feed generation: raised when the sequence is rebuilt (restore), so old cursors resync.
    feed_epoch: Mapped[int] = mapped_column(Integer, default=1)
    # Highest feed sequence already purged: a cursor behind it may have missed a tombstone.
    feed_horizon_seq: Mapped[int] = mapped_column(Integer, default=0)


class NodeKey(PublicKeyColumns, db.Model):  # type: ignore[name-defined,misc]
    """One generation of this node's signing key (public half only), for the node document."""

    __tablename__ = "node_key"


class PeerRole:
    DIRECTORY = "directory"


class Admission:
    """This node's admission at the directory, as last seen in the directory's answers."""

    REQUESTED = "requested"  # join sent, the coordinator has not approved it yet
    ADMITTED = "admitted"  # the directory accepted a signed request of ours
    NOT_USABLE = "not_usable"  # the directory answered key_not_usable (pending/suspended)
    UNKNOWN_KEY = "unknown_key"  # the directory does not know our key (rotation unannounced?)


class Peer(db.Model):  # type: ignore[name-defined,misc]
    """The Pays directory this node belongs to (trusted after a fingerprint check)."""

    __tablename__ = "peer"

    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[str] = mapped_column(String(63), unique=True)
    base_url: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=PeerRole.DIRECTORY)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|suspended
    fingerprint: Mapped[str] = mapped_column(String(24))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    admission: Mapped[str] = mapped_column(String(16), default=Admission.REQUESTED)
    admission_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def endpoint(self, name: str) -> str:
        """Absolute URL of one of the peer's endpoints (paths on its base_url only)."""
        return self.base_url + str(self.document["endpoints"][name])


class PeerKey(PublicKeyColumns, db.Model):  # type: ignore[name-defined,misc]
    """A peer's public key as this node stores it; the only source of peer keys."""

    __tablename__ = "peer_key"

    node_id: Mapped[str] = mapped_column(String(63), index=True)


class SeenNonce(SeenNonceColumns, db.Model):  # type: ignore[name-defined,misc]
    """A signature nonce already accepted; the unique pair refuses replays in every worker."""

    __tablename__ = "seen_nonce"


class NetworkCopy(db.Model):  # type: ignore[name-defined,misc]
    """The latest network overview fetched from the directory (one row), for the Réseau page."""

    __tablename__ = "network_copy"

    id: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
