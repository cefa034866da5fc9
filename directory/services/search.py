"""Searching people and listings: full-text, filters, facets, distance, pages.

Matching happens in the database (see :mod:`directory.services.fulltext`); Python only shapes
the page of results. Every query starts from :func:`directory.services.network.shown`, so a
suspended node's records never appear.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import aliased

import communes
from directory.extensions import db
from directory.models import ListingEntry, MemberEntry, MemberSkill, Peer, Record
from directory.services import fulltext
from directory.services.french import words
from directory.services.network import is_stale, shown
from directory.services.params import ListingQuery, PeopleQuery

FACET_LIMIT = 15
#: Distinct searches whose total and facets are kept (per process) until the data changes.
SUMMARY_CACHE_SIZE = 256


@dataclass
class Facet:
    value: str
    label: str
    count: int


@dataclass
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int
    facets: dict[str, list[Facet]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


def _key(value: str) -> str:
    return " ".join(words(value))


def safe_url(value: Any) -> str:
    """The URL if it is a plain http(s) link, else "" (no javascript: or data: links)."""
    url = str(value or "").strip()
    return url if url.lower().startswith(("https://", "http://")) and len(url) <= 500 else ""


def commune_label(code: str) -> str:
    commune = communes.find(code) if code else None
    return commune.name if commune else code


def people_filters(query: PeopleQuery) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a people search, suspended nodes excluded."""
    clauses: list[ColumnElement[bool]] = [shown(MemberEntry.peer_id)]
    matching = fulltext.matching_ids(query.q)
    if matching is not None:
        clauses.append(MemberEntry.record_id.in_(matching))
    if query.trade:
        clauses.append(MemberEntry.trade_key == _key(query.trade))
    if query.skill:
        clauses.append(MemberEntry.record_id.in_(
            select(MemberSkill.record_id).where(MemberSkill.skill_key == _key(query.skill))))
    if query.commune:
        clauses.append(MemberEntry.commune_code == query.commune)
    if query.territory:
        clauses.append(MemberEntry.peer_id.in_(
            select(Peer.id).where(Peer.node_id == query.territory)))
    if query.near:
        clauses.append(MemberEntry.commune_code.in_(codes_near(query.near, query.km)))
    return clauses


@lru_cache(maxsize=512)
def codes_near(code: str, km: float) -> tuple[str, ...]:
    """INSEE codes of the communes within ``km`` of commune ``code`` (the registry is
    shipped data, so the distances are computed once per place and radius)."""
    centre = communes.find(code)
    return tuple(c.code for c in communes.within_km(centre, km)) if centre else ()


def data_generation() -> tuple[Any, ...]:
    """A value that changes whenever what a search counts may have changed.

    Every write to the searched rows goes through :func:`apply_batch` (which stamps the
    node's ``last_success_at`` in the same transaction) or a resync (which drops the node's
    records with :func:`forget_node_records` and resets its non-empty cursor in the same
    transaction); suspension changes the node's status, a refreshed document its name; new
    records raise the highest record id. One small query over the peer table (a hundred
    rows) plus an indexed ``max``: read from the database, so every process agrees.
    """
    peers = db.session.execute(
        select(Peer.id, Peer.status, Peer.name, Peer.last_success_at, Peer.feed_cursor)
        .order_by(Peer.id)).all()
    newest = db.session.scalar(select(func.max(Record.id)))
    return newest, tuple(tuple(row) for row in peers)


@dataclass(frozen=True)
class Summary:
    """What one search found, for one data generation: the total, the facets and the
    record ids of its first pages in display order."""

    generation: Any
    total: int
    facets: dict[str, list[Facet]]
    leading: tuple[int, ...]


class SummaryCache:
    """Summaries of recent people searches, valid until the data changes.

    Counting, grouping and ordering every match is most of a search's cost (100 000
    members: tens of milliseconds per facet, and the full-text match runs again for each),
    and the same searches (the whole directory, a trade, a commune) come back again and
    again between two changes of the data.
    """

    def __init__(self, size: int = SUMMARY_CACHE_SIZE) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[Any, ...], Summary] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...], generation: Any) -> Summary | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry.generation != generation:
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key: tuple[Any, ...], summary: Summary) -> None:
        with self.lock:
            self.entries[key] = summary
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


summaries = SummaryCache()
#: Pages of a search whose record ids are kept with its summary.
LEADING_PAGES = 5


def _summary(query: PeopleQuery | ListingQuery, entity: Any,
             clauses: list[ColumnElement[bool]], order: Sequence[Any], page_size: int,
             facets: Callable[[], dict[str, list[Facet]]]) -> Summary:
    """The cached summary of a search, or a fresh one (then kept) if the data changed."""
    key = (db.engine.url.render_as_string(hide_password=True), replace(query, page=1),
           page_size)
    generation = data_generation()
    known = summaries.get(key, generation)
    if known is not None:
        return known
    total = db.session.scalar(select(func.count()).select_from(entity).where(*clauses))
    leading = db.session.scalars(select(entity.record_id).where(*clauses).order_by(*order)
                                 .limit(LEADING_PAGES * page_size))
    summary = Summary(generation, total or 0, facets(), tuple(leading))
    summaries.put(key, summary)
    return summary


def _page_rows(rows: Any, entity: Any, summary: Summary, clauses: list[ColumnElement[bool]],
               order: Sequence[Any], page: int, page_size: int) -> Any:
    """The rows of one page: by their known ids on the first pages, else by offset."""
    start = (page - 1) * page_size
    if page <= LEADING_PAGES:
        rows = rows.where(entity.record_id.in_(summary.leading[start:start + page_size]))
    else:
        rows = rows.where(*clauses).offset(start).limit(page_size)
    return db.session.execute(rows.order_by(*order))


PEOPLE_ORDER = (MemberEntry.sort_key, MemberEntry.record_id)
LISTING_ORDER = (ListingEntry.updated.desc(), ListingEntry.record_id.desc())


def search_people(query: PeopleQuery, page_size: int = 20) -> Page:
    clauses = people_filters(query)
    summary = _summary(query, MemberEntry, clauses, PEOPLE_ORDER, page_size,
                       lambda: people_facets(clauses))
    rows = select(MemberEntry, Record.payload, Peer) \
        .join(Record, Record.id == MemberEntry.record_id) \
        .join(Peer, Peer.id == MemberEntry.peer_id)
    found = _page_rows(rows, MemberEntry, summary, clauses, PEOPLE_ORDER, query.page, page_size)
    items = [person_card(entry, payload or {}, peer) for entry, payload, peer in found]
    return Page(items, summary.total, query.page, page_size, summary.facets)


def person_card(entry: MemberEntry, payload: dict[str, Any], peer: Peer) -> dict[str, Any]:
    """What a card shows: only the fields the member shared, links made safe."""
    skills = payload.get("skills")
    languages = payload.get("languages")
    return {
        "id": entry.uuid, "display_name": entry.display_name,
        "trade": payload.get("trade") or "", "business_name": payload.get("business_name") or "",
        "commune_code": entry.commune_code, "commune": commune_label(entry.commune_code),
        "skills": [str(s) for s in skills] if isinstance(skills, list) else [],
        "languages": [str(s) for s in languages] if isinstance(languages, list) else [],
        "bio": payload.get("bio") or "", "website": safe_url(payload.get("website")),
        "contact_email": str(payload.get("contact_email") or ""),
        "phone": str(payload.get("phone") or ""),
        "profile_url": safe_url(payload.get("profile_url")),
        "territory": peer.node_id, "territory_name": peer.label, "stale": is_stale(peer),
    }


def people_facets(clauses: list[ColumnElement[bool]]) -> dict[str, list[Facet]]:
    """Counts by trade, skill, commune and territory among the matching people."""
    matched = select(MemberEntry.record_id).where(*clauses)
    count = func.count().label("n")

    def grouped(key: Any, label: Any, *where: Any, source: Any = MemberEntry) -> list[Any]:
        return list(db.session.execute(
            select(key, label, count).select_from(source).where(*where)
            .group_by(key).order_by(count.desc(), key).limit(FACET_LIMIT)))

    trades = grouped(MemberEntry.trade_key, func.max(MemberEntry.trade), *clauses,
                     MemberEntry.trade_key != "")
    skills = grouped(MemberSkill.skill_key, func.max(MemberSkill.skill),
                     MemberSkill.record_id.in_(matched), source=MemberSkill)
    places = grouped(MemberEntry.commune_code, func.max(MemberEntry.commune_code), *clauses,
                     MemberEntry.commune_code != "")
    peers = list(db.session.execute(
        select(Peer.node_id, Peer.name, count).join(MemberEntry, MemberEntry.peer_id == Peer.id)
        .where(*clauses).group_by(Peer.node_id, Peer.name).order_by(count.desc(), Peer.name)))
    return {
        "trade": [Facet(label, label, n) for _, label, n in trades],
        "skill": [Facet(label, label, n) for _, label, n in skills],
        "commune": [Facet(code, commune_label(code), n) for code, _, n in places],
        "territory": [Facet(node_id, name or node_id, n) for node_id, name, n in peers],
    }


def listing_filters(query: ListingQuery) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [shown(ListingEntry.peer_id)]
    matching = fulltext.matching_ids(query.q)
    if matching is not None:
        clauses.append(ListingEntry.record_id.in_(matching))
    if query.kind:
        clauses.append(ListingEntry.kind == query.kind)
    if query.territory:
        clauses.append(ListingEntry.peer_id.in_(
            select(Peer.id).where(Peer.node_id == query.territory)))
    return clauses


def search_listings(query: ListingQuery, page_size: int = 20) -> Page:
    clauses = listing_filters(query)
    summary = _summary(query, ListingEntry, clauses, LISTING_ORDER, page_size, dict)
    total = summary.total
    author = aliased(MemberEntry)
    rows = _page_rows(
        select(ListingEntry, Record.uuid, Record.payload, Peer, author.display_name)
        .join(Record, Record.id == ListingEntry.record_id)
        .join(Peer, Peer.id == ListingEntry.peer_id)
        .outerjoin(author, and_(author.uuid == ListingEntry.member_uuid,
                                author.peer_id == ListingEntry.peer_id)),
        ListingEntry, summary, clauses, LISTING_ORDER, query.page, page_size)
    items = [{
        "id": uuid,
        "kind": entry.kind, "title": entry.title, "details": (payload or {}).get("details") or "",
        "member": author_name or "", "territory": peer.node_id, "territory_name": peer.label,
        "stale": is_stale(peer), "url": safe_url((payload or {}).get("url")) or
        safe_url(peer.base_url),
    } for entry, uuid, payload, peer, author_name in rows]
    return Page(items, total, query.page, page_size)
