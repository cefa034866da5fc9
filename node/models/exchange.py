"""Being told without being flooded: each account's alert choices (off until asked for) and
the matches it was already told about."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from node.extensions import db
from node.models.base import UTCDateTime, utcnow


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
