"""What to tell the fediverse about one rencontre, for a village and for the Pays alike.

Compared with what the fediverse was last told (``ap_object``): newly live → ``Create``,
still live → ``Update``, no longer live → ``Delete`` of a ``Tombstone`` (its id then answers
410), never published and still not → nothing. The activity and one delivery per follower
inbox are written on the caller's connection, in the caller's transaction.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection

from federation.activitypub import store, vocabulary
from federation.activitypub.store import Tables
from federation.activitypub.vocabulary import Actor, PublicEvent


def activity_id(actor: Actor) -> str:
    return f"{actor.id.rsplit('/', 1)[0]}/activities/{uuid_module.uuid4()}"


def announce_event(connection: Connection, tables: Tables, actor_of: Callable[[], Actor | None],
                   uuid: str, object_id: str, live: PublicEvent | None) -> str | None:
    """Record the activity this change calls for; return its type, or None when there is
    nothing to say (or no actor yet). ``actor_of`` is called only when something is said."""
    before = store.object_state(connection, tables, uuid)
    if live is None and before is not True:
        return None
    actor = actor_of()
    if actor is None:
        return None
    now = datetime.now(UTC)
    if live is not None:
        kind = "Update" if before is True else "Create"
        body = vocabulary.activity(kind, activity_id(actor), actor,
                                   vocabulary.event_object(live, actor), now)
    else:
        kind = "Delete"
        body = vocabulary.activity(kind, activity_id(actor), actor,
                                   vocabulary.tombstone(object_id, now), now)
    store.record_activity(connection, tables, body, public=True,
                          inboxes=store.follower_inboxes(connection, tables),
                          now=int(now.timestamp()))
    store.set_object_state(connection, tables, uuid, live is not None, int(now.timestamp()))
    return kind
