"""Messages between members of different villages, relayed node to node: neither address
travels until the recipient answers.

The sender's home node keeps what its member wrote (:class:`ContactSent`), the recipient's
home node what it received (:class:`ContactReceived`), each under the same ``uuid`` chosen
by the sender's node. A recipient may block a sender (:class:`ContactBlock`), named by the
sender's village and member id, never by an address.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node.extensions import db
from node.models.base import UTCDateTime, new_uuid, utcnow
from node.models.member import Member


class ContactSent(db.Model):  # type: ignore[name-defined,misc]
    """What one of our members wrote to a member of another village, and the answer once
    it came back (with the recipient's address: they chose to answer)."""

    __tablename__ = "contact_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    sender_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"),
                                           index=True)
    to_node: Mapped[str] = mapped_column(String(63))
    to_member: Mapped[str] = mapped_column(String(36))
    to_name: Mapped[str] = mapped_column(String(120))
    about_uuid: Mapped[str] = mapped_column(String(36), default="")
    about_title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    answer_email: Mapped[str] = mapped_column(String(254), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sender: Mapped[Member] = relationship()


class ContactReceived(db.Model):  # type: ignore[name-defined,misc]
    """A message another village relayed to one of our members; ``reported_at`` once the
    recipient showed it to the staff."""

    __tablename__ = "contact_received"
    __table_args__ = (Index("ix_contact_received_from", "from_node", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"),
                                              index=True)
    from_node: Mapped[str] = mapped_column(String(63))
    from_member: Mapped[str] = mapped_column(String(36))
    from_name: Mapped[str] = mapped_column(String(120))
    about_uuid: Mapped[str] = mapped_column(String(36), default="")
    about_title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[Member] = relationship()


class ContactBlock(db.Model):  # type: ignore[name-defined,misc]
    """One of our members no longer receives anything from this sender."""

    __tablename__ = "contact_block"
    __table_args__ = (UniqueConstraint("member_id", "from_node", "from_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    from_node: Mapped[str] = mapped_column(String(63))
    from_member: Mapped[str] = mapped_column(String(36))
    from_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
