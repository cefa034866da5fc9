"""Consent, decided in one place: what a viewer may see of a member, and what may leave the node.

Every page, search, vCard, API answer and federation payload goes through these functions;
nothing else in the code decides what of a member is shown or shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from node.models import (
    FIELDS_BY_GROUP,
    VISIBILITY_ORDER,
    Account,
    AccountStatus,
    FieldGroup,
    Listing,
    ListingState,
    Member,
    Visibility,
)


@dataclass(frozen=True)
class Viewer:
    """Who is looking: an anonymous visitor, a member of this node, its admins, or a peer."""

    level: Visibility  # the narrowest level this viewer may see
    member_id: int | None = None

    @classmethod
    def anonymous(cls) -> Viewer:
        return cls(Visibility.PUBLIC)

    @classmethod
    def network(cls) -> Viewer:
        """The Pays directory and, through it, the other villages; a member of another
        admitted village signed in here with their village (« Réseau »)."""
        return cls(Visibility.NETWORK)

    @classmethod
    def for_account(cls, account: Account | None) -> Viewer:
        if account is None or not getattr(account, "is_authenticated", False):
            return cls.anonymous()
        member_id = account.member.id if account.member else None
        if account.is_staff:
            return cls(Visibility.PRIVATE, member_id)
        return cls(Visibility.COMMUNITY, member_id)


def can_see(viewer: Viewer, member: Member, group: FieldGroup) -> bool:
    """True when this viewer may see this group of this member's profile."""
    if viewer.member_id is not None and viewer.member_id == member.id:
        return True
    return member.visibility_of(group).rank >= viewer.level.rank


def levels_seen_by(viewer: Viewer) -> list[Visibility]:
    """The visibility levels this viewer may see on other members' profiles."""
    return [level for level in VISIBILITY_ORDER if level.rank >= viewer.level.rank]


def listed_condition(viewer: Viewer) -> ColumnElement[bool]:
    """SQL mirror of :func:`is_listed`, to narrow a query before :func:`is_listed` decides.

    Needs ``Member`` joined to ``Account``. Searches use it to avoid loading members the viewer
    could never see; :func:`is_listed` and :func:`visible_profile` still have the last word.
    """
    levels = [level.value for level in levels_seen_by(viewer)]
    own = Member.id == viewer.member_id if viewer.member_id is not None else None
    seen = Member.visibility_identity.in_(levels)
    return and_(Account.status == AccountStatus.ACTIVE.value,
                or_(seen, own) if own is not None else seen)


def visible_groups(viewer: Viewer, member: Member) -> set[FieldGroup]:
    return {group for group in FieldGroup if can_see(viewer, member, group)}


def is_listed(viewer: Viewer, member: Member) -> bool:
    """A member appears to a viewer only if that viewer may see who they are."""
    return can_see(viewer, member, FieldGroup.IDENTITY) and member.account.is_active


def visible_profile(viewer: Viewer, member: Member) -> dict[str, Any] | None:
    """The member's fields this viewer may see, or None if the member is not listed for them."""
    if not is_listed(viewer, member):
        return None
    profile: dict[str, Any] = {"id": member.uuid}
    for group in visible_groups(viewer, member):
        for name in FIELDS_BY_GROUP[group]:
            profile[name] = _field_value(viewer, member, name)
    return profile


def listing_level(listing: Listing) -> Visibility:
    """Who may see a listing: its member's skills group, or its own level when that is
    narrower (a listing never shows more widely than the skills it is about)."""
    skills = listing.member.visibility_of(FieldGroup.SKILLS)
    if not listing.visibility:
        return skills
    own = Visibility(listing.visibility)
    return own if own.rank <= skills.rank else skills


def can_see_listing(viewer: Viewer, listing: Listing) -> bool:
    """True when this viewer may see this listing: its author always; anyone else only
    while it is active, when they may see who posted it and at its level."""
    member = listing.member
    if viewer.member_id is not None and viewer.member_id == member.id:
        return True
    return (listing.state == ListingState.ACTIVE and is_listed(viewer, member)
            and listing_level(listing).rank >= viewer.level.rank)


def listing_fields(listing: Listing) -> dict[str, Any]:
    """What a viewer allowed by :func:`can_see_listing` is shown of a listing."""
    return {"id": listing.uuid, "kind": listing.kind, "title": listing.title,
            "details": listing.details, "skills": list(listing.skills or []),
            "commune_code": listing.commune_code, "radius_km": listing.radius_km,
            "state": listing.state}


def _field_value(viewer: Viewer, member: Member, name: str) -> Any:
    if name == "listings":
        return [listing_fields(item) for item in member.listings
                if can_see_listing(viewer, item)]
    value = getattr(member, name)
    return list(value) if isinstance(value, list) else value


def public_fields(member: Member) -> list[str]:
    """The profile fields anyone may see, in field order ([] when the member is not listed
    for anonymous visitors: then nothing of them is public, whatever the other groups say)."""
    anyone = Viewer.anonymous()
    if not is_listed(anyone, member):
        return []
    return [name for group in FieldGroup if can_see(anyone, member, group)
            for name in FIELDS_BY_GROUP[group]]


def network_payload(member: Member) -> dict[str, Any] | None:
    """What may leave the node about this member: only network- or public-visible groups.

    None means the member shares nothing with the network (their record must then travel as a
    tombstone, so every copy forgets them). SIRET never leaves the node. ``public`` names the
    fields anyone may see: the Pays site shows anonymous visitors those only, and keeps the
    others for the network's signed-in members (« Réseau »).
    """
    profile = visible_profile(Viewer.network(), member)
    if profile is None:
        return None
    profile.pop("id", None)
    profile.pop("siret", None)
    profile["public"] = [name for name in public_fields(member)
                         if name in profile and name != "listings"]
    return profile


def listing_is_public(listing: Listing) -> bool:
    """An offer or need is public when anyone may see it (its level, its author listed)."""
    return can_see_listing(Viewer.anonymous(), listing)
