"""Records received from nodes, and the denormalised rows the site and the search read.

``Record`` keeps every envelope as received (a tombstone keeps its version, so an older update
arriving late cannot bring a deleted record back). The ``*_entry`` tables hold the few columns
pages filter, sort and facet on; they exist only for live (non-deleted) records.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from directory.extensions import db
from directory.models.base import UTCDateTime, utcnow

RECORD_TYPES = ("community", "venue", "member", "event", "listing", "decision",
                "question")


class Record(db.Model):  # type: ignore[name-defined,misc]
    """One envelope as received. Its id names this record forever, never another one
    (AUTOINCREMENT on SQLite, a sequence on PostgreSQL): the people index knows a member by
    its (id, version) and would keep a dropped member whose id came back with version 1."""

    __tablename__ = "record"
    #: A record id names one record, of one node and one type: ownership holds by id
    #: across types (services/aggregation.py checks it first, to refuse cleanly).
    __table_args__ = (UniqueConstraint("uuid", name="uq_record_uuid"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    uuid: Mapped[str] = mapped_column(String(64))
    peer_id: Mapped[int] = mapped_column(ForeignKey("peer.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    updated: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MemberEntry(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "member_entry"

    record_id: Mapped[int] = mapped_column(
        ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    peer_id: Mapped[int] = mapped_column(Integer, index=True)
    uuid: Mapped[str] = mapped_column(String(64), index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    sort_key: Mapped[str] = mapped_column(String(200), index=True)
    trade: Mapped[str] = mapped_column(String(200), default="")
    trade_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    commune_code: Mapped[str] = mapped_column(String(5), default="", index=True)


class MemberSkill(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "member_skill"

    record_id: Mapped[int] = mapped_column(
        ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    skill_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    skill: Mapped[str] = mapped_column(String(200))

    # Clustered on (record, skill) in SQLite: one b-tree less to write per skill.
    __table_args__ = (Index("ix_member_skill_key", "skill_key"), {"sqlite_with_rowid": False})


class ListingEntry(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "listing_entry"

    record_id: Mapped[int] = mapped_column(
        ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    peer_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(8), index=True)
    title: Mapped[str] = mapped_column(String(300))
    member_uuid: Mapped[str] = mapped_column(String(64), default="", index=True)
    updated: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EventEntry(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "event_entry"

    record_id: Mapped[int] = mapped_column(
        ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    peer_id: Mapped[int] = mapped_column(Integer, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    commune_code: Mapped[str] = mapped_column(String(5), default="")
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(Text, default="")
    #: Anyone may see it (else the network's members only: see services/audience.py).
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class EventOccurrence(db.Model):  # type: ignore[name-defined,misc]
    """One dated occurrence of a live event record, the series expanded with its exceptions
    (:func:`federation.recurrence.occurrences`): what the agenda, feeds and figures count.
    Cancelled and excluded dates have no row; a cancelled whole event keeps its rows, marked
    by ``EventEntry.cancelled``."""

    __tablename__ = "event_occurrence"

    record_id: Mapped[int] = mapped_column(
        ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    peer_id: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_event_occurrence_starts_at", "starts_at"),
                      Index("ix_event_occurrence_peer", "peer_id", "starts_at"))
