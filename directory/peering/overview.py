"""The network overview served back to admitted nodes (docs/federation.md section 8.2).

Built from the aggregated store with the same "shown nodes" filter as every public page, so
a suspended node's records are never handed out. Each list holds live envelopes with their
own origin; only envelopes that still pass the schemas are included, because a node keeps
the whole copy or none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from directory.extensions import db
from directory.models import EventOccurrence, Peer, PeerKey, Record, utcnow
from directory.services.network import shown
from federation.errors import RecordRefused
from federation.jsonbody import dump_json_body
from federation.records import validate_record

MAX_ITEMS = 1000
#: Below the signed client's 1 MiB response cap, leaving room for headers and rounding.
MAX_BYTES = 1000 * 1024
SECTIONS = {"territories": "community", "members": "member", "listings": "listing",
            "events": "event", "questions": "question"}


def _rfc3339(value: datetime | None) -> str:
    moment = value or utcnow()
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _envelope(record: Record, origin: str) -> dict[str, Any] | None:
    data = {"type": record.type, "id": record.uuid, "origin": origin,
            "version": record.version, "updated": _rfc3339(record.updated),
            "deleted": False, "payload": record.payload}
    try:
        return validate_record(data).as_json()
    except RecordRefused:
        return None


def _section(record_type: str, now: datetime) -> list[dict[str, Any]]:
    query = (select(Record, Peer.node_id).join(Peer, Peer.id == Record.peer_id)
             .where(Record.type == record_type, Record.deleted.is_(False),
                    shown(Record.peer_id)))
    if record_type == "event":  # by its next date: a series started long ago is upcoming
        upcoming = (select(EventOccurrence.record_id,
                           func.min(EventOccurrence.starts_at).label("next_at"))
                    .where(EventOccurrence.ends_at >= now)
                    .group_by(EventOccurrence.record_id).subquery())
        query = (query.join(upcoming, upcoming.c.record_id == Record.id)
                 .order_by(upcoming.c.next_at, Record.id))
    else:
        query = query.order_by(Record.updated.desc(), Record.id)
    items = []
    for record, origin in db.session.execute(query.limit(MAX_ITEMS * 2)):
        envelope = _envelope(record, origin)
        if envelope is not None:
            items.append(envelope)
        if len(items) == MAX_ITEMS:
            break
    return items


def village_addresses() -> list[dict[str, Any]]:
    """How admitted nodes reach each other (decisions between villages): each node's id,
    name, base URL, inbox path and usable keys, as the directory verified them at admission
    and rotation. A node trusts another village's signature only through this signed list."""
    peers = db.session.scalars(select(Peer).where(shown(Peer.id)).order_by(Peer.node_id))
    found = []
    for peer in peers:
        keys = [{"keyid": key.keyid, "public_key": key.public_key, "status": key.status}
                for key in db.session.scalars(select(PeerKey).where(
                    PeerKey.peer_id == peer.id, PeerKey.status.in_(("active", "retiring"))))]
        endpoints = (peer.document or {}).get("endpoints", {})
        inbox = str(endpoints.get("inbox", ""))
        if keys and inbox.startswith("/") and peer.base_url:
            village = {"node_id": peer.node_id, "name": peer.name or peer.node_id,
                       "base_url": peer.base_url, "inbox": inbox, "keys": keys}
            if str(endpoints.get("sign_in", "")).startswith("/"):
                village["sign_in"] = str(endpoints["sign_in"])  # its sign-in redirect
            found.append(village)
    return found[:MAX_ITEMS]


def network_overview(now: datetime | None = None) -> dict[str, Any]:
    """`{"generated", "nodes", "territories", "members", "listings", "events",
    "questions"}`, at most
    1,000 items per list and under 1 MiB in all (the largest record list loses its oldest
    items first; the nodes are never cut)."""
    now = now or utcnow()
    overview: dict[str, Any] = {"generated": _rfc3339(now), "nodes": village_addresses()}
    for section, record_type in SECTIONS.items():
        overview[section] = _section(record_type, now)
    while len(dump_json_body(overview)) > MAX_BYTES:
        largest = max(SECTIONS, key=lambda name: len(overview[name]))
        keep = len(overview[largest]) * 9 // 10
        overview[largest] = overview[largest][:keep]
    return overview
