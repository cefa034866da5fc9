"""The directory's own identity on the network, its peers' keys, and nonces already seen.

Private keys are never stored here: only key ids and public halves; the private PEM stays
in ``instance/keys/`` with mode 0600. A peer key's *stored* status is what the node's
document said (active, retiring, revoked); whether it may sign today also depends on the
node's admission (see :mod:`directory.peering.trust`), so admitting or suspending a node
changes every key of it at once without rewriting them.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from directory.extensions import db
from webui.federation_tables import OwnIdentityColumns, PublicKeyColumns, SeenNonceColumns


class DirectoryIdentity(OwnIdentityColumns, db.Model):  # type: ignore[name-defined,misc]
    """This directory's node id and current key (exactly one row, written by ``init``)."""

    __tablename__ = "directory_identity"


class DirectoryKey(PublicKeyColumns, db.Model):  # type: ignore[name-defined,misc]
    """One generation of the directory's signing key (public half only)."""

    __tablename__ = "directory_key"


class PeerKey(PublicKeyColumns, db.Model):  # type: ignore[name-defined,misc]
    """A node's public key as its join or rotation announced it: the only source of keys."""

    __tablename__ = "peer_key"

    peer_id: Mapped[int] = mapped_column(ForeignKey("peer.id"), index=True)


class SeenNonce(SeenNonceColumns, db.Model):  # type: ignore[name-defined,misc]
    """A signature nonce already accepted; the unique pair refuses replays in every worker."""

    __tablename__ = "seen_nonce"
