"""The villages' public rencontres to the fediverse, in the transaction that stores them.

:func:`directory.services.aggregation.stage_batch` hands over the event records it has just
written; each is compared with what the fediverse was last told (``ap_object``), as on a
node: newly public → ``Create``, changed → ``Update``, no longer public (made network-only,
cancelled, deleted, or its village suspended) → ``Delete`` of a ``Tombstone``.
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import UTC, datetime
from typing import Any

from directory.extensions import db
from directory.fediverse.site import build_actor, event_id, is_published, public_event
from directory.models import Peer, fediverse_tables
from federation.activitypub import store, vocabulary


def publish_events(peer: Peer, rows: list[dict[str, Any]]) -> int:
    """Announce the stored event rows (``uuid``, ``payload``, ``deleted``, ``updated``);
    the caller commits. Returns how many activities were recorded."""
    if not rows:
        return 0
    session = db.session()
    connection = session.connection()
    actor = None
    recorded = 0
    for row in rows:
        uuid, payload = str(row["uuid"]), row.get("payload")
        live_event = None
        if not row.get("deleted") and is_published(payload, peer.status):
            live_event = public_event(uuid, payload or {}, peer.label,
                                      row.get("updated") or datetime.now(UTC))
        before = store.object_state(connection, fediverse_tables, uuid)
        if live_event is None and before is not True:
            continue
        actor = actor or build_actor(session)
        if actor is None:
            return recorded
        now = datetime.now(UTC)
        activity_id = f"{actor.id.rsplit('/', 1)[0]}/activities/{uuid_module.uuid4()}"
        if live_event is not None:
            body = vocabulary.activity("Update" if before is True else "Create", activity_id,
                                       actor, vocabulary.event_object(live_event, actor), now)
        else:
            body = vocabulary.activity("Delete", activity_id, actor,
                                       vocabulary.tombstone(event_id(uuid), now), now)
        store.record_activity(connection, fediverse_tables, body, public=True,
                              inboxes=store.follower_inboxes(connection, fediverse_tables),
                              now=int(now.timestamp()))
        store.set_object_state(connection, fediverse_tables, uuid, live_event is not None,
                               int(now.timestamp()))
        recorded += 1
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
