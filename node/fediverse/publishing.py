"""Rencontres to the fediverse, in the transaction that changes them.

After each flush, every rencontre created, changed or deleted is compared with what the
fediverse was last told (``ap_object``): newly published → ``Create``, still published and
changed → ``Update``, no longer published (made private, cancelled, deleted) → ``Delete``
of a ``Tombstone``, after which its id answers ``410 Gone``. The activity and one delivery
per follower inbox are inserted on the flush's own connection, so nothing is announced
that was not saved, and nothing saved goes unannounced. Registered by ``create_app``.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from federation.activitypub import store, vocabulary
from federation.activitypub.announce import activity_id, announce_event
from federation.activitypub.vocabulary import Actor
from node.fediverse.site import build_actor, event_id, is_published, public_event
from node.models import Community, Event, fediverse_tables

FLAG = "fediverse_added"


def _changed_events(session: Session) -> list[tuple[Event, bool]]:
    found = [(obj, False) for obj in session.new if isinstance(obj, Event)]
    found += [(obj, False) for obj in session.dirty if isinstance(obj, Event)
              and session.is_modified(obj, include_collections=False)]
    found += [(obj, True) for obj in session.deleted if isinstance(obj, Event)]
    return found


def _announce_profile(session: Session) -> None:
    """The village's public page changed (name, presentation): followers get
    ``Update{Group}``, so their copy of the account follows. Nothing is said while nobody
    follows (and the signing key is then not even loaded)."""
    if not any(isinstance(obj, Community) and session.is_modified(obj) for obj in session.dirty):
        return
    connection = session.connection()
    inboxes = store.follower_inboxes(connection, fediverse_tables)
    if not inboxes:
        return
    from node.fediverse.site import NodeFediverse

    actor = NodeFediverse().actor()
    if actor is None:
        return
    now = datetime.now(UTC)
    store.record_activity(connection, fediverse_tables,
                          vocabulary.activity("Update", activity_id(actor), actor,
                                              vocabulary.actor_document(actor), now),
                          public=False, inboxes=inboxes, now=int(now.timestamp()))
    session.info[FLAG] = True


def publish_changes(session: Session, flush_context: Any) -> None:
    """The after-flush hook (see the module's docstring)."""
    _announce_profile(session)
    changed = _changed_events(session)
    if not changed:
        return
    connection = session.connection()

    @functools.cache
    def actor_of() -> Actor | None:  # built once, and only when something is announced
        return build_actor(session)

    for event, deleted in changed:
        live = public_event(event) if not deleted and is_published(event) else None
        if announce_event(connection, fediverse_tables, actor_of, event.uuid,
                          event_id(event.uuid), live):
            session.info[FLAG] = True


def _wake(session: Session) -> None:
    if session.info.pop(FLAG, False):
        from node.sharing.worker import wake_worker

        wake_worker()


def _forget(session: Session) -> None:
    session.info.pop(FLAG, None)


def init_publishing() -> None:
    """Register the hooks once per process (they are on the Session class, shared by every
    app of the process; each reads its own app's configuration when it runs)."""
    for name, hook in (("after_flush", publish_changes), ("after_commit", _wake),
                       ("after_rollback", _forget)):
        if not sa_event.contains(Session, name, hook):
            sa_event.listen(Session, name, hook)
