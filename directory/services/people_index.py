"""The shown members in memory, for the people search: facet postings and display order.

Counting facets in SQL visits every matching row once per facet: once a search matches a
fifth of 100 000 members that is tens of milliseconds per facet (and the skills facet joins
three skill rows per member), and a live directory changes every few seconds, so counts
cached per search rarely survive long. Here each admitted node's members are a slice held in
memory (:mod:`directory.services.people_slices`), each facet value has a posting of their
record ids (:mod:`directory.services.facet_postings`) and a search is answered from them
(:mod:`directory.services.people_counts`).

The database stays the only truth. Every write to a node's searched rows raises
``peer.search_version`` in the same transaction (:func:`mark_changed`). A search reads the
peer table once (:func:`network_state`), then, holding the index's lock for both, brings the
index to that state and counts: each slice stamped older than the peer read is followed (its
member records read now, so at least as new as the peer read), the nodes not shown in it are
dropped, the others are added. A search therefore never answers with data older than its own
peer read, even when another thread's search, with an older peer read, synced in between;
and once writes stop, the next search brings every slice to the final state. This relies on
a record id never naming two records (see the ``record`` model): an unchanged (id, version)
is an unchanged member. Each process (and each app) keeps its own index.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any, NamedTuple

from flask import Flask, current_app
from sqlalchemy import select, update

from directory.extensions import db
from directory.models import Peer
from directory.services import people_counts
from directory.services.facet_postings import Postings
from directory.services.member_rows import Member
from directory.services.network import SHOWN_STATUS
from directory.services.people_counts import Criteria, Found
from directory.services.people_slices import ShownMembers

EXTENSION_KEY = "chaleur_directory_people_index"
log = logging.getLogger("chaleur.directory.search")


def mark_changed(peer_id: int) -> None:
    """Note, in the current transaction, that a node's searched rows changed.

    An atomic increment in SQL (not read-modify-write): two concurrent batches of the same
    node each raise the version, so no process keeps the members of the first one only.
    """
    db.session.execute(update(Peer).where(Peer.id == peer_id)
                       .values(search_version=Peer.search_version + 1)
                       .execution_options(synchronize_session=False))


class PeerState(NamedTuple):
    """What a search depends on for one node: read once per search."""

    id: int
    node_id: str
    name: str
    status: str
    search_version: int


def network_state() -> tuple[PeerState, ...]:
    """Every node's state (a hundred rows at most), in id order."""
    rows = db.session.connection().execute(select(
        Peer.id, Peer.node_id, Peer.name, Peer.status, Peer.search_version).order_by(Peer.id))
    return tuple(PeerState(*row) for row in rows)


class PeopleIndex:
    """The shown members and the postings of every facet value over them, behind one lock:
    a search syncs and counts without another thread's sync in between."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.shown = ShownMembers()
        self.postings = Postings()

    def find(self, peers: Iterable[PeerState], criteria: Criteria, first: int,
             limit: int) -> Found:
        """Total, facet counts (``limit`` values per facet) and the first ``first`` ids, as
        of this peer read or newer."""
        with self.lock:
            self.sync(peers)
            return people_counts.found(self.shown, self.postings, criteria, first, limit)

    def ordered(self, peers: Iterable[PeerState], criteria: Criteria, first: int) -> list[int]:
        """Only the first ``first`` ids (for pages beyond the cached ones)."""
        with self.lock:
            self.sync(peers)
            bits = people_counts.matching(self.shown, self.postings, criteria)
            return people_counts.first_ids(self.shown, bits, first, None)

    def sync(self, peers: Iterable[PeerState]) -> None:
        """Follow what changed since the slices' stamps; drop the nodes no longer shown."""
        wanted = {peer.id: (peer.node_id, peer.search_version) for peer in peers
                  if peer.status == SHOWN_STATUS}
        shown = self.shown
        with self.lock:
            removed: list[Member] = []
            added: list[Member] = []
            for peer_id in [p for p in shown.slices if p not in wanted]:
                removed.extend(shown.drop(peer_id))
            for peer_id, stamp in wanted.items():
                if shown.behind(peer_id, stamp):
                    left, came = shown.follow(peer_id, stamp, self.postings.value)
                    removed.extend(left)
                    added.extend(came)
            self.postings.post(removed, added)  # once for all nodes: each value's bitset once


def current_index() -> PeopleIndex:
    """This app's index (created empty on first use; the first search fills it)."""
    extensions: dict[str, Any] = current_app.extensions
    index = extensions.get(EXTENSION_KEY)
    if index is None:
        with _creating:
            index = extensions.setdefault(EXTENSION_KEY, PeopleIndex())
    return index  # type: ignore[no-any-return]


_creating = threading.Lock()


def refresh() -> None:
    """Bring this app's index up to date now (at start, so no visitor waits for the load)."""
    current_index().sync(network_state())
    db.session.rollback()


def warm_in_background(app: Flask) -> threading.Thread:
    """Load the index in a thread at start: about a second per 100 000 members, which the
    first visitor would otherwise wait (searches meanwhile wait for the load, then use it)."""

    def load() -> None:
        with app.app_context():
            try:
                refresh()
            except Exception:  # noqa: BLE001 - the first search loads it instead
                log.exception("loading the people index failed")
            finally:
                db.session.remove()

    thread = threading.Thread(target=load, name="chaleur-directory-people-index", daemon=True)
    thread.start()
    return thread
