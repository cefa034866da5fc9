"""Accounts (sign-in and role), invitations and API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node.extensions import db
from node.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from node.models.member import Member


class Role(StrEnum):
    ADMIN = "admin"  # governs the node: settings, members, everything
    ANIMATOR = "animator"  # runs rencontres: events, venues, attendance, admissions
    MEMBER = "member"


class AccountStatus(StrEnum):
    PENDING = "pending"  # asked to join, awaiting an admin's approval
    ACTIVE = "active"
    REFUSED = "refused"
    DISABLED = "disabled"


class Account(db.Model):  # type: ignore[name-defined,misc]
    """Who signs in: an email, a password hash, a role. The profile is the linked Member."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER)
    status: Mapped[str] = mapped_column(String(16), default=AccountStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the member was told what « Réseau » means since network sign-in (once).
    network_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What a person wrote when asking to join ("pourquoi rejoindre"), read by the admins.
    join_message: Mapped[str] = mapped_column(Text, default="")

    member: Mapped[Member] = relationship(back_populates="account", uselist=False)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.status == AccountStatus.ACTIVE

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        """Admins and animators: those who run rencontres and admit members."""
        return self.role in (Role.ADMIN, Role.ANIMATOR)


class Invitation(db.Model):  # type: ignore[name-defined,misc]
    """A single-use link that lets one person create an account. Only a hash is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    """A bearer token for API writes, bound to an admin account. Only a hash is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[Account] = relationship()
