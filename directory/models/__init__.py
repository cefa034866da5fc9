"""The directory's data: peers and decisions, received records and their search rows, accounts."""

from directory.models.base import UTCDateTime, utcnow
from directory.models.coordinator import Coordinator
from directory.models.federation import DirectoryIdentity, DirectoryKey, PeerKey, SeenNonce
from directory.models.fediverse import fediverse_tables
from directory.models.peer import AdmissionDecision, IdentityChange, Peer, PeerStatus
from directory.models.record import (
    RECORD_TYPES,
    EventEntry,
    EventOccurrence,
    ListingEntry,
    MemberEntry,
    MemberSkill,
    Record,
)

__all__ = [
    "AdmissionDecision", "Coordinator", "DirectoryIdentity", "DirectoryKey", "EventEntry",
    "EventOccurrence", "IdentityChange", "ListingEntry", "MemberEntry", "MemberSkill", "Peer",
    "PeerKey", "PeerStatus", "RECORD_TYPES", "Record", "SeenNonce", "UTCDateTime",
    "fediverse_tables", "utcnow",
]
