"""Which Pays directory this node joined, if any: a database question, nothing more.

Kept apart from :mod:`node.peering.trust` (stored keys, nonces) so the Réseau page and the
background worker can ask it without importing the signing stack.
"""

from __future__ import annotations

from node.extensions import db
from node.models import Peer, PeerRole


def registered_directory() -> Peer | None:
    """The Pays directory this node joined, if any."""
    return db.session.scalars(db.select(Peer).where(Peer.role == PeerRole.DIRECTORY)).first()
