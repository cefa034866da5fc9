"""Each facet value's members over every shown node, and the spellings of its label.

A value with many members (a common trade, a commune) keeps a bitset of their record ids
(:mod:`directory.services.bitsets`), so counting it among a search's matches is one AND and
one popcount; a rare one (most free-text trades and skills) keeps a plain set, small in
memory. Postings change by differences (the members that left and came), never rebuilt.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field

from directory.services.bitsets import bitset, positions
from directory.services.member_rows import RID, SPELLINGS, VALUES, Member, Value

#: A facet value keeps a bitset of its members once it has this many (and a plain set below
#: half that, so a value near the line does not switch at every change).
DENSE = 64
FACETS = ("trade", "skill", "commune")


@dataclass
class Posting:
    """One facet value over every slice: how many members, and which (a bitset if many)."""

    count: int = 0
    bits: int | None = None
    ids: set[int] = field(default_factory=set)  # while ``bits`` is None


class Postings:
    """The postings of every facet value, and how many shown members spell each label."""

    def __init__(self) -> None:
        self.facets: dict[str, dict[str, Posting]] = {facet: {} for facet in FACETS}
        self.spellings: dict[Value, Counter[str]] = {}
        self.values: dict[Value, Value] = {}  # one tuple per value, shared by its members

    def value(self, facet: str, key: str) -> Value:
        """The one tuple of this value: 100 000 members share a few thousand of them."""
        made = (facet, key)
        return self.values.get(made) or self.values.setdefault(made, (facet, sys.intern(key)))

    def bits_of(self, value: Value) -> int:
        posting = self.facets[value[0]].get(value[1])
        if posting is None:
            return 0
        return posting.bits if posting.bits is not None else bitset(posting.ids)

    def label(self, value: Value) -> str:
        """The highest spelling of a value (as SQL max()) among the shown members."""
        return max(self.spellings[value])

    def post(self, removed: list[Member], added: list[Member]) -> None:
        """Follow the members that left and came (the same record in both when it changed):
        each value's posting changes once, whatever the number of its members that did."""
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
        facet = self.facets[value[0]]
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
