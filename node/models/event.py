"""Rencontres and the answers (RSVPs) members and guests give them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
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
    """One person's answer to one occurrence of an event: a member, a guest, or a member of
    another village signed in here with their village (a *visitor*: ``home_village`` and
    ``home_member``, their node id and member UUID at home; never an e-mail address, their
    village tells them, see :mod:`node.sharing.visitor_answers`)."""

    __tablename__ = "rsvp"
    __table_args__ = (
        UniqueConstraint("event_id", "occurrence_at", "member_id"),
        UniqueConstraint("event_id", "occurrence_at", "guest_email"),
        UniqueConstraint("event_id", "occurrence_at", "home_village", "home_member",
                         name="uq_rsvp_visitor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    occurrence_at: Mapped[datetime] = mapped_column(UTCDateTime)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    guest_name: Mapped[str | None] = mapped_column(String(120))
    guest_email: Mapped[str | None] = mapped_column(String(254))
    guest_token_hash: Mapped[str | None] = mapped_column(String(64))
    home_village: Mapped[str | None] = mapped_column(String(63))
    home_member: Mapped[str | None] = mapped_column(String(36))
    visitor_name: Mapped[str | None] = mapped_column(String(120))  # « Prénom N. »
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
        if self.member:
            return self.member.display_name
        if self.home_village:
            return f"{self.visitor_name or ''} ({self.home_village})"
        return self.guest_name or ""

    @property
    def is_visitor(self) -> bool:
        """A member of another village: their own node mails them, never this one."""
        return self.home_village is not None


class AnswerElsewhere(db.Model):  # type: ignore[name-defined,misc]
    """One of this node's members' answers to another village's rencontre, as the host
    village last told it (notice ``rsvp_state``): for « Mes rencontres » and the personal
    calendar feed. ``answer`` is the host's id for the answer; ``sequence`` only grows."""

    __tablename__ = "answer_elsewhere"
    __table_args__ = (UniqueConstraint("village", "answer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"),
                                           index=True)
    village: Mapped[str] = mapped_column(String(63))
    village_name: Mapped[str] = mapped_column(String(160), default="")
    answer: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(BigInteger)
    event_uuid: Mapped[str] = mapped_column(String(36))
    title: Mapped[str] = mapped_column(String(160))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(16))
    position: Mapped[int | None] = mapped_column(Integer)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped[Member] = relationship()
