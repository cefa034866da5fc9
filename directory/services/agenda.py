"""The network's agenda: upcoming rencontres across territories, and their iCalendar feeds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import format_datetime
from icalendar import Calendar, Event
from sqlalchemy import ColumnElement, func, select

from directory.extensions import db
from directory.models import EventEntry, EventOccurrence, Peer, Record, utcnow
from directory.services.audience import current_audience, event_condition
from directory.services.network import is_stale, shown
from directory.services.params import EventQuery
from directory.services.search import Page, commune_label, safe_url

FEED_PAST_DAYS = 30
FEED_LIMIT = 2000


def _filters(territory: str, since: datetime) -> list[ColumnElement[bool]]:
    """Occurrences not over at ``since`` (a series counts date by date)."""
    clauses: list[ColumnElement[bool]] = [
        shown(EventOccurrence.peer_id), EventOccurrence.ends_at >= since,
        EventOccurrence.record_id.in_(select(EventEntry.record_id).where(
            event_condition(current_audience())))]
    if territory:
        clauses.append(EventOccurrence.peer_id.in_(
            select(Peer.id).where(Peer.node_id == territory)))
    return clauses


def _rows(clauses: list[ColumnElement[bool]], offset: int, limit: int) -> list[Any]:
    return list(db.session.execute(
        select(EventEntry, Record.uuid, Record.payload, Peer, EventOccurrence.starts_at,
               EventOccurrence.ends_at)
        .select_from(EventOccurrence)
        .join(EventEntry, EventEntry.record_id == EventOccurrence.record_id)
        .join(Record, Record.id == EventOccurrence.record_id)
        .join(Peer, Peer.id == EventOccurrence.peer_id)
        .where(*clauses).order_by(EventOccurrence.starts_at, EventOccurrence.record_id)
        .offset(offset).limit(limit)))


def upcoming_events(query: EventQuery, page_size: int = 20,
                    now: datetime | None = None) -> Page:
    """Rencontres not yet over, soonest first, each date of a series in its place,
    suspended nodes excluded."""
    clauses = _filters(query.territory, now or utcnow())
    total = db.session.scalar(
        select(func.count()).select_from(EventOccurrence).where(*clauses)) or 0
    rows = _rows(clauses, (query.page - 1) * page_size, page_size)
    return Page([event_card(*row) for row in rows], total, query.page, page_size)


def event_card(entry: EventEntry, uuid: str, payload: dict[str, Any] | None,
               peer: Peer, starts_at: datetime | None = None,
               ends_at: datetime | None = None) -> dict[str, Any]:
    """An event as the site shows it; with ``starts_at``, one occurrence of it."""
    data = payload or {}
    start = starts_at or entry.starts_at
    end = ends_at if starts_at is not None else entry.ends_at
    return {
        "id": uuid, "title": entry.title or "?", "description": str(data.get("description") or ""),
        "starts_at": start, "ends_at": end if end and end > start else None,
        "when": format_datetime(start, "EEEE d MMMM y, HH:mm"),
        "venue_name": str(data.get("venue_name") or ""),
        "commune_code": entry.commune_code, "commune": commune_label(entry.commune_code),
        "cancelled": entry.cancelled, "recurring": bool(data.get("rrule")),
        "rrule": str(data.get("rrule") or ""),
        # No url: the rencontre is not public, its village page would answer 404.
        "url": safe_url(data.get("url")), "village_url": safe_url(peer.base_url),
        "territory": peer.node_id, "territory_name": peer.label, "stale": is_stale(peer),
    }


def find_event(record_id: str) -> dict[str, Any] | None:
    """One rencontre's card, for its page at the Pays (None if unknown or not shown): its
    next date for a series, else the rencontre as shared."""
    upcoming = _rows([*_filters("", utcnow()), Record.uuid == record_id], 0, 1)
    if upcoming:
        return event_card(*upcoming[0])
    row = db.session.execute(
        select(EventEntry, Record.uuid, Record.payload, Peer)
        .join(Record, Record.id == EventEntry.record_id)
        .join(Peer, Peer.id == EventEntry.peer_id)
        .where(Record.uuid == record_id, shown(EventEntry.peer_id),
               event_condition(current_audience())).limit(1)).first()
    return event_card(*row) if row is not None else None


def calendar_feed(territory: str = "", name: str = "") -> bytes:
    """An RFC 5545 calendar of the network's (or one territory's) rencontres."""
    clauses = _filters(territory, utcnow() - timedelta(days=FEED_PAST_DAYS))
    calendar = Calendar()
    calendar.add("prodid", "-//Chaleur//Annuaire du Pays//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name or current_app.config["SITE_NAME"])
    calendar.add("x-wr-timezone", "Europe/Paris")
    for row in _rows(clauses, 0, FEED_LIMIT):
        calendar.add_component(_ical_event(event_card(*row)))
    return bytes(calendar.to_ical())


def _ical_event(card: dict[str, Any]) -> Event:
    """One VEVENT per occurrence: a series arrives expanded, its cancelled dates left out and
    its moved dates in their new place, so every calendar shows what the Pays shows."""
    event = Event()
    stamp = card["starts_at"].strftime("%Y%m%dT%H%M%SZ")
    uid = f"{card['id']}-{stamp}" if card["recurring"] else card["id"]
    event.add("uid", f"{uid}@{card['territory']}")
    event.add("dtstamp", utcnow())
    event.add("dtstart", card["starts_at"])
    if card["ends_at"] and card["ends_at"] > card["starts_at"]:
        event.add("dtend", card["ends_at"])
    event.add("summary", card["title"])
    if card["description"]:
        event.add("description", card["description"])
    location = ", ".join(part for part in (card["venue_name"], card["commune"]) if part)
    if location:
        event.add("location", location)
    if card["url"] or card["village_url"]:
        event.add("url", card["url"] or card["village_url"])
    event.add("status", "CANCELLED" if card["cancelled"] else "CONFIRMED")
    return event


def coming_cards(territory: str, days: int, count: int,
                 now: datetime | None = None) -> list[tuple[dict[str, Any], datetime]]:
    """The next occurrences within ``days``, at most ``count``, each with when its record
    last changed: what the RSS and Atom feeds and the embedded agenda list."""
    now = now or utcnow()
    clauses = [*_filters(territory, now), EventOccurrence.starts_at < now + timedelta(days=days)]
    rows = db.session.execute(
        select(EventEntry, Record.uuid, Record.payload, Peer, EventOccurrence.starts_at,
               EventOccurrence.ends_at, Record.updated, Record.received_at)
        .select_from(EventOccurrence)
        .join(EventEntry, EventEntry.record_id == EventOccurrence.record_id)
        .join(Record, Record.id == EventOccurrence.record_id)
        .join(Peer, Peer.id == EventOccurrence.peer_id)
        .where(*clauses).order_by(EventOccurrence.starts_at, EventOccurrence.record_id)
        .limit(count))
    return [(event_card(entry, uuid, payload, peer, starts, ends), updated or received)
            for entry, uuid, payload, peer, starts, ends, updated, received in rows]
