"""The member directory: search by name, trade, skill and commune, accent-insensitive.

Words are matched by prefix of a word or of its French stem, and a trade or skill of the
shared vocabulary (:mod:`vocabulary`) by any of its synonyms: the Pays directory reads a
search box the same way.

Matching is done on the *visible profile* only (``visibility.visible_profile``), never on the
raw columns: a member whose skills are hidden from a viewer cannot be found by that viewer
through a skill, so a search can never reveal what a page would not show. A village node holds
hundreds of members at most, so the filtering happens in Python after SQL has narrowed the rows
to the members listed for the viewer, and the built profiles are kept per audience level
until a member, account or listing changes.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import current_app
from sqlalchemy.orm import selectinload

import communes
import vocabulary
from node.extensions import db
from node.models import Account, Listing, Member, Visibility
from node.services.community import commune_name
from node.services.visibility import Viewer, listed_condition, visible_profile

PER_PAGE = 24
BUILD_BATCH = 100  # members loaded per query when the directory cache is rebuilt


@dataclass(frozen=True)
class DirectoryQuery:
    """What the visitor asked for: free text, a commune code and a skill tag."""

    q: str = ""
    commune: str = ""
    skill: str = ""


@dataclass(frozen=True)
class SearchPage:
    """One page of results: visible profiles, in name order."""

    profiles: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def listed_profiles(viewer: Viewer) -> list[dict[str, Any]]:
    """The visible profile of every member listed for this viewer, in folded name order.

    Building a thousand profiles through the ORM costs a few hundred milliseconds, so the list
    for each audience level is kept per app and rebuilt only when a member, an account or a
    listing changed (see :func:`_directory_stamp`). The viewer's own profile is always built
    fresh, since a member sees every part of it.
    """
    shared = [dict(p) for p in _profiles_for_level(viewer.level)]  # callers may annotate them
    if viewer.member_id is None:
        return shared
    own = db.session.get(Member, viewer.member_id)
    mine = visible_profile(viewer, own) if own is not None else None
    others = [p for p in shared if own is None or p["id"] != own.uuid]
    if mine is not None:
        others.append(mine)
    return sorted(others, key=lambda p: communes.fold(p.get("display_name", "")))


def _directory_stamp() -> tuple[Any, ...]:
    """Changes whenever a listed profile could change: versions bump on every edit, and an
    account's status change bumps its member (node.sharing.changes)."""
    members = db.session.execute(db.select(
        db.func.count(Member.id), db.func.max(Member.updated_at),
        db.func.sum(Member.version))).one()
    listings = db.session.execute(db.select(
        db.func.count(Listing.id), db.func.max(Listing.updated_at),
        db.func.sum(Listing.version))).one()
    return (*members, *listings)


def _profiles_for_level(level: Visibility) -> list[dict[str, Any]]:
    cache: dict[Visibility, tuple[tuple[Any, ...], list[dict[str, Any]]]] = \
        current_app.extensions.setdefault("chaleur_member_directory", {})
    stamp = _directory_stamp()
    kept = cache.get(level)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    profiles = _build_profiles(Viewer(level))
    profiles.sort(key=lambda p: communes.fold(p.get("display_name", "")))
    cache[level] = (stamp, profiles)
    return profiles


def _build_profiles(audience: Viewer) -> list[dict[str, Any]]:
    """The visible profiles of the members listed for ``audience``, BUILD_BATCH at a time.

    Loading a thousand members with their accounts and listings at once holds some 10 MB of
    ORM objects for a moment; the long-running server keeps that much more resident
    afterwards (freed memory scattered among the profiles kept). A batch at a time, the same
    memory is reused from one batch to the next, and building is no slower.
    """
    profiles: list[dict[str, Any]] = []
    after = 0
    while True:
        rows = db.session.scalars(
            db.select(Member).join(Account, Member.account_id == Account.id)
            .where(listed_condition(audience), Member.id > after)
            .order_by(Member.id).limit(BUILD_BATCH)
            .options(selectinload(Member.listings), selectinload(Member.account))
        ).all()
        if not rows:
            return profiles
        profiles += [p for p in (visible_profile(audience, m) for m in rows) if p is not None]
        after = rows[-1].id


def matches(profile: dict[str, Any], query: DirectoryQuery) -> bool:
    """True when this visible profile answers the query (every term of ``q`` must match,
    a trade or skill of the shared vocabulary through any of its synonyms)."""
    if query.commune and profile.get("commune_code") != query.commune.strip().upper():
        return False
    if query.skill:
        wanted = communes.fold(query.skill.strip())
        if wanted not in {communes.fold(s) for s in profile.get("skills", [])}:
            return False
    terms = vocabulary.parse_query(query.q)
    if terms:
        text = _search_text(profile)
        return all(term.matches(text) for term in terms)
    return True


def _search_text(profile: dict[str, Any]) -> vocabulary.SearchText:
    """The words and stems a free-text search looks into: only fields present in the
    profile. Kept per profile content (the profiles themselves are rebuilt on change)."""
    parts = [str(profile.get(name, "")) for name in ("trade", "business_name")]
    parts += profile.get("skills", [])
    parts += [item["title"] for item in profile.get("listings", [])]
    # The commune by name, when the member shows it: « Sparsbach » finds who lives there.
    if profile.get("commune_code"):
        parts.append(commune_name(str(profile["commune_code"])))
    return _prepared(str(profile.get("display_name", "")), tuple(parts))


@lru_cache(maxsize=8192)
def _prepared(name: str, parts: tuple[str, ...]) -> vocabulary.SearchText:
    return vocabulary.search_text(name, *parts)


def search_members(viewer: Viewer, query: DirectoryQuery, page: int = 1,
                   per_page: int = PER_PAGE) -> SearchPage:
    """The members listed for ``viewer`` matching ``query``, one page of them."""
    return search_profiles(listed_profiles(viewer), query, page, per_page)


def search_profiles(profiles: list[dict[str, Any]], query: DirectoryQuery, page: int = 1,
                    per_page: int = PER_PAGE) -> SearchPage:
    """Filter already-visible profiles (from :func:`listed_profiles`) and cut one page."""
    found = [p for p in profiles if matches(p, query)]
    pages = max(1, math.ceil(len(found) / per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return SearchPage(profiles=found[start:start + per_page], total=len(found), page=page,
                      pages=pages)


def skill_facets(profiles: list[dict[str, Any]], limit: int = 40) -> list[tuple[str, int]]:
    """The skills visible in these profiles, most frequent first, for the skill filter."""
    counts: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for profile in profiles:
        for skill in profile.get("skills", []):
            key = communes.fold(skill)
            labels.setdefault(key, skill)
            counts[key] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [(labels[key], count) for key, count in ranked]
