"""Rencontres that lead somewhere, and self-governance: minutes and actions, mandates, the
charter, the mails the node owes people, and each member's calendar feed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node.extensions import db
from node.models.base import UTCDateTime, utcnow
from node.models.decision import Decision
from node.models.event import Event
from node.models.member import Member


class MeetingRecord(db.Model):  # type: ignore[name-defined,misc]
    """« Clore la rencontre »: the minutes of one occurrence (attendance stays on the RSVPs,
    decisions taken point at it through ``Decision.event_id``)."""

    __tablename__ = "meeting_record"
    __table_args__ = (UniqueConstraint("event_id", "occurrence_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    occurrence_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()


class Action(db.Model):  # type: ignore[name-defined,misc]
    """What, who, by when: an action decided at a rencontre (or after a decision)."""

    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"),
                                                 index=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_record.id", ondelete="SET NULL"), index=True)
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision.id", ondelete="SET NULL"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The due-date reminder, planned once.
    reminder_planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[Member | None] = relationship()
    meeting: Mapped[MeetingRecord | None] = relationship()


class Mandate(db.Model):  # type: ignore[name-defined,misc]
    """A role given by a decision for a term (animateur·rice, référent·e, trésorier·ère…)."""

    __tablename__ = "mandate"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(120))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision.id", ondelete="SET NULL"))
    ended_early_on: Mapped[date | None] = mapped_column(Date)
    reminder_planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member | None] = relationship()
    decision: Mapped[Decision | None] = relationship()


class CharterVersion(db.Model):  # type: ignore[name-defined,misc]
    """One adopted version of the community charter; the highest number is in force."""

    __tablename__ = "charter_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    text: Mapped[str] = mapped_column(Text)
    adopted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision.id", ondelete="SET NULL"))


class Notice(db.Model):  # type: ignore[name-defined,misc]
    """A mail the node owes someone, planned once (the unique key) and sent at most once.

    Planning and sending are apart: the row is committed with the change that calls for it,
    then the worker claims it (``claimed_at``, committed) before handing it to SMTP, so a
    restart never sends a notice twice; a refused SMTP delivery goes back to waiting."""

    __tablename__ = "notice"
    __table_args__ = (UniqueConstraint("kind", "subject_key", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_key: Mapped[str] = mapped_column(String(80))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tries: Mapped[int] = mapped_column(Integer, default=0)


class CalendarFeed(db.Model):  # type: ignore[name-defined,misc]
    """The secret behind a member's personal calendar URL (closing times, actions due).

    The URL's token is derived from this salt and the node's secret key; a new salt
    revokes the old address."""

    __tablename__ = "calendar_feed"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"),
                                            primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
