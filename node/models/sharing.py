"""What this node announces to the network: its change feed and its delivery outbox.

Both are written in the same transaction as the change itself (the transactional-outbox
pattern), so a change can never be saved without being announced, nor announced unsaved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from node.extensions import db
from node.models.base import UTCDateTime, utcnow


class FeedEntry(db.Model):  # type: ignore[name-defined,misc]
    """One shared record (or tombstone) in node-local sequence order."""

    __tablename__ = "feed_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_type: Mapped[str] = mapped_column(String(16))
    record_uuid: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    envelope: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class OutboxEntry(db.Model):  # type: ignore[name-defined,misc]
    """A change waiting to be pushed to the directory, with its retry bookkeeping."""

    __tablename__ = "outbox_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    feed_seq: Mapped[int] = mapped_column(Integer, index=True)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
