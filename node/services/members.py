"""A member's own profile, offers and needs, address book, and leaving the node.

Views parse forms and call these functions; each writes through the session and flushes, and
the caller commits once the whole operation succeeded, so a refused operation writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_

import communes
from node.extensions import db
from node.models import (
    Account,
    AccountStatus,
    AddressBookEntry,
    ApiToken,
    Event,
    FieldGroup,
    Invitation,
    Member,
    NetworkContact,
    Role,
    Rsvp,
    RsvpStatus,
    Visibility,
)
from node.services.community import current_community, extra_communes

NEARBY_KM = 25
MAX_NOTE_LENGTH = 500


class MemberError(ValueError):
    """A member operation was refused; the message is French and shown to the person."""


def member_by_uuid(member_uuid: str) -> Member | None:
    return db.session.scalars(db.select(Member).where(Member.uuid == member_uuid)).first()


# -- my profile -----------------------------------------------------------------------------

def update_profile(member: Member, cleaned: dict[str, Any],
                   visibility: dict[FieldGroup, Visibility]) -> None:
    """Store already-cleaned fields (see ``clean_member_fields``) and the chosen visibilities."""
    for name, value in cleaned.items():
        setattr(member, name, value)
    for group, level in visibility.items():
        member.set_visibility(group, level)
    db.session.flush()


def commune_code_from_input(text: str) -> str:
    """Turn what a person typed in the commune box into a code when it is unambiguous.

    Accepts a code ("67475"), a datalist label ("Sparsbach (67475)") or an exact name
    (accent-insensitive, "sparsbach"). Anything else is returned as typed, for
    ``clean_member_fields`` to refuse with its message.
    """
    text = text.strip()
    labelled = re.search(r"\(([0-9][0-9AB][0-9]{3})\)\s*$", text.upper())
    if labelled:
        return labelled.group(1)
    if not text or communes.is_insee_code(text.upper()):
        return text.upper()
    named = [c for c in communes.all_communes(extra_communes())
             if communes.fold(c.name) == communes.fold(text)]
    return named[0].code if len(named) == 1 else text


def nearby_communes(radius_km: float = NEARBY_KM) -> list[communes.Commune]:
    """The community's communes and their neighbours within ``radius_km``, by name."""
    community = current_community()
    extra = extra_communes()
    found: dict[str, communes.Commune] = {}
    for code in community.communes if community else []:
        centre = communes.find(code, extra)
        if centre is not None:
            found.update((c.code, c) for c in communes.within_km(centre, radius_km, extra))
    return sorted(found.values(), key=lambda c: communes.fold(c.name))


# -- address book ---------------------------------------------------------------------------

def address_book(owner: Member) -> list[AddressBookEntry]:
    return list(db.session.scalars(
        db.select(AddressBookEntry).where(AddressBookEntry.owner_id == owner.id)
        .order_by(AddressBookEntry.created_at, AddressBookEntry.id)))


def address_book_entry(owner: Member, contact: Member) -> AddressBookEntry | None:
    return db.session.scalars(db.select(AddressBookEntry).where(
        AddressBookEntry.owner_id == owner.id,
        AddressBookEntry.contact_id == contact.id)).first()


def add_contact(owner: Member, contact: Member, note: str = "") -> AddressBookEntry:
    """Keep ``contact`` in ``owner``'s address book; adding twice keeps the first entry.

    The caller checks that the owner may see the contact (``is_listed``) before calling.
    """
    if owner.id == contact.id:
        raise MemberError(_("Vous ne pouvez pas vous ajouter à votre propre carnet."))
    entry = address_book_entry(owner, contact)
    if entry is None:
        entry = AddressBookEntry(owner_id=owner.id, contact_id=contact.id,
                                 note=_clean_note(note))
        db.session.add(entry)
        db.session.flush()
    return entry


def set_contact_note(entry: AddressBookEntry | NetworkContact, note: str) -> None:
    entry.note = _clean_note(note)
    db.session.flush()


def remove_contact(entry: AddressBookEntry) -> None:
    db.session.delete(entry)
    db.session.flush()


def _clean_note(note: str) -> str:
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise MemberError(_("La note fait au plus %(n)s caractères.", n=MAX_NOTE_LENGTH))
    return note


# -- leaving the node -----------------------------------------------------------------------

@dataclass(frozen=True)
class FreedPlace:
    """An occurrence where the deleted member held a place (going), now free for the waitlist."""

    event_id: int
    occurrence_at: datetime


# A hook may return what to do once the deletion is committed (mail leaves after commit).
DeletionHook = Callable[[Member, list[FreedPlace]], Callable[[], None] | None]
_deletion_hooks: list[DeletionHook] = []


def on_member_deleted(hook: DeletionHook) -> DeletionHook:
    """Register ``hook(member, freed_places)``, called by :func:`delete_member`.

    It runs inside the deletion's transaction, after the member's RSVPs are gone and before
    the member's own row is: the events service promotes waitlists there, the federation
    records a tombstone for ``member.uuid``. A hook that raises cancels the whole deletion.
    What a hook returns (a callable, or None) is called after the commit: mails go there.
    Hooks are registered in ``create_app``, never by importing a module.
    """
    if hook not in _deletion_hooks:
        _deletion_hooks.append(hook)
    return hook


def is_last_admin(account: Account) -> bool:
    """True when this account is the only active admin: the node would be left ungoverned."""
    if account.role != Role.ADMIN:
        return False
    admins = db.session.scalar(db.select(func.count()).select_from(Account).where(
        Account.role == Role.ADMIN.value, Account.status == AccountStatus.ACTIVE.value,
        Account.id != account.id))
    return not admins


def delete_member(member: Member) -> Callable[[], None]:
    """Delete a member with everything the node holds about them, in one transaction.

    Listings, address-book entries in both directions, RSVPs, API tokens, invitations sent to
    their address, then the member and the account. Events and invitations they created stay,
    without their name. The last admin cannot leave (:class:`MemberError`).

    Flushed, not committed: the caller commits, then calls what is returned, which sends the
    hooks' mails (waitlist promotions) — mail leaves only once the deletion is stored. A hook
    that raises leaves the session for the caller to roll back.
    """
    account = member.account
    if is_last_admin(account):
        raise MemberError(_("Vous êtes le dernier administrateur du nœud : nommez d'abord un "
                            "autre administrateur avant de supprimer votre compte."))
    freed = _delete_rsvps(member)
    afterwards = [hook(member, freed) for hook in list(_deletion_hooks)]
    _delete_member_rows(member, account)
    db.session.flush()

    def after_commit() -> None:
        for then in afterwards:
            if then is not None:
                then()

    return after_commit


def _delete_rsvps(member: Member) -> list[FreedPlace]:
    rsvps = db.session.scalars(db.select(Rsvp).where(Rsvp.member_id == member.id)).all()
    freed = [FreedPlace(r.event_id, r.occurrence_at) for r in rsvps
             if r.status == RsvpStatus.GOING]
    for rsvp in rsvps:
        db.session.delete(rsvp)
    db.session.flush()
    return freed


def _delete_member_rows(member: Member, account: Account) -> None:
    db.session.execute(db.delete(AddressBookEntry).where(or_(
        AddressBookEntry.owner_id == member.id, AddressBookEntry.contact_id == member.id)))
    db.session.execute(db.delete(NetworkContact).where(NetworkContact.owner_id == member.id))
    db.session.execute(db.delete(ApiToken).where(ApiToken.account_id == account.id))
    db.session.execute(db.update(Invitation).where(Invitation.created_by_id == account.id)
                       .values(created_by_id=None))
    # The invitation(s) sent to them hold their address: it goes with the account.
    db.session.execute(db.delete(Invitation).where(Invitation.email == account.email))
    db.session.execute(db.update(Event).where(Event.created_by_id == account.id)
                       .values(created_by_id=None))
    db.session.delete(member)  # its listings go with it (delete-orphan cascade)
    db.session.delete(account)
