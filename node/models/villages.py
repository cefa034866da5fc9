"""Signed messages from this node to other villages (decisions between villages), with their
delivery bookkeeping: the row is the delivery state, as for the directory outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from node.extensions import db
from node.models.base import UTCDateTime, utcnow


class VillageMessage(db.Model):  # type: ignore[name-defined,misc]
    """One notice for another village's inbox. ``topic`` names what the notice is about
    (a decision's uuid): a newer tally for the same decision replaces the body of one that
    was not delivered yet, so only the latest leaves."""

    __tablename__ = "village_message"
    __table_args__ = (UniqueConstraint("node_id", "kind", "topic"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    node_id: Mapped[str] = mapped_column(String(63))
    kind: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
