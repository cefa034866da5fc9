"""Matching at the Pays: the offers and members of every village that answer a need (or the
needs an offer answers), scored by :func:`vocabulary.matching.score` like on a node.

The directory holds only what villages shared with the network, so every field it scores
may be shown to the network's members. At 100,000 members a broad trade names thousands of
people; scoring them all in Python would cost too much, so the work has two steps:

1. **Candidates, in SQL.** The full-text index gives the records holding any skill the
   need names (any synonym, by exact stems; a need naming no skill: any of its words),
   joined to the people index: :data:`PRESELECT` members within twice the need's radius
   first (beyond, distance no longer counts), then others, newest first; as many listings
   of the other side, newest first.
2. **Score, in Python.** Those are loaded as plain rows and scored in full.

``scripts/bench-matching`` measures it at the Pays's size (figures in docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, text

import communes
import vocabulary
from directory.extensions import db
from directory.models import Record, utcnow
from directory.services import fulltext
from directory.services.aggregation import NEED_KINDS
from directory.services.search import codes_near
from vocabulary.matching import THRESHOLD, Score, Side, prepare, score

#: Members, and listings, scored in full at most per match.
PRESELECT = 80
#: Where the rings of communes around the need end (nearest first, see ``codes_near``).
RINGS = (4, 12, 32)
#: Word stems of the need asked of the index, at most.
MAX_WORDS = 8


@dataclass(frozen=True)
class PaysMatch:
    record_id: int
    type: str  # "member" or "listing"
    payload: dict[str, Any]
    score: Score


def _evidence(side: Side) -> list[int]:
    """Ids of the records holding any skill the need names (any synonym, by exact stems);
    without a skill, any of its meaningful words. Asking for everyday words when a skill is
    named would fetch half the Pays: they count in the full score only."""
    synonyms = [syn for concept_id in sorted(side.concepts)
                for syn in vocabulary.synonyms_of(concept_id)]
    if not synonyms:
        synonyms = [(stem,) for stem in sorted(side.terms)[:MAX_WORDS]]
    return fulltext.ids_with_any(synonyms)


def _among(ids: list[int]) -> tuple[str, dict[str, str]]:
    """A FROM clause of the given ids (``found.value``), sent as one string: a bound list of
    thousands of parameters, or ``IN (full-text subquery)``, cost SQLite several times more
    (15 ms against 2 ms for a broad trade at 100,000 members)."""
    joined = ",".join(map(str, ids))
    if db.session.get_bind().dialect.name == "postgresql":
        return ("unnest(string_to_array(:ids, ',')::integer[]) AS found(value)",
                {"ids": joined})
    return "json_each('[' || :ids || ']') AS found", {"ids": joined}


def _members(ids: list[int], near: tuple[str, ...], exclude: str) -> list[int]:
    """Members holding the evidence, nearest first: ring after ring of communes within twice
    the radius (beyond, distance no longer counts), then others, newest first,
    :data:`PRESELECT` in all."""
    source, params = _among(ids)
    base = (f"SELECT m.record_id FROM {source} JOIN member_entry m "
            "ON m.record_id = found.value WHERE m.uuid != :exclude")
    params = {**params, "exclude": exclude}
    found: list[int] = []
    ring = text(f"{base} AND m.commune_code IN :ring LIMIT :limit").bindparams(
        bindparam("ring", expanding=True))
    start = 0
    for end in (*RINGS, len(near)):
        if start >= len(near) or len(found) >= PRESELECT:
            break
        found += [int(row[0]) for row in db.session.execute(ring, {
            **params, "ring": list(near[start:end]), "limit": PRESELECT - len(found)})]
        start = end
    if len(found) < PRESELECT:
        rest = text(f"{base} AND m.commune_code NOT IN :near ORDER BY m.record_id DESC "
                    "LIMIT :limit").bindparams(bindparam("near", expanding=True))
        found += [int(row[0]) for row in db.session.execute(rest, {
            **params, "near": list(near) or [""], "limit": PRESELECT - len(found)})]
    return found


def _listings(ids: list[int], side: str) -> list[int]:
    """Listings of the other side holding the evidence, newest first (the Pays stores a
    listing's side as its kind)."""
    source, params = _among(ids)
    return [int(row[0]) for row in db.session.execute(text(
        f"SELECT l.record_id FROM {source} JOIN listing_entry l ON l.record_id = found.value "
        "WHERE l.kind = :kind ORDER BY l.updated DESC LIMIT :limit"),
        {**params, "kind": "offer" if side == "need" else "need", "limit": PRESELECT})]


def _text(record_type: str, payload: dict[str, Any]) -> str:
    if record_type == "listing":
        return f"{payload.get('title', '')} {payload.get('details', '')}"
    return " ".join([str(payload.get("trade") or ""), " ".join(payload.get("skills") or []),
                     str(payload.get("bio") or "")])


def match_listing(listing: dict[str, Any], limit: int = 10,
                  now: datetime | None = None) -> list[PaysMatch]:
    """The best answers across the Pays to a listing payload (title, details, kind, skills,
    commune_code, radius_km): members and listings of the other side for a need, needs
    for an offer. The listing's own record, if stored, is left out by its member."""
    now = now or utcnow()
    side = "need" if listing.get("kind") in NEED_KINDS else "offer"
    mine = prepare(f"{listing.get('title', '')} {listing.get('details', '')}",
                   tuple(listing.get("skills") or ()))
    evidence = _evidence(mine)
    if not evidence:
        return []
    code = str(listing.get("commune_code") or "")
    here = communes.find(code)
    radius = float(listing.get("radius_km") or 20)
    distances: dict[str, float | None] = {}

    def distance(place: str) -> float | None:
        if place not in distances:
            there = communes.find(place) if place else None
            distances[place] = communes.distance_km(here, there) if here and there else None
        return distances[place]

    chosen = _listings(evidence, side)
    if side == "need":
        near = codes_near(code, 2 * radius) if here else ()
        chosen += _members(evidence, near, str(listing.get("member_id") or ""))
    author = listing.get("member_id")
    matches = []
    # Plain rows, not ORM objects: a hundred identity-mapped instances cost more than scoring.
    rows = db.session.execute(select(Record.id, Record.type, Record.uuid, Record.updated,
                                     Record.payload)
                              .where(Record.id.in_(chosen), Record.deleted.is_(False)))
    for record_id, record_type, record_uuid, updated, payload in rows:
        payload = payload or {}
        if author and (record_uuid == author or payload.get("member_id") == author):
            continue
        other = prepare(_text(record_type, payload), tuple(payload.get("skills") or ())
                        if record_type == "listing" else ())
        age = (now - updated).total_seconds() / 86400 if updated else None
        found = score(mine, other, distance_km=distance(str(payload.get("commune_code") or "")),
                      radius_km=radius, age_days=age)
        if found.total >= THRESHOLD:
            matches.append(PaysMatch(record_id, record_type, payload, found))
    matches.sort(key=lambda m: (-m.score.total, m.record_id))
    return matches[:limit]
