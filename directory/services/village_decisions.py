"""« Ce que décident les villages »: the decisions and open proposals villages share.

A village shares a decision only when its members chose to (title, kind, dates, outcome;
never an answer or a name); the records arrive through the usual inbox and feed, type
``decision``. Few enough to sort in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import format_date
from sqlalchemy import select

from directory.extensions import db
from directory.models import Peer, Record
from directory.services.network import shown
from directory.services.search import safe_url
from federation.records import parse_utc

LIMIT = 500
PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class SharedDecision:
    title: str
    description: str
    kind: str
    state: str
    closes_at: datetime | None
    closes_on: str
    outcome: str
    participants: int | None
    villages: list[str]
    url: str
    territory: str
    territory_name: str


def _time(value: Any) -> datetime | None:
    try:
        return parse_utc(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _day(moment: datetime | None) -> str:
    return str(format_date(moment.astimezone(PARIS).date(), "d MMMM y")) if moment else ""


def _card(record: Record, peer: Peer, names: dict[str, str]) -> SharedDecision:
    data: dict[str, Any] = record.payload or {}
    return SharedDecision(
        str(data.get("title") or "?"), str(data.get("description") or ""),
        str(data.get("kind") or ""), str(data.get("state") or "open"),
        _time(data.get("closes_at")), _day(_time(data.get("closes_at"))),
        str(data.get("outcome") or ""),
        data.get("participants") if isinstance(data.get("participants"), int) else None,
        [names.get(str(node), str(node)) for node in data.get("villages") or []],
        safe_url(data.get("url")), peer.node_id, peer.label)


def shared_decisions() -> tuple[list[SharedDecision], list[SharedDecision]]:
    """Open proposals (closing soonest first) and closed decisions (latest first)."""
    names = {peer.node_id: peer.label for peer in db.session.scalars(select(Peer))}
    rows = db.session.execute(
        select(Record, Peer).join(Peer, Peer.id == Record.peer_id)
        .where(Record.type == "decision", Record.deleted.is_(False), shown(Record.peer_id))
        .order_by(Record.updated.desc()).limit(LIMIT))
    cards = [_card(record, peer, names) for record, peer in rows]
    def when(card: SharedDecision) -> float:
        return card.closes_at.timestamp() if card.closes_at else float("inf")

    still_open = sorted((c for c in cards if c.state == "open"), key=when)
    done = sorted((c for c in cards if c.state != "open"), key=when, reverse=True)
    return still_open, done
