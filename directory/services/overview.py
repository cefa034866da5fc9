"""The network at a glance: territories with their contact and health, and the statistics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

import communes
from directory.extensions import db
from directory.models import (
    EventEntry,
    EventOccurrence,
    MemberEntry,
    MemberSkill,
    Peer,
    Record,
    utcnow,
)
from directory.services.network import is_stale, shown, shown_peers
from directory.services.search import commune_label, safe_url

TOP = 20


def community_payloads() -> dict[int, dict[str, Any]]:
    """peer id → the community record it shares (its most recent one)."""
    rows = db.session.execute(
        select(Record.peer_id, Record.payload)
        .where(Record.type == "community", Record.deleted.is_(False), shown(Record.peer_id))
        .order_by(Record.updated))
    return {peer_id: payload or {} for peer_id, payload in rows}


def territories(now: datetime | None = None) -> list[dict[str, Any]]:
    """Each admitted node with its community page, counts and exchange health."""
    now = now or utcnow()
    pages = community_payloads()
    members = dict(db.session.execute(
        select(MemberEntry.peer_id, func.count()).where(shown(MemberEntry.peer_id))
        .group_by(MemberEntry.peer_id)).all())
    events = dict(db.session.execute(
        select(EventOccurrence.peer_id, func.count())
        .join(EventEntry, EventEntry.record_id == EventOccurrence.record_id)
        .where(shown(EventOccurrence.peer_id), EventOccurrence.starts_at >= now,
               EventEntry.cancelled.is_(False))
        .group_by(EventOccurrence.peer_id)).all())
    result = []
    for peer in shown_peers():
        page = pages.get(peer.id, {})
        codes = [str(code) for code in page.get("communes") or [] if isinstance(code, str)]
        result.append({
            "peer": peer, "node_id": peer.node_id,
            "name": str(page.get("name") or peer.label),
            "description": str(page.get("description") or ""),
            "communes": [{"code": code, "name": commune_label(code)} for code in codes],
            "contact_name": str(page.get("contact_name") or ""),
            "contact_role": str(page.get("contact_role") or ""),
            "contact_email": str(page.get("contact_email") or ""),
            "contact_phone": str(page.get("contact_phone") or ""),
            "url": safe_url(page.get("url")) or safe_url(peer.base_url),
            "members": members.get(peer.id, 0), "upcoming_events": events.get(peer.id, 0),
            "last_success_at": peer.last_success_at, "stale": is_stale(peer, now),
        })
    return result


def near_choices() -> list[str]:
    """Commune names suggested for « Près de »: the Pays's and the territories' communes,
    as « Name » (the field also takes any other commune of the registry, or a code)."""
    codes = set(communes.pays().codes)
    for page in community_payloads().values():
        codes.update(str(code) for code in page.get("communes") or [] if isinstance(code, str))
    found = (communes.find(code) for code in codes)
    return sorted({c.name for c in found if c is not None}, key=communes.fold)


def member_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(MemberEntry).where(shown(MemberEntry.peer_id))) or 0


def _month(column: Any) -> Any:
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def statistics() -> dict[str, list[tuple[str, int]]]:
    """Tables of counts: members per territory, trades, skills, rencontres per month."""
    count = func.count().label("n")
    per_territory = db.session.execute(
        select(Peer.name, Peer.node_id, count).join(MemberEntry, MemberEntry.peer_id == Peer.id)
        .where(shown(MemberEntry.peer_id)).group_by(Peer.name, Peer.node_id)
        .order_by(count.desc(), Peer.name))
    trades = db.session.execute(
        select(func.max(MemberEntry.trade), count)
        .where(shown(MemberEntry.peer_id), MemberEntry.trade_key != "")
        .group_by(MemberEntry.trade_key).order_by(count.desc(), MemberEntry.trade_key).limit(TOP))
    skills = db.session.execute(
        select(func.max(MemberSkill.skill), count)
        .join(MemberEntry, MemberEntry.record_id == MemberSkill.record_id)
        .where(shown(MemberEntry.peer_id))
        .group_by(MemberSkill.skill_key).order_by(count.desc(), MemberSkill.skill_key).limit(TOP))
    month = _month(EventOccurrence.starts_at).label("month")
    months = db.session.execute(  # each date of a series counts, its cancelled dates not
        select(month, count)
        .join(EventEntry, EventEntry.record_id == EventOccurrence.record_id)
        .where(shown(EventOccurrence.peer_id), EventEntry.cancelled.is_(False))
        .group_by(month).order_by(month))
    return {
        "territories": [(name or node_id, n) for name, node_id, n in per_territory],
        "trades": [(label, n) for label, n in trades],
        "skills": [(label, n) for label, n in skills],
        "months": [(label, n) for label, n in months],
    }
