"""What the public sees of the network: the one place that hides suspended nodes' records.

Every page, search, feed, statistic and API answer starts from :func:`shown_peer_ids` (through
:func:`shown`) or, for the people search held in memory, from :data:`SHOWN_STATUS`, so
suspending a node hides all its records at once, everywhere, with no rebuild. Staleness is
computed here too: a node whose last successful exchange is older than ``STALE_AFTER_HOURS``
keeps its records shown, with a mark.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, select

from directory.extensions import db
from directory.models import Peer, PeerStatus, utcnow

#: The status of the nodes whose records the public may see.
SHOWN_STATUS = PeerStatus.ADMITTED


def shown_peer_ids() -> Select[int]:
    """``SELECT id`` of the nodes whose records the public may see (admitted ones)."""
    return select(Peer.id).where(Peer.status == SHOWN_STATUS)


def shown(peer_column: Any) -> ColumnElement[bool]:
    """The filter every public query applies to its rows' ``peer_id`` column."""
    return peer_column.in_(shown_peer_ids())  # type: ignore[no-any-return]


def shown_peers() -> list[Peer]:
    """The admitted nodes, by name."""
    return list(db.session.scalars(
        select(Peer).where(Peer.id.in_(shown_peer_ids())).order_by(Peer.name, Peer.node_id)))


def find_shown_peer(peer_id: int) -> Peer | None:
    """The admitted node with this database id, or None (suspended nodes are not found)."""
    return db.session.scalars(
        select(Peer).where(Peer.id == peer_id, Peer.id.in_(shown_peer_ids()))).first()


def stale_after() -> timedelta:
    return timedelta(hours=float(current_app.config["STALE_AFTER_HOURS"]))


def is_stale(peer: Peer, now: datetime | None = None) -> bool:
    """True when the node has not exchanged successfully for longer than allowed."""
    if peer.last_success_at is None:
        return True
    return (now or utcnow()) - peer.last_success_at > stale_after()
