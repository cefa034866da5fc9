"""Who answers a listing: offers for a need (and members whose trade and skills answer it),
needs for an offer, in this village and across the network, ranked by
:func:`vocabulary.matching.score` with its reasons.

Consent first: a candidate is scored only on what the viewer may see of it — local listings
through :func:`~node.services.visibility.can_see_listing`, local members through
:func:`~node.services.visibility.visible_profile`, other villages through the network copy,
which holds only what their members shared with the network (and is shown to signed-in
members only, like the Réseau page). A reason can therefore only name a visible field, and a
candidate whose hidden fields alone would match is not shown at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import communes
import vocabulary
from federation.records import parse_utc
from node.extensions import db
from node.models import (
    Account,
    AccountStatus,
    Listing,
    ListingKind,
    ListingState,
    Member,
    NetworkCopy,
    NodeIdentity,
    Visibility,
    utcnow,
)
from node.services.community import extra_communes
from node.services.visibility import Viewer, can_see_listing, listed_condition, visible_profile
from vocabulary.matching import THRESHOLD, Score, prepare, score
from webui.i18n import current_language

#: Matches shown for one listing.
LIMIT = 10
OFFER_KINDS = tuple(kind.value for kind in ListingKind if kind.side == "offer")
NEED_KINDS = tuple(kind.value for kind in ListingKind if kind.side == "need")


@dataclass(frozen=True)
class Candidate:
    """Something that may answer a listing, as the viewer may see it."""

    key: str  # "listing:<uuid>" or "member:<uuid>": stable, for alerts planned once
    what: str  # "listing" or "member"
    title: str  # the listing's title or the member's name
    kind: str  # the listing's kind, or the member's trade
    text: str
    skills: tuple[str, ...]
    commune_code: str
    updated: datetime | None
    village: str = ""  # empty: this village
    member_uuid: str = ""
    origin: str = ""  # another village's node id: written to through the relay


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    score: Score


def describe_reason(kind: str, value: str) -> str:
    """One reason of a match in the reader's language (« compétence : comptabilité »),
    for the page and the alert mails alike."""
    if kind == "skill":
        concept = vocabulary.find(value)
        name = concept.label_in(current_language()) if concept else value
        return str(_("compétence : %(name)s", name=name))
    if kind == "words":
        return str(_("mots communs : %(words)s", words=value))
    if kind == "distance":
        return str(_("%(km)s km", km=value))
    days = int(value)
    if days == 0:
        return str(_("mis à jour aujourd'hui"))
    return str(ngettext("mis à jour il y a %(num)d jour", "mis à jour il y a %(num)d jours",
                        days))


def listing_text(title: str, details: str) -> str:
    return f"{title} {details}"


def member_text(profile: dict[str, Any]) -> str:
    """What a visible profile says about what its member does (absent groups give nothing)."""
    return " ".join([str(profile.get("trade") or ""), " ".join(profile.get("skills") or []),
                     str(profile.get("bio") or "")])


def _local_listings(kinds: tuple[str, ...], author_id: int, viewer: Viewer,
                    since: datetime | None = None) -> list[Candidate]:
    query = (select(Listing).join(Member).join(Account)
             .where(Listing.state == ListingState.ACTIVE.value, Listing.kind.in_(kinds),
                    Listing.member_id != author_id,
                    Account.status == AccountStatus.ACTIVE.value)
             .options(selectinload(Listing.member).selectinload(Member.account)))
    if since is not None:
        query = query.where(Listing.created_at >= since)
    rows = db.session.scalars(query)
    return [Candidate(f"listing:{item.uuid}", "listing", item.title, item.kind,
                      listing_text(item.title, item.details), tuple(item.skills or ()),
                      item.commune_code, item.updated_at, member_uuid=item.member.uuid)
            for item in rows if can_see_listing(viewer, item)]


def _local_members(listing: Listing, viewer: Viewer) -> list[Candidate]:
    rows = db.session.scalars(
        select(Member).join(Account).where(listed_condition(viewer),
                                           Member.id != listing.member_id)
        .options(selectinload(Member.account)))
    found = []
    for member in rows:
        profile = visible_profile(viewer, member)
        if profile is None or not (profile.get("trade") or profile.get("skills")):
            continue
        found.append(Candidate(f"member:{member.uuid}", "member", profile["display_name"],
                               str(profile.get("trade") or ""), member_text(profile), (),
                               str(profile.get("commune_code") or ""), member.updated_at,
                               member_uuid=member.uuid))
    return found


def _network(kinds: tuple[str, ...], with_members: bool, viewer: Viewer,
             since: datetime | None = None) -> list[Candidate]:
    """Other villages' shared listings (and members), from the node's copy of the network;
    with ``since``, only listings updated since then."""
    if viewer.level.rank > Visibility.NETWORK.rank:  # anonymous: network fields are not public
        return []
    copy = db.session.get(NetworkCopy, 1)
    data = copy.data if copy and copy.data else {}
    # Read here rather than through node.peering.identity: that module loads the signing
    # stack, which pages and an unjoined worker never need (tests/node/test_serving.py).
    here = db.session.scalar(select(NodeIdentity.node_id).limit(1)) or ""
    villages = {node["node_id"]: node.get("name", "") for node in data.get("nodes", [])}
    found = []
    for record in data.get("listings", []):
        payload = record["payload"]
        if record["origin"] == here or payload.get("kind") not in kinds:
            continue
        updated = _when(record.get("updated"))
        if since is not None and (updated is None or updated < since):
            continue
        found.append(Candidate(
            f"listing:{record['id']}", "listing", payload["title"], payload["kind"],
            listing_text(payload["title"], payload.get("details", "")),
            tuple(payload.get("skills", ())), payload.get("commune_code", ""),
            updated, villages.get(record["origin"], record["origin"]),
            payload.get("member_id", ""), record["origin"]))
    if with_members:
        for record in data.get("members", []):
            payload = record["payload"]
            if record["origin"] == here or not (payload.get("trade") or payload.get("skills")):
                continue
            found.append(Candidate(
                f"member:{record['id']}", "member", payload.get("display_name", ""),
                payload.get("trade", ""), member_text(payload), (),
                payload.get("commune_code", ""), _when(record.get("updated")),
                villages.get(record["origin"], record["origin"]), record["id"],
                record["origin"]))
    return found


def _when(text: Any) -> datetime | None:
    try:
        return parse_utc(str(text)) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Seeker:
    """What candidates are scored against: a listing, or a member's own trade and skills
    (the weekly round-up)."""

    text: str
    skills: tuple[str, ...]
    commune_code: str
    radius_km: float

    @classmethod
    def of(cls, listing: Listing) -> Seeker:
        return cls(listing_text(listing.title, listing.details), tuple(listing.skills or ()),
                   listing.commune_code, listing.radius_km)


def rank(seeker: Seeker, candidates: list[Candidate], now: datetime | None = None,
         limit: int = LIMIT) -> list[Match]:
    """Score every candidate; the best first, those worth showing."""
    now = now or utcnow()
    extra = extra_communes()
    here = communes.find(seeker.commune_code, extra) if seeker.commune_code else None
    mine = prepare(seeker.text, seeker.skills)
    matches = []
    for candidate in candidates:
        side = prepare(candidate.text, candidate.skills)
        there = communes.find(candidate.commune_code, extra) if candidate.commune_code else None
        distance = communes.distance_km(here, there) if here and there else None
        age = (now - candidate.updated).total_seconds() / 86400 if candidate.updated else None
        found = score(mine, side, distance_km=distance, radius_km=seeker.radius_km,
                      age_days=age)
        if found.total >= THRESHOLD:
            matches.append(Match(candidate, found))
    matches.sort(key=lambda m: (-m.score.total, m.candidate.title))
    return matches[:limit]


def matches_for(listing: Listing, viewer: Viewer, now: datetime | None = None,
                limit: int = LIMIT) -> list[Match]:
    """The best answers to a listing that this viewer may see, here and in other villages."""
    other_side = OFFER_KINDS if listing.side == "need" else NEED_KINDS
    seeking = listing.side == "need"
    candidates = (_local_listings(other_side, listing.member_id, viewer)
                  + _network(other_side, seeking, viewer))
    if seeking:
        candidates += _local_members(listing, viewer)
    return rank(Seeker.of(listing), candidates, now, limit)


def new_listings_for(member: Member, viewer: Viewer, since: datetime,
                     now: datetime | None = None, limit: int = LIMIT) -> list[Match]:
    """Offers and needs posted since ``since``, here and elsewhere, that answer this
    member's trade and skills (the weekly round-up): scored against the member's own
    profile, which the member always may see."""
    seeker = Seeker(member_text({"trade": member.trade, "skills": member.skills}), (),
                    member.commune_code, 30.0)
    kinds = OFFER_KINDS + NEED_KINDS
    candidates = (_local_listings(kinds, member.id, viewer, since)
                  + _network(kinds, False, viewer, since))
    return rank(seeker, candidates, now, limit)


@dataclass(frozen=True)
class SheetVillage:
    name: str  # empty: this village
    listings: list[Candidate]
    questions: list[str]


def printable_sheet(viewer: Viewer) -> list[SheetVillage]:
    """What the printed sheet of a rencontre shows: this village's active listings the viewer
    may see and its latest questions, then each other village's listings (network copy)."""
    from node.models import Question

    kinds = OFFER_KINDS + NEED_KINDS
    here = SheetVillage("", sorted(_local_listings(kinds, -1, viewer), key=_sheet_order),
                        [q.title for q in db.session.scalars(
                            select(Question).order_by(Question.created_at.desc()).limit(8))])
    others: dict[str, list[Candidate]] = {}
    for candidate in _network(kinds, False, viewer):
        others.setdefault(candidate.village, []).append(candidate)
    return [here, *(SheetVillage(name, sorted(items, key=_sheet_order), [])
                    for name, items in sorted(others.items()))]


def _sheet_order(candidate: Candidate) -> tuple[int, str]:
    return (0 if candidate.kind in OFFER_KINDS else 1, candidate.title)
