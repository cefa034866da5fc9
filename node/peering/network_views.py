"""The Réseau page: the other villages, their members and rencontres, from the local copy.

It reads only :class:`~node.models.NetworkCopy` (fetched by the worker or
``chaleur federation pull-network``), so it stays readable while the directory is down.
Network-level fields are meant for the network's members, not for anonymous visitors,
so the page needs a signed-in account.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import render_template
from flask_babel import format_datetime
from flask_login import current_user, login_required

from federation.records import parse_utc
from node.extensions import db
from node.models import NetworkCopy
from node.peering import network_bp
from node.peering.membership import registered_directory
from node.services import network_contacts, network_questions
from node.services.community import commune_name
from node.services.villages import own_node_id

PARIS = ZoneInfo("Europe/Paris")


def _when(text: str | None) -> str:
    if not text:
        return ""
    return str(format_datetime(parse_utc(text).astimezone(PARIS), "EEEE d MMMM y 'à' HH:mm"))


def _upcoming(events: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    items = []
    for record in events:
        payload = record["payload"]
        end = parse_utc(payload.get("ends_at") or payload["starts_at"])
        if end >= now and not payload.get("cancelled"):
            items.append({"record": record, "payload": payload,
                          "when": _when(payload["starts_at"]),
                          "commune": commune_name(payload.get("commune_code", ""))})
    return sorted(items, key=lambda item: str(item["payload"]["starts_at"]))


def network_view(data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Group the copy for the template: villages, with their members and offers/needs."""
    listings: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in data.get("listings", []):
        listings[record["payload"]["member_id"]].append({**record["payload"], "id": record["id"]})
    members_by_origin: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in data.get("members", []):
        payload = record["payload"]
        members_by_origin[record["origin"]].append({
            "payload": payload, "commune": commune_name(payload.get("commune_code", "")),
            "id": record["id"],
            "listings": listings.get(record["id"], []), "uuid": record["id"],
            "origin": record["origin"]})
    territories = []
    for record in sorted(data.get("territories", []), key=lambda r: r["payload"]["name"]):
        payload = record["payload"]
        territories.append({
            "origin": record["origin"], "payload": payload,
            "communes": [commune_name(code) for code in payload.get("communes", [])],
            "members": sorted(members_by_origin.get(record["origin"], []),
                              key=lambda m: m["payload"]["display_name"])})
    return {"territories": territories, "events": _upcoming(data.get("events", []), now),
            "member_count": len(data.get("members", [])),
            "questions": network_questions.from_copy(data)}


@network_bp.get("/reseau")
@login_required
def page() -> str:
    copy = db.session.get(NetworkCopy, 1)
    directory = registered_directory()
    member = getattr(current_user, "member", None)  # who may keep people in a carnet
    view = network_view(copy.data, datetime.now(UTC)) if copy and copy.data else None
    stale = bool(copy and copy.last_error and copy.last_attempt_at
                 and (copy.fetched_at is None or copy.last_attempt_at > copy.fetched_at))
    return render_template(
        "node/network/page.html", view=view, directory=directory,
        own_node=own_node_id(), keeper=member,
        kept=network_contacts.kept_by(member) if member is not None else set(),
        fetched=format_datetime(copy.fetched_at.astimezone(PARIS), "d MMMM y 'à' HH:mm")
        if copy and copy.fetched_at else "",
        last_attempt=format_datetime(copy.last_attempt_at.astimezone(PARIS),
                                     "d MMMM y 'à' HH:mm")
        if copy and copy.last_attempt_at else "",
        stale=stale)
