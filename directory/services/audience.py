"""Who may see what of the network's records on the Pays site: decided here and nowhere else.

A node shares with the directory everything its members opened to the network (« Réseau »)
and to everyone (« Public »), and marks which part is public: a member payload lists its
public fields in ``public``; a listing or a rencontre carries ``"public": true`` when
everyone may see it. Anonymous visitors of the Pays site, its API and its feeds see only
that public part; the network copy the admitted nodes fetch over the signed protocol still
carries the network fields. A record without the mark (sent by a node of an earlier
version) is treated as network-only: nothing of it is shown to anonymous visitors.

The search rows (``member_entry``, ``member_skill``, ``listing_entry``, the full-text index)
are built from :func:`public_part` only, so a search can never find a member by a value
the visitor may not see; rencontres keep their row (the network copy lists them all) with
a ``public`` flag that :func:`event_condition` filters on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, true

from directory.models import EventEntry

#: Member payload fields that describe the share rather than the member.
MEMBER_LINKS = ("profile_url",)
#: Record types only the network's signed-in members ever see.
NETWORK_ONLY_TYPES = frozenset({"question"})


class Reach(StrEnum):
    """How far a viewer's sight goes on the Pays site."""

    PUBLIC = "public"  # anyone: an anonymous visitor
    NETWORK = "network"  # a signed-in member of an admitted node, or a signed peer


@dataclass(frozen=True)
class Audience:
    """Who is looking at the Pays site or its API."""

    reach: Reach

    @classmethod
    def anonymous(cls) -> Audience:
        return cls(Reach.PUBLIC)

    @classmethod
    def network(cls) -> Audience:
        return cls(Reach.NETWORK)


def current_audience() -> Audience:
    """Who asks, for this request: a member of an admitted village signed in here with
    their village (webui/village_sign_in.py) sees « Réseau »; anyone else the public part."""
    from webui.village_sign_in import current_member

    return Audience.network() if current_member() is not None else Audience.anonymous()


def is_public(kind: str, payload: dict[str, Any] | None) -> bool:
    """True when anyone may see this record (a member: at least who they are)."""
    return public_part(kind, payload) is not None


def public_part(kind: str, payload: dict[str, Any] | None) -> dict[str, Any] | None:
    """What of a shared record anyone may see, or None when it is for the network only.

    Members keep only the fields their payload names in ``public`` (and the link to their
    page on their node); a member whose name is not public is not shown at all. Listings
    and rencontres are all or nothing. Questions au réseau are asked to the network's
    members, never to anyone: nothing of them is public. Territories, places and shared
    decisions are public by nature: a village shares them to be seen.
    """
    if payload is None or kind in NETWORK_ONLY_TYPES:
        return None
    if kind == "member":
        marked = payload.get("public")
        fields = {str(name) for name in marked} if isinstance(marked, list) else set()
        if "display_name" not in fields:
            return None
        return {name: value for name, value in payload.items()
                if name in fields or name in MEMBER_LINKS}
    if kind in ("listing", "event"):
        return {name: value for name, value in payload.items() if name != "public"} \
            if payload.get("public") is True else None
    return payload


def visible_part(audience: Audience, kind: str,
                 payload: dict[str, Any] | None) -> dict[str, Any] | None:
    """What this audience may see of a shared record (None: nothing, not even that it
    exists)."""
    if audience.reach is Reach.NETWORK:
        if payload is None:
            return None
        return {name: value for name, value in payload.items() if name != "public"}
    return public_part(kind, payload)


def event_condition(audience: Audience) -> ColumnElement[bool]:
    """SQL mirror of :func:`visible_part` for rencontres (their rows carry the flag)."""
    if audience.reach is Reach.NETWORK:
        return true()
    return EventEntry.public.is_(True)


#: Members and listings at most on the page of the network-only part.
NETWORK_ONLY_LIMIT = 500


def network_only(audience: Audience, query: str = "") -> dict[str, list[dict[str, Any]]]:
    """What only the network sees (members whose name is not public, their listings), for a
    « Réseau » audience; nothing for anyone else. Not in the search rows (built from the
    public part), so read from the records, the words matched in Python: the network-only
    part is the smaller one, and the page is for signed-in members only."""
    from sqlalchemy import select

    from directory.extensions import db
    from directory.models import Peer, Record
    from directory.services.network import shown
    from vocabulary.text import words

    found: dict[str, list[dict[str, Any]]] = {"members": [], "listings": []}
    if audience.reach is not Reach.NETWORK:
        return found
    wanted = set(words(query))
    rows = db.session.execute(
        select(Record.type, Record.uuid, Record.payload, Peer.name, Peer.node_id)
        .join(Peer, Peer.id == Record.peer_id)
        .where(Record.type.in_(("member", "listing")), Record.deleted.is_(False),
               shown(Record.peer_id)).order_by(Record.updated.desc()))
    for kind, uuid, payload, name, node_id in rows:
        if payload is None or public_part(kind, payload) is not None:
            continue
        item = visible_part(audience, kind, payload) or {}
        text = " ".join(str(value) for value in item.values())
        if wanted and not wanted <= set(words(text)):
            continue
        bucket = found["members" if kind == "member" else "listings"]
        if len(bucket) < NETWORK_ONLY_LIMIT:
            bucket.append({**item, "id": uuid, "territory_name": name or node_id})
    found["members"].sort(key=lambda item: str(item.get("display_name", "")).lower())
    return found
