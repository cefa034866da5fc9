"""Members' profiles, their offers and needs, and their address books."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
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
    """What a listing is; each kind stands on one side: it offers, or it looks for someone."""

    OFFER = "offer"  # « je propose »
    NEED = "need"  # « je recherche »
    HELP = "help"  # « un coup de main » : a small, quick help asked for
    LOAN = "loan"  # « prêt de matériel » : equipment lent
    TENDER = "tender"  # « réponse à plusieurs » : partners sought to answer a call for tenders

    @property
    def side(self) -> str:
        """``offer`` or ``need``: the side a match is looked for on the other one."""
        return "offer" if self in (ListingKind.OFFER, ListingKind.LOAN) else "need"


class ListingState(StrEnum):
    ACTIVE = "active"
    FULFILLED = "fulfilled"  # « pourvue » : found what it sought, or given what it offered
    EXPIRED = "expired"  # its time ran out; one click from the reminder mail renews it


#: Default reach of a listing around its commune, in km.
DEFAULT_RADIUS_KM = 20
#: Default life of a listing, in days (renewed in one click from the reminder mail).
LISTING_DAYS = 60


def listing_expiry(start: datetime | None = None) -> datetime:
    """When a listing posted or renewed at ``start`` (now) runs out."""
    return (start or utcnow()) + timedelta(days=LISTING_DAYS)


def _fresh_expiry() -> datetime:
    # No argument: SQLAlchemy would hand a one-argument default its execution context.
    return listing_expiry()


class Listing(SharedRecord, db.Model):  # type: ignore[name-defined,misc]
    """One offer or need of a member, with the skills it is about (ids of the shared
    vocabulary), where it stands and how far it reaches, how long it lives, who sees it."""

    __tablename__ = "listing"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(120))
    details: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    commune_code: Mapped[str] = mapped_column(String(5), default="")
    radius_km: Mapped[int] = mapped_column(Integer, default=DEFAULT_RADIUS_KM)
    # "" follows the member's skills group; a level narrows it (never widens: see
    # services.visibility.listing_level).
    visibility: Mapped[str] = mapped_column(String(16), default="")
    state: Mapped[str] = mapped_column(String(12), default=ListingState.ACTIVE.value,
                                       index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_fresh_expiry,
                                                 index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def side(self) -> str:
        return ListingKind(self.kind).side

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
