"""The villages' public rencontres to the fediverse, in the transaction that stores them.

:func:`directory.services.aggregation.stage_batch` hands over the event records it has just
written; each is compared with what the fediverse was last told (``ap_object``), as on a
node: newly public → ``Create``, changed → ``Update``, no longer public (made network-only,
cancelled, deleted, or its village suspended) → ``Delete`` of a ``Tombstone``.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from directory.extensions import db
from directory.fediverse.site import build_actor, event_id, is_published, public_event
from directory.models import Peer, fediverse_tables
from federation.activitypub.announce import announce_event
from federation.activitypub.vocabulary import Actor


def publish_events(peer: Peer, rows: list[dict[str, Any]]) -> int:
    """Announce the stored event rows (``uuid``, ``payload``, ``deleted``, ``updated``);
    the caller commits. Returns how many activities were recorded."""
    if not rows:
        return 0
    session = db.session()
    connection = session.connection()

    @functools.cache
    def actor_of() -> Actor | None:  # built once, and only when something is announced
        return build_actor(session)

    recorded = 0
    for row in rows:
        uuid, payload = str(row["uuid"]), row.get("payload")
        live = None
        if not row.get("deleted") and is_published(payload, peer.status):
            live = public_event(uuid, payload or {}, peer.label,
                                row.get("updated") or datetime.now(UTC))
        recorded += announce_event(connection, fediverse_tables, actor_of, uuid,
                                   event_id(uuid), live) is not None
    return recorded


def republish_village(peer: Peer) -> int:
    """After a suspension (or a reinstatement): the village's rencontres leave the fediverse
    (Delete) or come back (Create), by the same rule as everything else."""
    from sqlalchemy import select

    from directory.models import Record

    rows = [{"uuid": record.uuid, "payload": record.payload, "deleted": record.deleted,
             "updated": record.updated} for record in db.session.scalars(
        select(Record).where(Record.peer_id == peer.id, Record.type == "event"))]
    return publish_events(peer, rows)
