"""The federation tables a node and the directory both keep, declared once.

Each app has its own declarative base and its own database, so each declares its own model
classes; their columns come from these mixins, so the two schemas cannot drift apart. The
tables keep the names and columns the migrations of both apps already created.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from webui.sqltypes import UTCDateTime, utcnow


class OwnIdentityColumns:
    """The site's name on the network and its current key (exactly one row, written by
    ``init``)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[str] = mapped_column(String(63), unique=True)
    current_keyid: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PublicKeyColumns:
    """One public key (base64url of the raw 32 bytes) with its federation status; the
    private half, when the key is the site's own, lives only in ``instance/keys/``."""

    keyid: Mapped[str] = mapped_column(String(80), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")  # KeyStatus values
    grace_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SeenNonceColumns:
    """A signature nonce already accepted; the unique pair refuses replays in every worker
    (:class:`federation.nonces.SqlNonceStore` writes it)."""

    @declared_attr.directive
    def __table_args__(cls) -> tuple[UniqueConstraint]:
        return (UniqueConstraint("keyid", "nonce", name="uq_seen_nonce"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    keyid: Mapped[str] = mapped_column(String(80))
    nonce: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[int] = mapped_column(Integer, index=True)  # unix time
