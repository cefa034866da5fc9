"""Searching people and listings: full-text, filters, facets, distance, pages.

Words are matched in the database (see :mod:`directory.services.fulltext`). People are then
filtered, counted by facet and ordered by the in-memory index of the shown members
(:mod:`directory.services.people_index`, synced with the database before each search);
listings, twenty times fewer, stay in SQL and start from
:func:`directory.services.network.shown`. Either way a suspended node's records never appear.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import aliased

import communes
from directory.extensions import db
from directory.models import ListingEntry, MemberEntry, Peer, Record
from directory.services import fulltext
from directory.services.audience import Reach, current_audience, visible_part
from directory.services.member_rows import Value
from directory.services.network import is_stale, shown
from directory.services.params import ListingQuery, PeopleQuery
from directory.services.people_counts import Criteria
from directory.services.people_index import PeerState, current_index, network_state
from vocabulary.text import words

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


def people_criteria(query: PeopleQuery) -> Criteria:
    """A people search as sets for the in-memory index (the words matched in the database)."""
    values: list[Value] = []
    if query.trade:
        values.append(("trade", _key(query.trade)))
    if query.skill:
        values.append(("skill", _key(query.skill)))
    if query.commune:
        values.append(("commune", query.commune))
    return Criteria(text=fulltext.matching_record_ids(query.q), values=tuple(values),
                    near=codes_near(query.near, query.km) if query.near else None,
                    territory=query.territory or None)


@lru_cache(maxsize=512)
def codes_near(code: str, km: float) -> tuple[str, ...]:
    """INSEE codes of the communes within ``km`` of commune ``code`` (the registry is
    shipped data, so the distances are computed once per place and radius)."""
    centre = communes.find(code)
    return tuple(c.code for c in communes.within_km(centre, km)) if centre else ()


def data_generation() -> tuple[PeerState, ...]:
    """A value that changes whenever what a search finds may have changed.

    Every write to the searched rows raises its node's ``search_version`` in the same
    transaction (:func:`directory.services.people_index.mark_changed`: batches applied,
    records forgotten before a resync); suspension changes the node's status, a refreshed
    document its name. One small query over the peer table (a hundred rows), read from the
    database so every process agrees.
    """
    return network_state()


@dataclass(frozen=True)
class Summary:
    """What one search found, for one data generation: the total, the facets and the
    record ids of its first pages in display order."""

    generation: Any
    total: int
    facets: dict[str, list[Facet]]
    leading: tuple[int, ...]


class SummaryCache:
    """Summaries of recent searches, valid until the data changes.

    A repeated search (the whole directory, a trade, a commune, the next page) then costs
    one query over the peer table and the page's own rows.
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


def _summary(query: PeopleQuery | ListingQuery, page_size: int, generation: Any,
             compute: Callable[[], Summary]) -> Summary:
    """The cached summary of a search, or a fresh one (then kept) if the data changed."""
    key = (db.engine.url.render_as_string(hide_password=True), replace(query, page=1),
           page_size)
    known = summaries.get(key, generation)
    if known is not None:
        return known
    summary = replace(compute(), generation=generation)
    summaries.put(key, summary)
    return summary


def _people_summary(query: PeopleQuery, peers: tuple[PeerState, ...],
                    page_size: int) -> Summary:
    """Total, facets and first pages from the in-memory index, brought up to this peer read
    first (the words are matched in the database before: no lock held meanwhile)."""
    found = current_index().find(peers, people_criteria(query), LEADING_PAGES * page_size,
                                 FACET_LIMIT)
    names = {peer.node_id: peer.name or peer.node_id for peer in peers}
    territories = sorted(((node_id, names[node_id], n)
                          for node_id, n in found.territories.items()),
                         key=lambda item: (-item[2], item[1], item[0]))

    def labelled(facet: str) -> list[Facet]:
        return [Facet(label, label, n) for key, n in found.counts[facet]
                for label in (found.labels[(facet, key)],)]

    return Summary(peers, found.total, {
        "trade": labelled("trade"),
        "skill": labelled("skill"),
        "commune": [Facet(code, commune_label(code), n) for code, n in found.counts["commune"]],
        "territory": [Facet(node_id, name, n) for node_id, name, n in territories],
    }, tuple(found.first))


LISTING_ORDER = (ListingEntry.updated.desc(), ListingEntry.record_id.desc())


def search_people(query: PeopleQuery, page_size: int = 20) -> Page:
    peers = data_generation()
    summary = _summary(query, page_size, peers,
                       lambda: _people_summary(query, peers, page_size))
    start = (query.page - 1) * page_size
    if query.page <= LEADING_PAGES:
        ids = list(summary.leading[start:start + page_size])
    else:
        ids = current_index().ordered(peers, people_criteria(query), start + page_size)[start:]
    place = {rid: position for position, rid in enumerate(ids)}
    found = list(db.session.execute(
        select(MemberEntry, Record.payload, Peer)
        .join(Record, Record.id == MemberEntry.record_id)
        .join(Peer, Peer.id == MemberEntry.peer_id)
        .where(MemberEntry.record_id.in_(ids), shown(MemberEntry.peer_id))))
    found.sort(key=lambda row: place[row[0].record_id])
    audience = current_audience()
    items = [person_card(entry, visible_part(audience, "member", payload) or {}, peer)
             for entry, payload, peer in found]
    return Page(items, summary.total, query.page, page_size, summary.facets)


def find_person(member_id: str) -> dict[str, Any] | None:
    """One member's card, for their page at the Pays (None if unknown or not shown)."""
    row = db.session.execute(
        select(MemberEntry, Record.payload, Peer)
        .join(Record, Record.id == MemberEntry.record_id)
        .join(Peer, Peer.id == MemberEntry.peer_id)
        .where(MemberEntry.uuid == member_id, shown(MemberEntry.peer_id)).limit(1)).first()
    return person_card(row[0], row[1] or {}, row[2]) if row is not None else None


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


def _listing_summary(clauses: list[ColumnElement[bool]], page_size: int) -> Summary:
    """Total and first pages of a listings search (one listing per 20 members: SQL is
    quick enough here)."""
    total = db.session.scalar(select(func.count()).select_from(ListingEntry).where(*clauses))
    leading = db.session.scalars(select(ListingEntry.record_id).where(*clauses)
                                 .order_by(*LISTING_ORDER).limit(LEADING_PAGES * page_size))
    return Summary(None, total or 0, {}, tuple(leading))


def _listing_rows(rows: Any, summary: Summary, clauses: list[ColumnElement[bool]],
                  page: int, page_size: int) -> Any:
    """The rows of one page: by their known ids on the first pages, else by offset."""
    start = (page - 1) * page_size
    if page <= LEADING_PAGES:
        rows = rows.where(ListingEntry.record_id.in_(summary.leading[start:start + page_size]))
    else:
        rows = rows.where(*clauses).offset(start).limit(page_size)
    return db.session.execute(rows.order_by(*LISTING_ORDER))


def search_listings(query: ListingQuery, page_size: int = 20) -> Page:
    clauses = listing_filters(query)
    summary = _summary(query, page_size, data_generation(),
                       lambda: _listing_summary(clauses, page_size))
    total = summary.total
    author = aliased(MemberEntry)
    rows = _listing_rows(
        select(ListingEntry, Record.uuid, Record.payload, Peer, author.display_name)
        .join(Record, Record.id == ListingEntry.record_id)
        .join(Peer, Peer.id == ListingEntry.peer_id)
        .outerjoin(author, and_(author.uuid == ListingEntry.member_uuid,
                                author.peer_id == ListingEntry.peer_id)),
        summary, clauses, query.page, page_size)
    audience = current_audience()
    items = [{
        "id": uuid,
        "kind": entry.kind, "title": entry.title, "details": shown.get("details") or "",
        "member": author_name or "",
        # the author's id, for « Répondre depuis mon village »: network members only
        "member_id": entry.member_uuid if audience.reach == Reach.NETWORK else "",
        "territory": peer.node_id, "territory_name": peer.label,
        "stale": is_stale(peer), "url": safe_url(shown.get("url")) or safe_url(peer.base_url),
    } for entry, uuid, payload, peer, author_name in rows
        for shown in (visible_part(audience, "listing", payload) or {},)]
    return Page(items, total, query.page, page_size)
