"""Invented people for the member-area tests, and signing them in.

Every field group carries a distinct marker, so a test sees exactly which groups a page leaks.
Sign-in sets the Flask-Login session directly (the login form belongs to the auth area), with
the session identifier that "strong" session protection checks.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from node.extensions import db
from node.models import Event, FieldGroup, Listing, Member, Role, Rsvp, Visibility
from node.services import accounts
from tests.conftest import PASSWORD
from tests.support.sessions import signed_in_client

ANIMATOR_EMAIL = "anim@example.org"


sign_in = signed_in_client


def create_person(email: str, name: str, *, role: Role = Role.MEMBER,
                  level: Visibility | None = None, **fields: Any) -> Member:
    """A member with the given fields; ``level`` sets all four groups to one visibility."""
    account = accounts.create_account(email, name, PASSWORD, role=role)
    member = account.member
    for field_name, value in fields.items():
        setattr(member, field_name, value)
    if level is not None:
        for group in FieldGroup:
            member.set_visibility(group, level)
    db.session.commit()
    return member


SUBJECT_EMAIL = "zoe@example.org"

# One marker per group: a page "shows" a group iff its marker is in the page.
MARKERS = {
    FieldGroup.IDENTITY: "Atelier Copeau",
    FieldGroup.SKILLS: "marqueterie",
    FieldGroup.ABOUT: "Bio-marqueur",
    FieldGroup.CONTACT: "zoe-mail.example",
}
SIRET = "73282932000074"


def create_subject(identity: Visibility, skills: Visibility, about: Visibility,
                   contact: Visibility, email: str = SUBJECT_EMAIL) -> Member:
    """Zoé, an ébéniste whose four groups have the given visibilities."""
    member = create_person(
        email, "Zoé Ébéniste", trade="Ébéniste", business_name="Atelier Copeau", siret=SIRET,
        commune_code="67527", skills=["marqueterie", "Vernis à l'ancienne"],
        bio="Bio-marqueur : je restaure des meubles. <script>alert('x')</script>",
        website="https://atelier-zoe.example", languages=["fr", "de"],
        contact_email="contact@zoe-mail.example", phone="03 88 70 00 01")
    member.listings.append(Listing(kind="offer", title="Restauration de commodes"))
    member.listings.append(Listing(kind="need", title="Local de stockage"))
    for group, level in zip(FieldGroup, (identity, skills, about, contact), strict=True):
        member.set_visibility(group, level)
    db.session.commit()
    return member


def create_uniform_subject(level: Visibility, email: str = SUBJECT_EMAIL) -> Member:
    return create_subject(level, level, level, level, email=email)


def create_event_with_rsvp(member: Member, title: str = "Rencontre de printemps",
                           status: str = "going", attended: bool | None = None) -> Rsvp:
    """An event on 12 March 2026, 18:00 UTC, with this member's answer."""
    starts = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)
    event = Event(title=title, starts_at=starts, ends_at=starts + timedelta(hours=2),
                  capacity=1)
    rsvp = Rsvp(event=event, occurrence_at=starts, member=member, status=status,
                attended=attended)
    db.session.add_all([event, rsvp])
    db.session.commit()
    return rsvp
