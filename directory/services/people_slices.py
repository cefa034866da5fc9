"""The shown nodes' members in memory, one *slice* per node, each as of a ``search_version``.

A slice follows its node by differences: the versions of the node's member records are read
(one small query), then only the members whose version changed (a push of one member: one
member). What left and came is returned for the postings
(:class:`directory.services.facet_postings.Postings`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field

from directory.services import member_rows
from directory.services.bitsets import bitset
from directory.services.member_rows import RID, Member, Value, read_members, record_versions

Stamp = tuple[str, int]  # (node id, search version)


@dataclass
class Slice:
    """One admitted node's members, at least as new as ``stamp`` says."""

    stamp: Stamp
    versions: dict[int, int] = field(default_factory=dict)  # every member record's version
    members: list[Member] = field(default_factory=list)  # live ones, in display order
    bits: int = 0  # their record ids


class ShownMembers:
    """The slices of the shown nodes, their members by record id, and all their ids."""

    def __init__(self) -> None:
        self.slices: dict[int, Slice] = {}  # peer id → slice
        self.nodes: dict[str, int] = {}  # node id → peer id, loaded slices only
        self.members: dict[int, Member] = {}
        self.everyone = 0

    def behind(self, peer_id: int, stamp: Stamp) -> bool:
        """Whether the database holds newer data for this node than its slice.

        ``search_version`` only grows (a peer row is never deleted, so its id never comes
        back), and a slice's members were read after its stamp: a slice stamped later than
        a search's peer read is newer, not different, and is kept."""
        held = self.slices.get(peer_id)
        return held is None or held.stamp[0] != stamp[0] or held.stamp[1] < stamp[1]

    def drop(self, peer_id: int) -> list[Member]:
        """Forget a node no longer shown; returns its members, for the postings."""
        piece = self.slices.pop(peer_id)
        self.nodes.pop(piece.stamp[0], None)
        self.everyone &= ~piece.bits
        for member in piece.members:
            del self.members[member[RID]]
        return piece.members

    def follow(self, peer_id: int, stamp: Stamp,
               value: Callable[[str, str], Value]) -> tuple[list[Member], list[Member]]:
        """Bring one node's slice to the database's state (read now, so at least as new as
        ``stamp``); returns the members that left and came."""
        piece = self.slices.get(peer_id) or Slice(stamp)
        versions = record_versions(peer_id)
        before = piece.versions
        changed = [rid for rid, version in versions.items() if before.get(rid) != version]
        removed = [self.members[rid] for rid, version in before.items()
                   if versions.get(rid) != version and rid in self.members]
        added = read_members(peer_id, changed, value)
        self.nodes.pop(piece.stamp[0], None)
        piece.stamp, piece.versions = stamp, versions
        self.slices[peer_id], self.nodes[stamp[0]] = piece, peer_id
        self._move(piece, removed, added)
        return removed, added

    def _move(self, piece: Slice, removed: list[Member], added: list[Member]) -> None:
        """Take the removed members out of a slice and put the added ones in, in order."""
        left = {member[RID] for member in removed}
        gone, came = bitset(left), bitset(m[RID] for m in added)
        piece.bits = piece.bits & ~gone | came
        self.everyone = self.everyone & ~gone | came
        if removed:
            piece.members = [m for m in piece.members if m[RID] not in left]
            for rid in left:
                del self.members[rid]
        if len(added) > member_rows.BY_ID:
            piece.members.extend(added)
            piece.members.sort()
        else:
            for member in added:
                bisect.insort(piece.members, member)
        self.members.update((member[RID], member) for member in added)
