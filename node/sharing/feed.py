"""The node's change feed as peers read it, and its retention.

Entries are stored without `origin` (a node id is an identity setting, not data); the
reader gets complete envelopes. Purging keeps what a reader could still need: the latest
entry of every record, and any tombstone not yet delivered from the outbox. Purging a
tombstone raises the horizon, so a reader behind it is told to resync (410) rather than
silently missing a deletion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select

from federation import feed as wire
from node.extensions import db
from node.models import FeedEntry, OutboxEntry, utcnow
from node.peering.identity import feed_secret, require_identity

UNDELIVERED = ("pending", "retrying")


def read_feed(cursor: str | None, limit: int) -> dict[str, Any]:
    """One page after `cursor` (CursorInvalid / ResyncRequired for a bad or stale one)."""
    identity = require_identity()
    secret = feed_secret()
    after = wire.read_cursor(cursor, secret=secret, epoch=identity.feed_epoch,
                             horizon_seq=identity.feed_horizon_seq)
    rows = db.session.scalars(select(FeedEntry).where(FeedEntry.seq > after)
                              .order_by(FeedEntry.seq).limit(limit + 1)).all()
    entries = [wire.FeedEntry(row.seq, {**row.envelope, "origin": identity.node_id})
               for row in rows]
    return wire.build_page(entries, limit, after=after, epoch=identity.feed_epoch, secret=secret)


def page_limit(raw: str | None) -> int:
    """`limit` from the query string, clamped to 1..100 (default 100)."""
    try:
        value = int(raw) if raw else wire.MAX_PAGE
    except ValueError:
        value = wire.MAX_PAGE
    return min(max(value, 1), wire.MAX_PAGE)


@dataclass(frozen=True)
class PurgeReport:
    superseded: int
    tombstones: int
    horizon_seq: int


def purge_feed(now: datetime | None = None) -> PurgeReport:
    """Drop superseded entries and tombstones older than FEED_RETENTION_DAYS; the caller
    commits. Delivered outbox rows of purged entries go with them."""
    now = now or utcnow()
    cutoff = now - timedelta(days=int(current_app.config["FEED_RETENTION_DAYS"]))
    identity = require_identity()
    latest = (select(func.max(FeedEntry.seq)).group_by(FeedEntry.record_uuid)).scalar_subquery()
    undelivered = select(OutboxEntry.feed_seq).where(OutboxEntry.state.in_(UNDELIVERED))
    superseded = list(db.session.scalars(
        select(FeedEntry.seq).where(FeedEntry.created_at < cutoff,
                                    FeedEntry.seq.not_in(latest))))
    tombstones = list(db.session.scalars(
        select(FeedEntry.seq).where(FeedEntry.created_at < cutoff, FeedEntry.deleted.is_(True),
                                    FeedEntry.seq.in_(latest),
                                    FeedEntry.seq.not_in(undelivered))))
    doomed = superseded + tombstones
    if doomed:
        db.session.execute(delete(OutboxEntry).where(OutboxEntry.feed_seq.in_(doomed)))
        db.session.execute(delete(FeedEntry).where(FeedEntry.seq.in_(doomed)))
    if tombstones:
        identity.feed_horizon_seq = max(identity.feed_horizon_seq, max(tombstones))
    return PurgeReport(len(superseded), len(tombstones), identity.feed_horizon_seq)
