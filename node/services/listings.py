"""Offers and needs people can use: their rules, their life (60 days, renewed in one click),
their reminders.

Views, the API and the worker call these functions; each flushes and the caller commits once.
A listing's skills are ids of the shared vocabulary (``vocabulary``): those the author picked
plus those its title and details name, so « Cherche un Schreiner » is about « menuiserie »
even when nothing was ticked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select

import communes
import vocabulary
from node.extensions import db
from node.models import (
    Listing,
    ListingKind,
    ListingState,
    Member,
    Visibility,
    utcnow,
)
from node.models.member import DEFAULT_RADIUS_KM, listing_expiry
from node.services import notices
from node.services.community import extra_communes

MAX_LISTING_TITLE = 120
MAX_LISTING_DETAILS = 2000
MAX_SKILLS = 12
RADII_KM = (5, 10, 20, 30, 50, 100)
#: The reminder leaves this many days before a listing runs out.
REMINDER_DAYS = 7
#: A renewal link from a reminder mail works this long (a reminder comes every period).
RENEW_LINK_DAYS = 90
RENEW_SALT = "chaleur-listing-renew"
#: Levels a listing may narrow itself to ("" follows the member's skills group).
LISTING_LEVELS = ("", Visibility.COMMUNITY.value, Visibility.NETWORK.value,
                  Visibility.PUBLIC.value)


@dataclass
class ListingInput:
    """A listing as its author describes it, checked by :func:`clean_listing`."""

    kind: ListingKind
    title: str
    details: str = ""
    skills: list[str] = field(default_factory=list)
    commune_code: str = ""
    radius_km: int = DEFAULT_RADIUS_KM
    visibility: str = ""


def clean_listing(raw: dict[str, object]) -> tuple[ListingInput | None, dict[str, str]]:
    """Checks shared by every way in (form, API, tests): (cleaned listing, errors by field).

    ``raw`` holds strings (``skills`` a list of vocabulary ids, ``radius_km`` a number or
    its text); anything missing takes its default."""
    errors: dict[str, str] = {}
    kind = str(raw.get("kind") or "")
    if kind not in {k.value for k in ListingKind}:
        errors["kind"] = _("Choisissez le type d'annonce.")
    title = " ".join(str(raw.get("title") or "").split())
    if not title:
        errors["title"] = _("Le titre est obligatoire.")
    elif len(title) > MAX_LISTING_TITLE:
        errors["title"] = _("%(n)s caractères au plus.", n=MAX_LISTING_TITLE)
    details = str(raw.get("details") or "").strip()
    if len(details) > MAX_LISTING_DETAILS:
        errors["details"] = _("%(n)s caractères au plus.", n=MAX_LISTING_DETAILS)
    picked = [str(s) for s in raw.get("skills") or []]  # type: ignore[attr-defined]
    unknown = [s for s in picked if vocabulary.find(s) is None]
    if unknown:
        errors["skills"] = _("Compétence inconnue : %(name)s.", name=unknown[0][:40])
    skills = list(dict.fromkeys([*picked, *vocabulary.concepts_in(f"{title} {details}")]))
    if len(skills) > MAX_SKILLS:
        errors["skills"] = _("%(n)s compétences au plus.", n=MAX_SKILLS)
    code = str(raw.get("commune_code") or "").strip().upper()
    if code and communes.find(code, extra_communes()) is None:
        errors["commune_code"] = _("Commune inconnue : choisissez-la dans la liste.")
    try:
        radius = int(str(raw.get("radius_km") or DEFAULT_RADIUS_KM))
    except ValueError:
        radius = -1
    if radius not in RADII_KM:
        errors["radius_km"] = _("Choisissez une distance de la liste.")
    level = str(raw.get("visibility") or "")
    if level not in LISTING_LEVELS:
        errors["visibility"] = _("Choisissez qui voit l'annonce.")
    if errors:
        return None, errors
    return ListingInput(ListingKind(kind), title, details, skills, code, radius, level), {}


def skill_labels(skill_ids: list[str], language: str = "fr") -> list[str]:
    """The vocabulary labels of skill ids, in the reader's language (unknown ids left out)."""
    found = (vocabulary.find(skill_id) for skill_id in skill_ids)
    return [concept.label_in(language) for concept in found if concept is not None]


def _apply(listing: Listing, data: ListingInput) -> None:
    listing.kind, listing.title, listing.details = data.kind.value, data.title, data.details
    named = vocabulary.concepts_in(f"{data.title} {data.details}")
    listing.skills = list(dict.fromkeys([*data.skills, *named]))[:MAX_SKILLS]
    listing.commune_code = data.commune_code
    listing.radius_km, listing.visibility = data.radius_km, data.visibility


def post_listing(member: Member, data: ListingInput, now: datetime | None = None) -> Listing:
    """A new active listing, living :data:`~node.models.member.LISTING_DAYS` days; flushes.
    Without a commune of its own it stands where its author does."""
    listing = Listing(state=ListingState.ACTIVE.value, expires_at=listing_expiry(now))
    _apply(listing, data)
    listing.commune_code = data.commune_code or member.commune_code
    member.listings.append(listing)
    db.session.flush()
    return listing


def edit_listing(listing: Listing, data: ListingInput) -> None:
    _apply(listing, data)
    db.session.flush()


def set_state(listing: Listing, state: ListingState, now: datetime | None = None) -> None:
    """Mark a listing fulfilled, or active again (which renews it: it was worth keeping)."""
    if state == ListingState.ACTIVE:
        renew(listing, now)
        return
    listing.state = state.value
    db.session.flush()


def renew(listing: Listing, now: datetime | None = None) -> None:
    """Give a listing a fresh period from now, active again if it had run out; flushes."""
    listing.state = ListingState.ACTIVE.value
    listing.expires_at = listing_expiry(now)
    db.session.flush()


def remove_listing(listing: Listing) -> None:
    db.session.delete(listing)
    db.session.flush()


def own_listing(member: Member, listing_uuid: str) -> Listing | None:
    """One of this member's listings; None for someone else's, so nobody edits another's."""
    return db.session.scalars(select(Listing).where(
        Listing.uuid == listing_uuid, Listing.member_id == member.id)).first()


# -- life and reminders ---------------------------------------------------------------------

def expire_due(now: datetime | None = None) -> int:
    """Active listings whose time ran out become expired (and leave the network); flushes."""
    now = now or utcnow()
    due = list(db.session.scalars(select(Listing).where(
        Listing.state == ListingState.ACTIVE.value, Listing.expires_at <= now)))
    for listing in due:
        listing.state = ListingState.EXPIRED.value
    db.session.flush()
    return len(due)


def plan_reminders(now: datetime | None = None) -> int:
    """Plan the « votre annonce arrive à échéance » mail for listings running out within
    :data:`REMINDER_DAYS`: one per listing and period (the expiry date is in the notice key,
    so a renewed listing is reminded again next time, a restart never twice); flushes."""
    now = now or utcnow()
    soon = list(db.session.scalars(select(Listing).where(
        Listing.state == ListingState.ACTIVE.value,
        Listing.expires_at <= now + timedelta(days=REMINDER_DAYS))))
    planned = 0
    for listing in soon:
        account = listing.member.account
        if account is None or not account.is_active:
            continue
        key = f"listing:{listing.id}:{listing.expires_at:%Y%m%d}"
        planned += notices.plan("listing_expiring", key, [account], due_at=now)
    return planned


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RENEW_SALT)


def renew_token(listing: Listing) -> str:
    """The token of the one-click renewal link (no sign-in needed: it only renews)."""
    return str(_serializer().dumps(listing.uuid))


def listing_for_renew_token(token: str) -> Listing | None:
    """The listing a genuine, recent renewal token names; None if forged, old or gone."""
    try:
        listing_uuid = _serializer().loads(token, max_age=RENEW_LINK_DAYS * 86400)
    except BadData:
        return None
    if not isinstance(listing_uuid, str):
        return None
    listing = db.session.scalars(select(Listing).where(Listing.uuid == listing_uuid)).first()
    if listing is None or listing.state == ListingState.FULFILLED:
        return None
    return listing
