"""A people search answered from the index: its matches, facet counts and first results.

Matches are a bitset (the shown members, ANDed with each criterion's); facets are then
counted member by member when the matches are few, value by value (one AND and one popcount
each, stopping when no other value can enter the top) when they are many; the first results
are found by walking the display order when they are dense, by sorting them when sparse.
The caller holds the index's lock: nothing here changes while it counts.
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

from directory.services import facet_postings
from directory.services.bitsets import as_bytes, bitset, contains, positions
from directory.services.facet_postings import FACETS, Postings
from directory.services.member_rows import RID, VALUES, Value
from directory.services.people_slices import ShownMembers

#: Up to this many matches, facets are counted member by member; beyond, value by value.
FEW = 3000
#: A search matching at least 1/DENSITY of the members walks the display order for its
#: first results; a sparser one sorts its matches.
DENSITY = 20


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


def matching(shown: ShownMembers, postings: Postings, criteria: Criteria) -> int:
    """The bitset of the members meeting every criterion."""
    if criteria.territory is None:
        found = shown.everyone
    else:
        peer_id = shown.nodes.get(criteria.territory)
        found = shown.slices[peer_id].bits if peer_id is not None else 0
    for value in criteria.values:
        found &= postings.bits_of(value)
    if criteria.near is not None:
        nearby = 0
        for code in criteria.near:
            nearby |= postings.bits_of(("commune", code))
        found &= nearby
    if criteria.text is not None and found:
        found &= bitset(criteria.text)
    return found


def found(shown: ShownMembers, postings: Postings, criteria: Criteria, first: int,
          limit: int) -> Found:
    """Total, facet counts (``limit`` values per facet) and the first ``first`` ids."""
    bits = matching(shown, postings, criteria)
    total = bits.bit_count()
    few = positions(bits) if total <= FEW else None
    counts = _counted(shown, postings, bits, few, limit)
    territories = {piece.stamp[0]: n for piece in shown.slices.values()
                   if (n := (bits & piece.bits).bit_count())}
    labels = {value: postings.label(value) for facet in ("trade", "skill")
              for value in ((facet, key) for key, _ in counts[facet])}
    return Found(total, counts, territories, labels, first_ids(shown, bits, first, few))


def first_ids(shown: ShownMembers, bits: int, first: int, few: list[int] | None) -> list[int]:
    """The first ``first`` matches in display order: walked in that order when they are
    dense, else sorted (only the matches)."""
    total = bits.bit_count()
    if not total or first <= 0:
        return []
    if total * DENSITY >= len(shown.members):
        raw, picked = as_bytes(bits), []
        for member in heapq.merge(*(piece.members for piece in shown.slices.values())):
            if contains(raw, member[RID]):
                picked.append(member[RID])
                if len(picked) == first:
                    break
        return picked
    return heapq.nsmallest(first, few if few is not None else positions(bits),
                           key=shown.members.__getitem__)


def _counted(shown: ShownMembers, postings: Postings, bits: int, few: list[int] | None,
             limit: int) -> dict[str, list[tuple[str, int]]]:
    if few is not None:
        return _counted_by_member(shown, few, FACETS, limit)
    counts: dict[str, list[tuple[str, int]]] = {}
    for facet in FACETS:
        best = _counted_by_value(postings, facet, bits, limit)
        counts[facet] = best if best is not None else \
            _counted_by_member(shown, positions(bits), (facet,), limit)[facet]
    return counts


def _counted_by_member(shown: ShownMembers, ids: list[int], facets: Sequence[str],
                       limit: int) -> dict[str, list[tuple[str, int]]]:
    members = shown.members
    tally = Counter(chain.from_iterable(members[rid][VALUES] for rid in ids))
    by_facet: dict[str, list[tuple[str, int]]] = {facet: [] for facet in facets}
    for (facet, key), n in tally.items():
        if facet in by_facet:
            by_facet[facet].append((key, n))
    return {facet: _top(items, limit) for facet, items in by_facet.items()}


def _counted_by_value(postings: Postings, facet: str, bits: int,
                      limit: int) -> list[tuple[str, int]] | None:
    """Counts from the bitsets, most frequent values first, stopping when no other value
    can enter the top; None when a value without a bitset still could."""
    heavy: list[tuple[int, str, int]] = []
    values = postings.facets[facet]
    for key, posting in values.items():
        if posting.bits is not None:
            heavy.append((-posting.count, key, posting.bits))
    heavy.sort(key=lambda item: (item[0], item[1]))
    best: list[tuple[int, str]] = []  # (-count, key), best first
    for most, key, value_bits in heavy:
        if len(best) >= limit and -most < -best[-1][0]:
            break
        n = (bits & value_bits).bit_count()
        if n:
            bisect.insort(best, (-n, key))
            del best[limit:]
    if len(heavy) < len(values) and (len(best) < limit or -best[-1][0] < facet_postings.DENSE):
        return None
    return [(key, -n) for n, key in best]


def _top(counts: Iterable[tuple[str, int]], limit: int) -> list[tuple[str, int]]:
    """Most frequent first, then by key (as ORDER BY count DESC, key)."""
    return heapq.nsmallest(limit, ((key, n) for key, n in counts if n),
                           key=lambda item: (-item[1], item[0]))
