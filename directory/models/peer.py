"""Nodes of the network as the directory knows them, and the coordinator's decisions on them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.extensions import db
from directory.models.base import UTCDateTime, utcnow


class PeerStatus(StrEnum):
    PENDING = "pending"  # asked to join; waits for the coordinator
    ADMITTED = "admitted"  # exchanges records; its records are shown
    REFUSED = "refused"  # asked and was turned down
    SUSPENDED = "suspended"  # was admitted; its records are hidden and its batches refused


class Peer(db.Model):  # type: ignore[name-defined,misc]
    """A village node: identity, admission status and exchange health."""

    __tablename__ = "peer"

    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    base_url: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(16), default=PeerStatus.PENDING, index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    key_fingerprint: Mapped[str] = mapped_column(String(128), default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    admitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_pull_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    feed_cursor: Mapped[str] = mapped_column(String(255), default="")
    #: Raised in the same transaction as every change to the node's searched rows (see
    #: ``directory.services.people_index.mark_changed``): what in-memory search data follows.
    search_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    decisions: Mapped[list[AdmissionDecision]] = relationship(
        back_populates="peer", order_by="AdmissionDecision.at.desc()")

    @property
    def label(self) -> str:
        return self.name or self.node_id


class AdmissionDecision(db.Model):  # type: ignore[name-defined,misc]
    """One coordinator decision: who decided what about which node, when and why."""

    __tablename__ = "admission_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("peer.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")

    peer: Mapped[Peer] = relationship(back_populates="decisions")


class IdentityChange(db.Model):  # type: ignore[name-defined,misc]
    """An admitted node's new document whose identity (address, endpoints, name, contact)
    differs from the one it was admitted with: held for the coordinator, applied only when
    approved (services/identity_changes.py). ``Peer.document`` keeps serving meanwhile.

    A table of its own, one row per node at most, rather than columns on ``peer``: a held
    change is a passing state, and the peer row every page reads stays as it was."""

    __tablename__ = "identity_change"

    peer_id: Mapped[int] = mapped_column(ForeignKey("peer.id", ondelete="CASCADE"),
                                         primary_key=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
