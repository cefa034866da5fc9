"""Exchange between members beyond listings: each account's alert choices (off until asked
for), the matches it was already told about, and questions to peers with their answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node.extensions import db
from node.models.base import SharedRecord, UTCDateTime, new_uuid, utcnow
from node.models.member import Listing, Member


class AlertSettings(db.Model):  # type: ignore[name-defined,misc]
    """Opt-in alerts of one account. Kept apart from the member's profile: the profile is a
    shared record, and ticking a box must not announce a new version to the network."""

    __tablename__ = "alert_settings"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"),
                                            primary_key=True)
    match_alerts: Mapped[bool] = mapped_column(Boolean, default=False)
    weekly: Mapped[bool] = mapped_column(Boolean, default=False)
    last_weekly_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MatchSeen(db.Model):  # type: ignore[name-defined,misc]
    """A candidate (``listing:<uuid>`` or ``member:<uuid>``) its need's author was told
    about: the next scan mentions only what is new."""

    __tablename__ = "match_seen"

    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"),
                                            primary_key=True)
    candidate_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Question(SharedRecord, db.Model):  # type: ignore[name-defined,misc]
    """A question a member asks their peers (« Quelqu'un a déjà eu un client qui ne paie
    pas ? »). ``audience`` says who it is meant for: the village, or the network (then it
    is a shared record, ``question``, with the answers shown network-wide; see
    ``node/sharing/payloads.question_payload``). ``state`` is ``open`` until the asker says
    it is resolved; a resolved question takes no more answers from other villages."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(16), default="community")
    state: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    member: Mapped[Member] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="Answer.id")


class Answer(db.Model):  # type: ignore[name-defined,misc]
    """A peer's answer; the asker marks those that helped, the staff may hide one.

    A member of this village answers as ``member``; a member of another village answers a
    network question at home and their node sends it here (``question_answer`` notice):
    ``member`` is then empty and ``author_village``, ``author_uuid`` (their UUID at home)
    and ``author_name`` (« Prénom N. ») say who wrote it."""

    __tablename__ = "answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"),
                                             index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    author_village: Mapped[str] = mapped_column(String(63), default="")
    author_uuid: Mapped[str] = mapped_column(String(36), default="", index=True)
    author_name: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    helped: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    question: Mapped[Question] = relationship(back_populates="answers")
    member: Mapped[Member | None] = relationship()

    @property
    def author_label(self) -> str:
        """The name shown beside the answer: a local member's name, or « Prénom N. »."""
        return self.member.display_name if self.member is not None else self.author_name


class ListingReply(db.Model):  # type: ignore[name-defined,misc]
    """A message to a listing's author through the site: neither address is shown until the
    author replies (then each learns the other's, by the mail the reply sends)."""

    __tablename__ = "listing_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"),
                                            index=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    listing: Mapped[Listing] = relationship()
    sender: Mapped[Member] = relationship()
