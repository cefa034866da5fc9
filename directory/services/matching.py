"""Matching at the Pays: the offers and members of every village that answer a need (or the
needs an offer answers), scored by :func:`vocabulary.matching.score` like on a node.

The directory holds only what villages shared with the network, so every field it scores
may be shown to the network's members. At 100,000 members a broad trade names thousands of
people; scoring them all in Python would cost too much, so the work has two steps:

1. **Evidence, in the full-text index.** One query per piece of evidence (each skill the
   need names — any of its synonyms, by exact stems — and each meaningful word stem) gives
   the ids of the records holding it; a record collects 3 points per skill and 1 per word.
   Members' communes come from ``member_entry`` in one more query.
2. **Score, in Python.** The :data:`PRESELECT` members with the most evidence (nearest
   first among equals) and every listing on the other side are loaded and scored in full.

``scripts/bench-matching`` measures it at the Pays's size (figures in docs/architecture.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text

import communes
import vocabulary
from directory.extensions import db
from directory.models import Record, utcnow
from directory.services import fulltext
from directory.services.aggregation import NEED_KINDS
from vocabulary.matching import THRESHOLD, Score, Side, prepare, score

#: Members scored in full, at most, per match.
PRESELECT = 300
#: Word stems of the need asked of the index, at most.
MAX_WORDS = 8
SKILL_EVIDENCE, WORD_EVIDENCE = 3.0, 1.0


@dataclass(frozen=True)
class PaysMatch:
    record_id: int
    type: str  # "member" or "listing"
    payload: dict[str, Any]
    score: Score


def _evidence(side: Side) -> dict[int, float]:
    weight: dict[int, float] = defaultdict(float)
    for concept_id in sorted(side.concepts):
        for record_id in fulltext.ids_with_any(vocabulary.synonyms_of(concept_id)):
            weight[record_id] += SKILL_EVIDENCE
    for stem in sorted(side.terms)[:MAX_WORDS]:
        for record_id in fulltext.ids_with_any([(stem,)]):
            weight[record_id] += WORD_EVIDENCE
    return weight


def _member_places(ids: Sequence[int]) -> dict[int, str]:
    """Commune of each candidate member, in one query (the ids travel as one string)."""
    if not ids:
        return {}
    postgres = db.session.get_bind().dialect.name == "postgresql"
    listed = ("SELECT unnest(string_to_array(:ids, ','))::integer" if postgres
              else "SELECT value FROM json_each('[' || :ids || ']')")
    rows = db.session.execute(text(
        f"SELECT record_id, commune_code FROM member_entry WHERE record_id IN ({listed})"
    ).bindparams(ids=",".join(map(str, ids))))
    return {int(record_id): str(code or "") for record_id, code in rows}


def _listings(ids: Sequence[int], side: str) -> list[int]:
    """Candidate listings on the other side (the Pays stores a listing's side as its kind)."""
    if not ids:
        return []
    postgres = db.session.get_bind().dialect.name == "postgresql"
    listed = ("SELECT unnest(string_to_array(:ids, ','))::integer" if postgres
              else "SELECT value FROM json_each('[' || :ids || ']')")
    wanted = "offer" if side == "need" else "need"
    rows = db.session.execute(text(
        f"SELECT record_id FROM listing_entry WHERE kind = :kind AND record_id IN ({listed})"
    ).bindparams(ids=",".join(map(str, ids)), kind=wanted))
    return [int(row[0]) for row in rows]


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
    weight = _evidence(mine)
    if not weight:
        return []
    here = communes.find(str(listing.get("commune_code") or ""))
    radius = float(listing.get("radius_km") or 20)
    distances: dict[str, float | None] = {}

    def distance(code: str) -> float | None:
        if code not in distances:
            there = communes.find(code) if code else None
            distances[code] = communes.distance_km(here, there) if here and there else None
        return distances[code]

    ids = list(weight)
    chosen = _listings(ids, side)
    if side == "need":
        places = _member_places(ids)
        ranked = sorted(places, key=lambda rid: (-weight[rid], distance(places[rid]) or 1e6))
        chosen += ranked[:PRESELECT]
    author = listing.get("member_id")
    matches = []
    for record in db.session.scalars(select(Record).where(Record.id.in_(chosen),
                                                          Record.deleted.is_(False))):
        payload = record.payload or {}
        if author and (record.uuid == author or payload.get("member_id") == author):
            continue
        other = prepare(_text(record.type, payload), tuple(payload.get("skills") or ())
                        if record.type == "listing" else ())
        age = (now - record.updated).total_seconds() / 86400 if record.updated else None
        found = score(mine, other, distance_km=distance(str(payload.get("commune_code") or "")),
                      radius_km=radius, age_days=age)
        if found.total >= THRESHOLD:
            matches.append(PaysMatch(record.id, record.type, payload, found))
    matches.sort(key=lambda m: (-m.score.total, m.record_id))
    return matches[:limit]
