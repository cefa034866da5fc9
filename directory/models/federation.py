"""The directory's own identity on the network, its peers' keys, and nonces already seen.

Private keys are never stored here: only key ids and public halves; the private PEM stays
in ``instance/keys/`` with mode 0600. A peer key's *stored* status is what the node's
document said (active, retiring, revoked); whether it may sign today also depends on the
node's admission (see :mod:`directory.peering.trust`), so admitting or suspending a node
changes every key of it at once without rewriting them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from directory.extensions import db
from directory.models.base import UTCDateTime, utcnow


class DirectoryIdentity(db.Model):  # type: ignore[name-defined,misc]
    """This directory's node id and current key (exactly one row, written by ``init``)."""

    __tablename__ = "directory_identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[str] = mapped_column(String(63), unique=True)
    current_keyid: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DirectoryKey(db.Model):  # type: ignore[name-defined,misc]
    """One generation of the directory's signing key (public half only)."""

    __tablename__ = "directory_key"

    keyid: Mapped[str] = mapped_column(String(80), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))  # base64url of the raw 32 bytes
    status: Mapped[str] = mapped_column(String(16), default="active")
    grace_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PeerKey(db.Model):  # type: ignore[name-defined,misc]
    """A node's public key as its join or rotation announced it: the only source of keys."""

    __tablename__ = "peer_key"

    keyid: Mapped[str] = mapped_column(String(80), primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("peer.id"), index=True)
    public_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|retiring|revoked
    grace_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SeenNonce(db.Model):  # type: ignore[name-defined,misc]
    """A signature nonce already accepted; the unique pair refuses replays in every worker."""

    __tablename__ = "seen_nonce"
    __table_args__ = (UniqueConstraint("keyid", "nonce", name="uq_seen_nonce"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    keyid: Mapped[str] = mapped_column(String(80))
    nonce: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[int] = mapped_column(Integer, index=True)  # unix time
