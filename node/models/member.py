"""Members' profiles, their offers and needs, and their address books."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node.extensions import db
from node.models.account import Account
from node.models.base import SharedRecord, UTCDateTime, Visibility, utcnow


class FieldGroup(StrEnum):
    """The parts of a profile that each carry their own visibility."""

    IDENTITY = "identity"  # display name, trade, business name, SIRET, commune
    SKILLS = "skills"  # skills, offers and needs
    ABOUT = "about"  # bio, website, languages
    CONTACT = "contact"  # contact email and phone


FIELDS_BY_GROUP: dict[FieldGroup, tuple[str, ...]] = {
    FieldGroup.IDENTITY: ("display_name", "trade", "business_name", "siret", "commune_code"),
    FieldGroup.SKILLS: ("skills", "listings"),
    FieldGroup.ABOUT: ("bio", "website", "languages"),
    FieldGroup.CONTACT: ("contact_email", "phone"),
}

# Conservative defaults: nothing leaves the node and nothing is public until the member says so.
DEFAULT_VISIBILITY: dict[FieldGroup, Visibility] = {
    FieldGroup.IDENTITY: Visibility.COMMUNITY,
    FieldGroup.SKILLS: Visibility.COMMUNITY,
    FieldGroup.ABOUT: Visibility.COMMUNITY,
    FieldGroup.CONTACT: Visibility.PRIVATE,
}


class Member(SharedRecord, db.Model):  # type: ignore[name-defined,misc]
    """An independent worker's profile on this node."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"),
                                            unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    trade: Mapped[str] = mapped_column(String(120), default="")
    business_name: Mapped[str] = mapped_column(String(160), default="")
    siret: Mapped[str] = mapped_column(String(14), default="")
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    bio: Mapped[str] = mapped_column(Text, default="")
    commune_code: Mapped[str] = mapped_column(String(5), default="")
    website: Mapped[str] = mapped_column(String(255), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    visibility_identity: Mapped[str] = mapped_column(
        String(16), default=DEFAULT_VISIBILITY[FieldGroup.IDENTITY])
    visibility_skills: Mapped[str] = mapped_column(
        String(16), default=DEFAULT_VISIBILITY[FieldGroup.SKILLS])
    visibility_about: Mapped[str] = mapped_column(
        String(16), default=DEFAULT_VISIBILITY[FieldGroup.ABOUT])
    visibility_contact: Mapped[str] = mapped_column(
        String(16), default=DEFAULT_VISIBILITY[FieldGroup.CONTACT])
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[Account] = relationship(back_populates="member")
    listings: Mapped[list[Listing]] = relationship(
        back_populates="member", cascade="all, delete-orphan", order_by="Listing.id")

    def visibility_of(self, group: FieldGroup) -> Visibility:
        return Visibility(getattr(self, f"visibility_{group.value}"))

    def set_visibility(self, group: FieldGroup, level: Visibility) -> None:
        setattr(self, f"visibility_{group.value}", level.value)


class ListingKind(StrEnum):
    OFFER = "offer"  # « je propose »
    NEED = "need"  # « je recherche »


class Listing(SharedRecord, db.Model):  # type: ignore[name-defined,misc]
    """One offer or need of a member; shares the visibility of the member's skills group."""

    __tablename__ = "listing"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(120))
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped[Member] = relationship(back_populates="listings")


class AddressBookEntry(db.Model):  # type: ignore[name-defined,misc]
    """A member kept in another member's address book, with a private note."""

    __tablename__ = "address_book_entry"
    __table_args__ = (UniqueConstraint("owner_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Member] = relationship(foreign_keys=[contact_id])
