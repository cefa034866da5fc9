"""The shown members in memory, for the people search: facet postings and display order.

Counting facets in SQL visits every matching row once per facet: once a search matches a
fifth of 100 000 members that is tens of milliseconds per facet (and the skills facet joins
three skill rows per member), and a live directory changes every few seconds, so counts
cached per search rarely survive long. Here each admitted node's members are a *slice* held
in memory, and each facet value (a trade, a skill, a commune) with many members has a bitset
of their record ids (:mod:`directory.services.bitsets`): a count is one AND and one
popcount, whatever the number of matches.

The database stays the only truth. Every write to a node's searched rows raises
``peer.search_version`` in the same transaction (:func:`mark_changed`); before each search,
:meth:`PeopleIndex.sync` compares the versions it holds with the peer table and, for each node
that changed, reads the versions of its member records and then only the members whose
version changed; it loads newly admitted nodes and drops the others (a suspended node's
members leave at once). A search therefore never sees older data than a plain SQL query
would; each process (and each app) keeps its own index.
"""

from __future__ import annotations

import bisect
import heapq
import logging
import sys
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Final, NamedTuple

from flask import Flask, current_app
from sqlalchemy import select, update

from directory.extensions import db
from directory.models import Peer
from directory.services.bitsets import as_bytes, bitset, contains, positions
from directory.services.network import SHOWN_STATUS

#: A facet value keeps a bitset of its members once it has this many (and a plain set below
#: half that): rare values (most free-text trades and skills) stay small in memory.
DENSE = 64
#: Up to this many matches, facets are counted member by member; beyond, value by value.
FEW = 3000
#: A search matching at least 1/DENSITY of the members walks the display order for its
#: first results; a sparser one sorts its matches.
DENSITY = 20
#: Changed members of a node beyond which all its members are read rather than by id.
BY_ID = 200
FACETS = ("trade", "skill", "commune")
EXTENSION_KEY = "chaleur_directory_people_index"
log = logging.getLogger("chaleur.directory.search")

Value = tuple[str, str]  # (facet, key): ("trade", "menuisier"), ("commune", "67437")...
#: One shown member: (sort key, record id, its values, their spellings). Members compare in
#: the directory's display order (the record id is unique, so the values are never compared).
#: Plain tuples, not objects: the garbage collector stops tracking tuples of strings, and a
#: full collection walking 100 000 members would pause a search for 100 ms.
Member = tuple[str, int, tuple[Value, ...], tuple[str, ...]]
RID: Final = 1
VALUES: Final = 2
SPELLINGS: Final = 3


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


@dataclass
class Slice:
    """One admitted node's members, as of one ``search_version``."""

    stamp: tuple[str, int]  # (node id, search version)
    versions: dict[int, int] = field(default_factory=dict)  # every member record's version
    members: list[Member] = field(default_factory=list)  # live ones, in display order
    bits: int = 0  # their record ids


@dataclass
class Posting:
    """One facet value over every slice: how many members, and which (a bitset if many)."""

    count: int = 0
    bits: int | None = None
    ids: set[int] = field(default_factory=set)  # while ``bits`` is None


@dataclass(frozen=True)
class Criteria:
    """A people search as sets: every given part must hold."""

    text: Sequence[int] | None = None  # record ids matching the words
    values: tuple[Value, ...] = ()  # required trade, skill, commune
    near: tuple[str, ...] | None = None  # communes, any of them
    territory: str | None = None  # node id


@dataclass(frozen=True)
class Found:
    total: int
    counts: dict[str, list[tuple[str, int]]]  # facet → (key, count), best first
    territories: dict[str, int]  # node id → count
    labels: dict[Value, str]
    first: list[int]  # record ids of the first results, in display order


def _top(counts: Iterable[tuple[str, int]], limit: int) -> list[tuple[str, int]]:
    """Most frequent first, then by key (as ORDER BY count DESC, key)."""
    return heapq.nsmallest(limit, ((key, n) for key, n in counts if n),
                           key=lambda item: (-item[1], item[0]))


class PeopleIndex:
    """Slices of the admitted nodes, and the postings of every facet value over them."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.slices: dict[int, Slice] = {}
        self.nodes: dict[str, int] = {}  # node id → peer id, loaded slices only
        self.members: dict[int, Member] = {}
        self.everyone = 0
        self.postings: dict[str, dict[str, Posting]] = {facet: {} for facet in FACETS}
        self.spellings: dict[Value, Counter[str]] = {}
        self.values: dict[Value, Value] = {}  # one tuple per value, shared by its members

    # --- following the database ------------------------------------------------------------

    def sync(self, peers: Iterable[PeerState]) -> None:
        """Follow what changed since the last search; drop the nodes no longer shown."""
        wanted = {peer.id: (peer.node_id, peer.search_version) for peer in peers
                  if peer.status == SHOWN_STATUS}
        with self.lock:
            removed: list[Member] = []
            added: list[Member] = []
            for peer_id in [p for p in self.slices if p not in wanted]:
                removed.extend(self._drop(peer_id))
            for peer_id, stamp in wanted.items():
                held = self.slices.get(peer_id)
                if held is None or held.stamp != stamp:
                    left, came = self._follow(peer_id, stamp, held or Slice(stamp))
                    removed.extend(left)
                    added.extend(came)
            self._post(removed, added)  # once for all nodes: each value's bitset once

    def _drop(self, peer_id: int) -> list[Member]:
        piece = self.slices.pop(peer_id)
        self.nodes.pop(piece.stamp[0], None)
        self.everyone &= ~piece.bits
        for member in piece.members:
            del self.members[member[RID]]
        return piece.members

    def _follow(self, peer_id: int, stamp: tuple[str, int],
                piece: Slice) -> tuple[list[Member], list[Member]]:
        """Bring one node's slice to the database's state, reading again only the members
        whose record version changed (a push of one member: one member); returns the
        members that left and came, for :meth:`_post`."""
        versions: dict[int, int] = dict(_rows(_VERSIONS, peer_id))
        before = piece.versions
        changed = [rid for rid, version in versions.items() if before.get(rid) != version]
        removed = [self.members[rid] for rid, version in before.items()
                   if versions.get(rid) != version and rid in self.members]
        added = self._read(peer_id, changed)
        self.nodes.pop(piece.stamp[0], None)
        piece.stamp, piece.versions = stamp, versions
        self.slices[peer_id], self.nodes[stamp[0]] = piece, peer_id
        left = {member[RID] for member in removed}
        gone, came = bitset(left), bitset(m[RID] for m in added)
        piece.bits = piece.bits & ~gone | came
        self.everyone = self.everyone & ~gone | came
        if removed:
            piece.members = [m for m in piece.members if m[RID] not in left]
            for rid in left:
                del self.members[rid]
        if len(added) > BY_ID:
            piece.members.extend(added)
            piece.members.sort()
        else:
            for member in added:
                bisect.insort(piece.members, member)
        self.members.update((member[RID], member) for member in added)
        return removed, added

    def _post(self, removed: list[Member], added: list[Member]) -> None:
        """Update postings and spellings for members that left and came (the same record
        in both when it changed)."""
        changes: dict[Value, tuple[list[int], list[int]]] = {}
        spelled: Counter[tuple[Value, str]] = Counter()
        for side, members in ((0, removed), (1, added)):
            for member in members:
                rid = member[RID]
                for value in member[VALUES]:
                    entry = changes.get(value)
                    if entry is None:
                        entry = changes[value] = ([], [])
                    entry[side].append(rid)
            pairs = (pair for member in members
                     for pair in zip(member[VALUES], member[SPELLINGS], strict=True) if pair[1])
            if side:
                spelled.update(pairs)
            else:
                spelled.subtract(pairs)
        for (value, spelling), step in spelled.items():
            if step:
                self._spell(value, spelling, step)
        for value, (gone, came) in changes.items():
            if gone != came:
                self._repost(value, gone, came)

    def _spell(self, value: Value, spelling: str, step: int) -> None:
        spellings = self.spellings.get(value)
        if spellings is None:
            spellings = self.spellings[value] = Counter()
        spellings[spelling] += step
        if spellings[spelling] <= 0:
            del spellings[spelling]
            if not spellings:
                del self.spellings[value]

    def _repost(self, value: Value, gone: list[int], came: list[int]) -> None:
        facet = self.postings[value[0]]
        posting = facet.get(value[1])
        if posting is None:
            posting = facet[value[1]] = Posting()
        posting.count += len(came) - len(gone)
        if posting.count <= 0:
            del facet[value[1]]
            self.values.pop(value, None)
        elif posting.bits is not None:
            posting.bits = posting.bits & ~bitset(gone) | bitset(came)
            if posting.count < DENSE // 2:
                posting.ids, posting.bits = set(positions(posting.bits)), None
        else:
            posting.ids.difference_update(gone)
            posting.ids.update(came)
            if posting.count >= DENSE:
                posting.bits, posting.ids = bitset(posting.ids), set()

    def bits_of(self, value: Value) -> int:
        posting = self.postings[value[0]].get(value[1])
        if posting is None:
            return 0
        return posting.bits if posting.bits is not None else bitset(posting.ids)

    def _read(self, peer_id: int, changed: list[int]) -> list[Member]:
        """The members among these record ids (deleted ones have no row), from the
        database; many of them: the node's whole member list, filtered."""
        if not changed:
            return []
        if len(changed) > BY_ID:
            wanted = set(changed)
            postgres = db.session.connection().dialect.name == "postgresql"
            skills = [row for row in _rows(_NODE_SKILLS_PG if postgres else _NODE_SKILLS,
                                           peer_id) if row[0] in wanted]
            rows = [row for row in _rows(_NODE_MEMBERS, peer_id) if row[0] in wanted]
        else:
            skills = _rows_by_id(_SKILLS_BY_ID, changed)
            rows = _rows_by_id(_MEMBERS_BY_ID, changed)
        return self._built(skills, rows)

    def _built(self, skill_rows: list[Any], member_rows: list[Any]) -> list[Member]:
        """Member tuples from ``member_entry`` and ``member_skill`` rows."""
        shared = self.values

        def value(facet: str, key: str) -> Value:
            made = (facet, key)
            return shared.get(made) or shared.setdefault(made, (facet, sys.intern(key)))

        skills: dict[int, list[tuple[Value, str]]] = {}
        for rid, key, spelling in skill_rows:
            pair = (value("skill", key), sys.intern(spelling))
            if rid in skills:
                skills[rid].append(pair)
            else:
                skills[rid] = [pair]
        members: list[Member] = []
        for rid, sort_key, trade_key, trade, commune in member_rows:
            pairs = skills.get(rid, [])
            if trade_key:
                pairs.append((value("trade", trade_key), sys.intern(trade)))
            if commune:
                pairs.append((value("commune", commune), ""))
            values, spellings = zip(*pairs, strict=True) if pairs else ((), ())
            members.append((sort_key, rid, values, spellings))
        return members

    # --- searching ----------------------------------------------------------------------------

    def matching(self, criteria: Criteria) -> int:
        """The bitset of the members meeting every criterion."""
        if criteria.territory is None:
            found = self.everyone
        else:
            peer_id = self.nodes.get(criteria.territory)
            found = self.slices[peer_id].bits if peer_id is not None else 0
        for value in criteria.values:
            found &= self.bits_of(value)
        if criteria.near is not None:
            nearby = 0
            for code in criteria.near:
                nearby |= self.bits_of(("commune", code))
            found &= nearby
        if criteria.text is not None and found:
            found &= bitset(criteria.text)
        return found

    def find(self, criteria: Criteria, first: int, limit: int) -> Found:
        """Total, facet counts (``limit`` values per facet) and the first ``first`` ids."""
        with self.lock:
            found = self.matching(criteria)
            total = found.bit_count()
            few = positions(found) if total <= FEW else None
            counts = self._counted(found, few, limit)
            territories = {piece.stamp[0]: n for piece in self.slices.values()
                           if (n := (found & piece.bits).bit_count())}
            labels = self._labels(value for facet in ("trade", "skill")
                                  for value in ((facet, key) for key, _ in counts[facet]))
            return Found(total, counts, territories, labels,
                         self._first(found, total, first, few))

    def ordered(self, criteria: Criteria, first: int) -> list[int]:
        """Only the first ``first`` ids (for pages beyond the cached ones)."""
        with self.lock:
            found = self.matching(criteria)
            return self._first(found, found.bit_count(), first, None)

    def _counted(self, found: int, few: list[int] | None,
                 limit: int) -> dict[str, list[tuple[str, int]]]:
        if few is not None:
            return self._counted_by_member(few, FACETS, limit)
        counts: dict[str, list[tuple[str, int]]] = {}
        for facet in FACETS:
            best = self._counted_by_value(facet, found, limit)
            counts[facet] = best if best is not None else \
                self._counted_by_member(positions(found), (facet,), limit)[facet]
        return counts

    def _counted_by_member(self, ids: list[int], facets: Sequence[str],
                           limit: int) -> dict[str, list[tuple[str, int]]]:
        members = self.members
        tally = Counter(chain.from_iterable(members[rid][VALUES] for rid in ids))
        by_facet: dict[str, list[tuple[str, int]]] = {facet: [] for facet in facets}
        for (facet, key), n in tally.items():
            if facet in by_facet:
                by_facet[facet].append((key, n))
        return {facet: _top(items, limit) for facet, items in by_facet.items()}

    def _counted_by_value(self, facet: str, found: int,
                          limit: int) -> list[tuple[str, int]] | None:
        """Counts from the bitsets, most frequent values first, stopping when no other value
        can enter the top; None when a value without a bitset still could."""
        heavy: list[tuple[int, str, int]] = []
        postings = self.postings[facet]
        for key, posting in postings.items():
            if posting.bits is not None:
                heavy.append((-posting.count, key, posting.bits))
        heavy.sort(key=lambda item: (item[0], item[1]))
        best: list[tuple[int, str]] = []  # (-count, key), best first
        for most, key, bits in heavy:
            if len(best) >= limit and -most < -best[-1][0]:
                break
            n = (found & bits).bit_count()
            if n:
                bisect.insort(best, (-n, key))
                del best[limit:]
        if len(heavy) < len(postings) and (len(best) < limit or -best[-1][0] < DENSE):
            return None
        return [(key, -n) for n, key in best]

    def _labels(self, values: Iterable[Value]) -> dict[Value, str]:
        """The highest spelling of each value (as SQL max()), among the shown members."""
        return {value: max(self.spellings[value]) for value in values}

    def _first(self, found: int, total: int, first: int, few: list[int] | None) -> list[int]:
        """The first ``first`` matches in display order: walked in that order when they are
        dense, else sorted (only the matches)."""
        if not total or first <= 0:
            return []
        if total * DENSITY >= len(self.members):
            raw, picked = as_bytes(found), []
            for member in heapq.merge(*(piece.members for piece in self.slices.values())):
                if contains(raw, member[RID]):
                    picked.append(member[RID])
                    if len(picked) == first:
                        break
            return picked
        return heapq.nsmallest(first, few if few is not None else positions(found),
                               key=self.members.__getitem__)


_VERSIONS = "SELECT id, version FROM record WHERE peer_id = {mark} AND type = 'member'"
_NODE_SKILLS = ("SELECT record_id, skill_key, skill FROM member_skill WHERE record_id IN "
                "(SELECT record_id FROM member_entry WHERE peer_id = {mark})")
# PostgreSQL hashes a join or an IN over the whole skill table (50 ms a node at 100 000
# members); an array of the node's member ids makes it use the primary key (1 ms).
_NODE_SKILLS_PG = ("SELECT record_id, skill_key, skill FROM member_skill WHERE record_id = "
                   "ANY(ARRAY(SELECT record_id FROM member_entry WHERE peer_id = {mark}))")
_NODE_MEMBERS = ("SELECT record_id, sort_key, trade_key, trade, commune_code "
                 "FROM member_entry WHERE peer_id = {mark}")
_SKILLS_BY_ID = "SELECT record_id, skill_key, skill FROM member_skill WHERE record_id IN ({marks})"
_MEMBERS_BY_ID = ("SELECT record_id, sort_key, trade_key, trade, commune_code "
                  "FROM member_entry WHERE record_id IN ({marks})")


def _rows(sql: str, *params: Any) -> list[Any]:
    """All rows of a query, straight from the driver's cursor: thousands of rows per node,
    and any per-row layer above the driver would cost more than the query itself."""
    connection = db.session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql.format(mark=mark, marks=", ".join([mark] * len(params))), params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _rows_by_id(sql: str, ids: list[int]) -> list[Any]:
    return [row for start in range(0, len(ids), BY_ID)
            for row in _rows(sql, *ids[start:start + BY_ID])]


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
