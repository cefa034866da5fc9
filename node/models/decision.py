"""Collective decisions: the decision, its options, the ballots and who has taken part.

Anonymous means unlinkable. A ballot is keyed by an HMAC of the decision's secret salt and
the member's UUID (:mod:`node.services.ballots`); it carries a member id only when the
decision is named. Who has taken part lives in ``decision_participant``, apart from the
ballots. Neither table has a timestamp, and both are SQLite ``WITHOUT ROWID`` tables: rows
are stored in primary-key order (a random-looking key for ballots, the member id for
participants), so no row order, rowid or time can tie a ballot to the person who cast it.
At the close the salt is erased, after which not even the node's own secrets can recompute
the link.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node.extensions import db
from node.models.base import SharedRecord, UTCDateTime, utcnow

if TYPE_CHECKING:
    from node.models.event import Event


class DecisionKind(StrEnum):
    DATES = "dates"  # sondage de dates: oui / si nécessaire / non per slot (Framadate)
    CONSENT = "consent"  # proposition par consentement
    JUDGMENT = "judgment"  # jugement majoritaire (Balinski–Laraki)
    POINTS = "points"  # vote à points: K points spread over ideas
    QUESTION = "question"  # question ouverte: ideas with « +1 »


class Audience(StrEnum):
    COMMUNITY = "community"  # the members of this node
    RENCONTRE = "rencontre"  # those who answered « je viens » to one rencontre
    NETWORK = "network"  # members of several villages (signed federation between nodes)


class ResultsShown(StrEnum):
    DURING = "during"  # results visible while the vote runs
    AFTER = "after"  # only once it is closed


class DecisionState(StrEnum):
    OPEN = "open"  # accepting answers between opens_at and closes_at
    CLOSED = "closed"  # closed, outcome computed
    WITHDRAWN = "withdrawn"  # a consent proposal its author withdrew


class Subject(StrEnum):
    """What a decision, once adopted, changes on the node besides its own record."""

    NONE = ""
    AGENDA = "agenda"  # the ordre du jour of a rencontre (points)
    CHARTER = "charter"  # adopts or amends the community charter (consent)
    MANDATE = "mandate"  # gives a role with a term (consent)


class Decision(SharedRecord, db.Model):  # type: ignore[name-defined,misc]
    """One question put to a community (or to several villages)."""

    __tablename__ = "decision"
    __table_args__ = (Index("ix_decision_state_closes", "state", "closes_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    audience: Mapped[str] = mapped_column(String(16), default=Audience.COMMUNITY)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"),
                                                 index=True)
    occurrence_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    results_shown: Mapped[str] = mapped_column(String(8), default=ResultsShown.DURING)
    points_budget: Mapped[int | None] = mapped_column(Integer)
    # Shared with the Pays directory (« Ce que décident les villages »): title, kind, dates,
    # outcome; never a ballot or a name.
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default=DecisionState.OPEN)
    subject: Mapped[str] = mapped_column(String(16), default=Subject.NONE)
    subject_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The outcome computed at the close (kind-specific summary, see services.decision_results).
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    adopted: Mapped[bool | None] = mapped_column(Boolean)
    # Secret of the ballot keys (hex); erased at the close so ballots can never be relinked.
    ballot_salt: Mapped[str | None] = mapped_column(String(64))
    # Scheduled work, done once each: the reminder before the close, the result mail.
    reminder_planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result_planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A dates poll turned into a rencontre.
    chosen_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL"))
    # Villages invited to a network decision (node ids), and the hosting node when this row
    # is another village's decision mirrored here for our members to answer.
    villages: Mapped[list[str]] = mapped_column(JSON, default=list)
    host_node: Mapped[str | None] = mapped_column(String(63))
    host_url: Mapped[str | None] = mapped_column(String(2048))
    # Another village's decision mirrored here: the sequence of the last tally planned.
    tally_sequence: Mapped[int] = mapped_column(Integer, default=0)

    options: Mapped[list[DecisionOption]] = relationship(
        back_populates="decision", cascade="all, delete-orphan",
        order_by="DecisionOption.position")
    event: Mapped[Event | None] = relationship(foreign_keys=[event_id])
    chosen_event: Mapped[Event | None] = relationship(foreign_keys=[chosen_event_id])

    @property
    def current_options(self) -> list[DecisionOption]:
        """The options people answer now (a consent proposal: its latest version only)."""
        if self.kind == DecisionKind.CONSENT:
            return self.options[-1:]
        return [option for option in self.options if not option.withdrawn]

    @property
    def is_remote(self) -> bool:
        return self.host_node is not None


class DecisionOption(db.Model):  # type: ignore[name-defined,misc]
    """A slot, a candidate, an idea, or one version of a consent proposal."""

    __tablename__ = "decision_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(300))
    details: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # dates polls
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who proposed an idea (named decisions only; None for the author's own options).
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"))
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    # The option's id on the hosting node, for another village's decision mirrored here.
    remote_id: Mapped[int | None] = mapped_column(Integer)

    decision: Mapped[Decision] = relationship(back_populates="options")


class Ballot(db.Model):  # type: ignore[name-defined,misc]
    """One person's latest answer to one decision. No timestamp; see the module docstring."""

    __tablename__ = "ballot"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"),
                                             index=True)
    # Named decisions only: who answered (a member here, or a person of another village).
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    voter_name: Mapped[str | None] = mapped_column(String(160))
    voter_node: Mapped[str | None] = mapped_column(String(63))

    choices: Mapped[list[BallotChoice]] = relationship(
        back_populates="ballot", cascade="all, delete-orphan", order_by="BallotChoice.option_id")


class BallotChoice(db.Model):  # type: ignore[name-defined,misc]
    """The value a ballot gives one option: a Framadate answer (0 no, 1 if need be, 2 yes),
    a grade (0 À rejeter … 6 Excellent), points, a « +1 » (1), or a consent stance
    (0 objection, 1 abstention, 2 consent) with its reason."""

    __tablename__ = "ballot_choice"
    __table_args__ = (Index("ix_ballot_choice_option_value", "option_id", "value"),
                      {"sqlite_with_rowid": False})

    ballot_key: Mapped[str] = mapped_column(ForeignKey("ballot.key", ondelete="CASCADE"),
                                            primary_key=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("decision_option.id", ondelete="CASCADE"),
                                           primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")  # an objection's reason
    # How the author integrated an objection when amending (kept with the old version).
    integration: Mapped[str] = mapped_column(Text, default="")

    ballot: Mapped[Ballot] = relationship(back_populates="choices")


class DecisionParticipant(db.Model):  # type: ignore[name-defined,misc]
    """Who has answered (for reminders and « vous avez répondu »), kept apart from ballots.

    ``answered_round`` is the consent version last answered: an amendment reopens stances,
    so a member who answered version 1 is reminded about version 2."""

    __tablename__ = "decision_participant"
    __table_args__ = {"sqlite_with_rowid": False}

    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"),
                                             primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"),
                                           primary_key=True)
    answered_round: Mapped[int] = mapped_column(Integer, default=1)


class RemoteTally(db.Model):  # type: ignore[name-defined,misc]
    """An anonymous network decision: the signed count one village sent of its own members'
    answers (its latest tally replaces the previous one). Kept as received."""

    __tablename__ = "remote_tally"

    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"),
                                             primary_key=True)
    node_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    participants: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Named decisions: [{"name", "choices": {option id: value}}]; consent: objection reasons.
    voters: Mapped[list[Any]] = mapped_column(JSON, default=list)
    objections: Mapped[list[str]] = mapped_column(JSON, default=list)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
