"""« Mise en relation réussie »: two members saying they worked together after a listing's
message thread or an answer to a question. Counted for the funders, never named."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from node.extensions import db
from node.models.base import UTCDateTime


class Cooperation(db.Model):  # type: ignore[name-defined,misc]
    """One conversation's confirmations. ``conversation`` names it (``reply:<uuid>``,
    ``answer:<uuid>``; a relayed conversation between villages can bring its own id), so the
    same two people are counted once per conversation whoever clicks first or twice. The
    row is counted once both sides said so, in the month of ``confirmed_at``; it carries no
    member: the parties are read from the conversation itself."""

    __tablename__ = "cooperation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation: Mapped[str] = mapped_column(String(120), unique=True)
    owner_said_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    other_said_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
