"""People of other villages kept in a member's address book, from the network copy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from node.extensions import db
from node.models.base import UTCDateTime, utcnow


class NetworkContact(db.Model):  # type: ignore[name-defined,misc]
    """A person of another village in a member's address book. ``profile`` is what the
    network copy showed of them (its network-level payload, nothing more): refreshed when
    the copy changes, the row removed when they are gone from it (services.network_contacts)."""

    __tablename__ = "network_contact"
    __table_args__ = (UniqueConstraint("owner_id", "node_id", "member_uuid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"),
                                          index=True)
    node_id: Mapped[str] = mapped_column(String(63))
    member_uuid: Mapped[str] = mapped_column(String(36))
    village: Mapped[str] = mapped_column(String(200), default="")
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
