"""Rencontres and the answers (RSVPs) members and guests give them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node.extensions import db
from node.models.base import SharedRecord, UTCDateTime, Visibility, utcnow
from node.models.community import Venue
from node.models.member import Member


class Event(SharedRecord, db.Model):  # type: ignore[name-defined,misc]
    """A rencontre, possibly recurring (RFC 5545 RRULE). Times are stored in UTC."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id", ondelete="SET NULL"))
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    rrule: Mapped[str] = mapped_column(String(255), default="")  # "" : a single occurrence
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.COMMUNITY)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Occurrences of a series cancelled one by one: their UTC starts (20260303T173000Z),
    # shared as the record's ``exdates``. Assign a new list to change it (JSON column).
    cancelled_dates: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"))

    venue: Mapped[Venue | None] = relationship()
    rsvps: Mapped[list[Rsvp]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Rsvp.created_at")


class RsvpStatus(StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    NOT_GOING = "not_going"
    WAITLISTED = "waitlisted"  # wants to come; promoted to GOING when a place frees up


class Rsvp(db.Model):  # type: ignore[name-defined,misc]
    """One person's answer to one occurrence of an event: a member or a guest."""

    __tablename__ = "rsvp"
    __table_args__ = (
        UniqueConstraint("event_id", "occurrence_at", "member_id"),
        UniqueConstraint("event_id", "occurrence_at", "guest_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    occurrence_at: Mapped[datetime] = mapped_column(UTCDateTime)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    guest_name: Mapped[str | None] = mapped_column(String(120))
    guest_email: Mapped[str | None] = mapped_column(String(254))
    guest_token_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    attended: Mapped[bool | None] = mapped_column(Boolean)
    # When the reminder for this occurrence was mailed (None: not yet), so it goes out once.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="rsvps")
    member: Mapped[Member | None] = relationship()

    @property
    def person_name(self) -> str:
        return self.member.display_name if self.member else (self.guest_name or "")
