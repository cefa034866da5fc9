"""Applying the records a node shares: idempotent, version-ordered, one transaction per batch.

The federation layer verifies signatures and validates envelopes against the schemas, then
calls :func:`apply_batch` with plain dicts. This module still enforces what makes the store
trustworthy whatever the caller: a node may only write records of its own origin, an older or
equal version never replaces a newer one, and a deletion leaves a tombstone carrying its
version so a late, older update cannot bring the record back.

Everything happens with set operations (one lookup query, bulk inserts and updates), and the
search rows and full-text index change in the same transaction as the records.
:func:`apply_batch` commits each batch; :func:`stage_batch` leaves the commit to its caller
(the pull commits a few thousand records at once) and refuses before writing anything.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

import communes
from directory.extensions import db
from directory.fediverse.publishing import publish_events
from directory.models import (
    RECORD_TYPES,
    EventEntry,
    EventOccurrence,
    ListingEntry,
    Peer,
    PeerStatus,
    Record,
    utcnow,
)
from directory.services import fulltext
from directory.services.audience import is_public, public_part
from directory.services.people_index import mark_changed
from federation.recurrence import occurrences, parse_time
from vocabulary.text import words

log = logging.getLogger("chaleur.directory.aggregation")
#: A batch that meets a concurrent write of the same records is read and applied again.
APPLY_ATTEMPTS = 3
LOOKUP_CHUNK = 500
SEARCHED_TYPES = ("member", "listing")
#: Listing kinds that look for someone (a helping hand, partners for a tender); the
#: Pays's « Offres et besoins » shows them as needs, the others as offers.
NEED_KINDS = ("need", "help", "tender")
SHORT = 200
MAX_VERSION = 2**31 - 1  # the column is a 32-bit integer on PostgreSQL


class BatchRefused(Exception):
    """The whole batch was refused (unknown or non-admitted node); nothing was written."""


class OwnershipRefused(BatchRefused):
    """A strict batch touched records this node may not write; nothing was written."""

    def __init__(self, refused: list[tuple[str, str, str]]) -> None:
        kind, uuid, reason = refused[0]
        super().__init__(f"{kind} {uuid[:64]}: {reason}")
        self.refused = refused


@dataclass
class ApplyResult:
    """What a batch changed; ``refused`` lists (type, id, reason) of records not applied."""

    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    ignored: int = 0
    refused: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def applied(self) -> int:
        return self.inserted + self.updated + self.deleted


@dataclass
class _Incoming:
    type: str
    uuid: str
    version: int
    updated: datetime | None
    deleted: bool
    payload: dict[str, Any] | None


def apply_batch(peer_node_id: str, records: Sequence[dict[str, Any]], *,
                strict: bool = False) -> ApplyResult:
    """Apply verified records from one node in a single transaction, and return the tally.

    ``strict`` (the federation inbox and pull): one record the node may not write (another
    node's origin or id) refuses the whole batch with :class:`OwnershipRefused`."""
    attempt = 1
    while True:
        peer = db.session.scalars(select(Peer).where(Peer.node_id == peer_node_id)).first()
        if peer is None:
            log.warning("batch refused: node=%s is not admitted", peer_node_id)
            raise BatchRefused(f"node {peer_node_id!r} is not admitted")
        try:
            result = stage_batch(peer, records, strict=strict)
            db.session.commit()
            return result
        except IntegrityError:
            # The pull thread stored some of these records between our reading and our
            # writing (a node pushes what the Pays is also pulling): read again and apply
            # by version, as for any record already there.
            db.session.rollback()
            if attempt == APPLY_ATTEMPTS:
                raise
            attempt += 1
            log.info("batch from node=%s met a concurrent write; applied again", peer_node_id)
        except Exception:
            db.session.rollback()
            raise


def stage_batch(peer: Peer, records: Sequence[dict[str, Any]], *,
                strict: bool = False) -> ApplyResult:
    """Write a batch in the session's current transaction and leave the commit to the caller.

    :func:`apply_batch` commits each batch; the pull commits several feed pages at once
    (one commit per page costs more than the page itself). A refusal is raised before
    anything is written, so a refused batch leaves the transaction exactly as it was and
    the pages staged before it can still be committed."""
    if peer.status != PeerStatus.ADMITTED:
        log.warning("batch refused: node=%s is not admitted", peer.node_id)
        raise BatchRefused(f"node {peer.node_id!r} is not admitted")
    result = ApplyResult()
    incoming = _accepted(peer.node_id, records, result)
    plan = _plan(peer, incoming, result)
    if strict and result.refused:
        raise OwnershipRefused(result.refused)
    _write(plan, peer.id)
    publish_events(peer, [row for row in plan.new_rows + plan.changed_rows
                          if row["type"] == "event"])
    if result.applied:
        mark_changed(peer.id)  # in-memory search data follows (people_index)
    peer.last_success_at = utcnow()
    return result


def _accepted(node_id: str, records: Iterable[dict[str, Any]],
              result: ApplyResult) -> dict[tuple[str, str], _Incoming]:
    """The records this node may write, one per (type, id): the highest version in the batch."""
    kept: dict[tuple[str, str], _Incoming] = {}
    type_of: dict[str, str] = {}  # an id names one record, of one type, in a batch too
    for raw in records:
        kind, uuid = str(raw.get("type", "")), str(raw.get("id", ""))
        if kind not in RECORD_TYPES:
            result.ignored += 1
            continue
        reason = _refusal(node_id, raw) or (
            OTHER_TYPE if type_of.setdefault(uuid, kind) != kind else "")
        if reason:
            log.warning("record refused: node=%s type=%s id=%s reason=%s",
                        node_id, kind, uuid[:64], reason)
            result.refused.append((kind, uuid, reason))
            continue
        item = _Incoming(kind, uuid, int(raw["version"]), parse_time(raw.get("updated")),
                         bool(raw.get("deleted")),
                         None if raw.get("deleted") else dict(raw.get("payload") or {}))
        previous = kept.get((kind, uuid))
        if previous is None or item.version > previous.version:
            if previous is not None:
                result.unchanged += 1
            kept[(kind, uuid)] = item
        else:
            result.unchanged += 1
    return kept


OTHER_NODE = "record belongs to another node"
OTHER_TYPE = "id already names a record of another type"


def _refusal(node_id: str, raw: dict[str, Any]) -> str:
    if raw.get("origin") != node_id:
        return "origin does not match the sending node"
    uuid, version = raw.get("id"), raw.get("version")
    if not isinstance(uuid, str) or not 0 < len(uuid) <= 64:
        return "missing or invalid id"
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_VERSION:
        return "missing or invalid version"
    if not raw.get("deleted") and not isinstance(raw.get("payload"), dict):
        return "live record without a payload"
    return ""


def _mark() -> str:
    """The driver's positional placeholder (qmark for sqlite3, format for psycopg)."""
    return "?" if db.session.connection().dialect.paramstyle == "qmark" else "%s"


def _marks(count: int) -> str:
    return ", ".join([_mark()] * count)


def _existing(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(type, id) → (record id, peer id, version) for the keys already stored.

    Plain driver SQL: compiling an IN of a thousand bound values through the SQL expression
    layer costs more than running the query.
    """
    found: dict[tuple[str, str], tuple[int, int, int]] = {}
    uuids = sorted({uuid for _, uuid in keys})
    connection = db.session.connection()
    for start in range(0, len(uuids), LOOKUP_CHUNK):
        chunk = tuple(uuids[start:start + LOOKUP_CHUNK])
        rows = connection.exec_driver_sql(
            "SELECT id, type, uuid, peer_id, version FROM record "
            f"WHERE uuid IN ({_marks(len(chunk))})", chunk)
        for rid, kind, uuid, peer_id, version in rows:
            found[(kind, uuid)] = (rid, peer_id, version)
    return found


@dataclass
class _Plan:
    """What a batch will write: new rows, replaced rows, and the live records to index."""

    new_rows: list[dict[str, Any]] = field(default_factory=list)
    changed_rows: list[dict[str, Any]] = field(default_factory=list)
    live: list[tuple[int | None, _Incoming]] = field(default_factory=list)


def _plan(peer: Peer, incoming: dict[tuple[str, str], _Incoming],
          result: ApplyResult) -> _Plan:
    """Compare the batch with the stored versions; reads only, so a refusal found here
    (a record owned by another node) can still refuse the batch before any write.

    Ownership holds by id, whatever the type: a record id stored for one node, as an
    event say, cannot be taken by another node as a member (nor change type). The
    database says the same (``uq_record_uuid``)."""
    by_id = {uuid: (kind, *stored) for (kind, uuid), stored in _existing(list(incoming)).items()}
    now = utcnow()
    plan = _Plan()
    for item in incoming.values():
        found = by_id.get(item.uuid)
        row = {"version": item.version, "updated": item.updated, "deleted": item.deleted,
               "payload": item.payload, "received_at": now}
        reason = "" if found is None else (
            OTHER_NODE if found[2] != peer.id else OTHER_TYPE if found[0] != item.type else "")
        if reason:
            log.warning("record refused: node=%s type=%s id=%s reason=%s",
                        peer.node_id, item.type, item.uuid, reason)
            result.refused.append((item.type, item.uuid, reason))
            continue
        stored = None if found is None else found[1:]
        if stored is None:
            plan.new_rows.append({"type": item.type, "uuid": item.uuid, "peer_id": peer.id,
                                  **row})
            result.deleted += item.deleted
            result.inserted += not item.deleted
            if not item.deleted:
                plan.live.append((None, item))
            continue
        rid, _, version = stored
        if item.version <= version:
            result.unchanged += 1
        else:
            plan.changed_rows.append({"rid": rid, "type": item.type, "uuid": item.uuid, **row})
            result.deleted += item.deleted
            result.updated += not item.deleted
            if not item.deleted:
                plan.live.append((rid, item))
    return plan


def _write(plan: _Plan, peer_id: int) -> None:
    _forget_search_rows(plan.changed_rows)
    _update_records(plan.changed_rows)
    ids = _insert_records(plan.new_rows)
    _index([(rid if rid is not None else ids[(item.type, item.uuid)], item)
            for rid, item in plan.live], peer_id)


RECORD_VALUES = ("version", "updated", "deleted", "payload", "received_at")


def _update_records(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    assignments = ", ".join(f"{name} = {{mark}}" for name in RECORD_VALUES)
    _bulk_execute(f"UPDATE record SET {assignments} WHERE id = {{mark}}",
                  (*RECORD_VALUES, "rid"), rows)


INSERT_CHUNK = 100  # rows per multi-row INSERT: 800 values, under SQLite's oldest limit


def _insert_records(rows: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """Insert new records and return their ids, by multi-row INSERT ... RETURNING."""
    if not rows:
        return {}
    columns = ("type", "uuid", "peer_id", *RECORD_VALUES)
    connection = db.session.connection()
    if not connection.dialect.insert_returning:  # SQLite before 3.35: insert, then look up
        marks = ", ".join(["{mark}"] * len(columns))
        _bulk_execute(f"INSERT INTO record ({', '.join(columns)}) VALUES ({marks})", columns,
                      rows)
        return {key: stored[0] for key, stored
                in _existing([(r["type"], r["uuid"]) for r in rows]).items()}
    values = _converted(columns, rows)
    group = f"({_marks(len(columns))})"
    ids: dict[tuple[str, str], int] = {}
    for start in range(0, len(values), INSERT_CHUNK):
        chunk = values[start:start + INSERT_CHUNK]
        returned = connection.exec_driver_sql(
            f"INSERT INTO record ({', '.join(columns)}) VALUES "
            + ", ".join([group] * len(chunk)) + " RETURNING id, type, uuid",
            tuple(value for row in chunk for value in row))
        ids.update({(kind, uuid): rid for rid, kind, uuid in returned})
    return ids


def _converted(columns: Sequence[str], rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Rows as tuples of driver values, converted by the record columns' own types.

    The SQLAlchemy types still decide how a JSON payload or a UTC datetime is stored, so
    rows written here read back exactly like rows written through the ORM.
    """
    dialect = db.session.connection().dialect
    table = Record.__table__.c
    converted = []
    for name in columns:  # column by column: one comprehension each, not a call per value
        values = [row[name] for row in rows]
        process = table[name if name != "rid" else "id"].type.dialect_impl(dialect) \
            .bind_processor(dialect)
        if process is not None and name in REPEATED_VALUES:
            known = {value: process(value) for value in set(values)}
            values = [known[value] for value in values]
        elif process is not None:
            values = [process(value) for value in values]
        converted.append(values)
    return list(zip(*converted, strict=True))


#: Columns whose few distinct values are converted once per batch (the batch's receipt
#: time; the flag; the edit times a node often stamps on many records at once).
REPEATED_VALUES = frozenset({"received_at", "deleted", "updated"})


def _bulk_execute(sql: str, columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """executemany straight to the driver (see :func:`_converted`)."""
    db.session.connection().exec_driver_sql(sql.format(mark=_mark()), _converted(columns, rows))


SEARCH_TABLES = {"member": ("member_skill", "member_entry"), "listing": ("listing_entry",),
                 "event": ("event_occurrence", "event_entry")}


def _forget_search_rows(changed: list[dict[str, Any]]) -> None:
    """Delete the search rows of replaced records, only from the tables of their type."""
    by_type: dict[str, list[int]] = {}
    for row in changed:
        by_type.setdefault(row["type"], []).append(row["rid"])
    connection = db.session.connection()
    for kind, record_ids in by_type.items():
        for start in range(0, len(record_ids), LOOKUP_CHUNK):
            chunk = tuple(record_ids[start:start + LOOKUP_CHUNK])
            for table in SEARCH_TABLES.get(kind, ()):
                connection.exec_driver_sql(
                    f"DELETE FROM {table} WHERE record_id IN ({_marks(len(chunk))})", chunk)
    fulltext.remove([rid for kind in SEARCHED_TYPES for rid in by_type.get(kind, ())])


def _short(value: Any, limit: int = SHORT) -> str:
    """A payload value as trimmed text; NUL characters dropped (PostgreSQL refuses them)."""
    text = value if type(value) is str else ("" if value is None else str(value))
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text.strip()[:limit]


def _key(value: Any) -> str:
    return _folded_key(_short(value))


@lru_cache(maxsize=65536)
def _folded_key(value: str) -> str:
    """Accent- and case-free form of a trade or skill (they repeat across a batch)."""
    return " ".join(words(value))[:SHORT]


def _index(live: list[tuple[int, _Incoming]], peer_id: int) -> None:
    """Write the search rows and full-text entries of live records.

    Members and listings are indexed by their public part only (:mod:`audience`): a
    search by anyone must not find a record by a value only the network may see."""
    members: list[tuple[Any, ...]] = []
    skills: list[tuple[Any, ...]] = []
    listings: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    dates: list[dict[str, Any]] = []  # a series expanded: one row per occurrence
    texts: list[tuple[int, str, str]] = []
    for rid, item in live:
        payload = item.payload or {}
        if item.type == "member":
            public = public_part("member", payload)
            if public is not None:
                _index_member(rid, item.uuid, peer_id, public, members, skills, texts)
        elif item.type == "listing" and is_public("listing", payload):
            listings.append({
                "record_id": rid, "peer_id": peer_id,
                "kind": "need" if payload.get("kind") in NEED_KINDS else "offer",
                "title": _short(payload.get("title"), 300),
                "member_uuid": _short(payload.get("member_id"), 64), "updated": item.updated})
            texts.append((rid, "", listing_text(payload)))
        elif item.type == "event":
            event_row = _event_row(rid, peer_id, payload)
            if event_row:
                events.append(event_row)
                dates.extend({"record_id": rid, "peer_id": peer_id, "starts_at": found.starts_at,
                              "ends_at": found.ends_at} for found in occurrences(payload))
    _bulk_insert("member_entry", MEMBER_COLUMNS, members)
    _bulk_insert("member_skill", ("record_id", "skill_key", "skill"), skills)
    for model, rows in ((ListingEntry, listings), (EventEntry, events),
                        (EventOccurrence, dates)):
        if rows:
            db.session.execute(insert(model.__table__), rows)
    fulltext.add(texts)


MEMBER_COLUMNS = ("record_id", "peer_id", "uuid", "display_name", "sort_key", "trade",
                  "trade_key", "commune_code")


def _bulk_insert(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """executemany straight to the driver: the hot path of a batch, plain values only."""
    if not rows:
        return
    connection = db.session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})",
        rows)


def _index_member(rid: int, uuid: str, peer_id: int, payload: dict[str, Any],
                  members: list[tuple[Any, ...]], skills: list[tuple[Any, ...]],
                  texts: list[tuple[int, str, str]]) -> None:
    """Append one member's entry row, skill rows and indexed text (each field read once)."""
    name = _short(payload.get("display_name")) or "?"
    trade = _short(payload.get("trade"))
    members.append((rid, peer_id, uuid, name, _key(name), trade, _key(trade),
                    _short(payload.get("commune_code"), 5)))
    kept = _skills(payload)
    skills.extend((rid, key, skill) for key, skill in kept)
    texts.append((rid, name, _member_text(trade, payload, kept)))


def _skills(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """A member's distinct skills as (folded key, as written)."""
    raw_skills = payload.get("skills")
    kept: dict[str, str] = {}
    for raw in raw_skills if isinstance(raw_skills, list) else ():
        skill = _short(raw)
        key = _folded_key(skill)
        if key:
            kept.setdefault(key, skill)
    return list(kept.items())


def _member_text(trade: str, payload: dict[str, Any], skills: list[tuple[str, str]]) -> str:
    """What a member does, in their words (their name is indexed apart, see fulltext), and
    the name of their commune: a search for « Dettwiller » finds every member who lives
    there, not only those whose presentation happens to name it."""
    commune = communes.find(_short(payload.get("commune_code"), 5) or "")
    parts = [trade, _short(payload.get("business_name")),
             _short(payload.get("bio"), 5000), *(skill for _, skill in skills),
             commune.name if commune else ""]
    return " ".join(part for part in parts if part)


def listing_text(payload: dict[str, Any]) -> str:
    return " ".join(_short(payload.get(name), 5000) for name in ("title", "details"))


def searchable_text(kind: str, payload: dict[str, Any]) -> tuple[str, str]:
    """The (name, text) the full-text index holds for a live member or listing record,
    given its public part (:func:`directory.services.audience.public_part`)."""
    if kind == "listing":
        return "", listing_text(payload)
    name = _short(payload.get("display_name")) or "?"
    return name, _member_text(_short(payload.get("trade")), payload, _skills(payload))


def _event_row(rid: int, peer_id: int, payload: dict[str, Any]) -> dict[str, Any] | None:
    starts = parse_time(payload.get("starts_at"))
    if starts is None:
        return None
    return {"record_id": rid, "peer_id": peer_id, "starts_at": starts,
            "ends_at": parse_time(payload.get("ends_at")),
            "commune_code": _short(payload.get("commune_code"), 5),
            "cancelled": bool(payload.get("cancelled")),
            "title": _short(payload.get("title"), 300),
            "public": is_public("event", payload)}


def forget_node_records(peer_node_id: str) -> int:
    """Drop every record of a node, tombstones included (before a full resync of its feed);
    the caller commits. Returns how many records were dropped."""
    peer = db.session.scalars(select(Peer).where(Peer.node_id == peer_node_id)).first()
    if peer is None:
        return 0
    record_ids = list(db.session.scalars(select(Record.id).where(Record.peer_id == peer.id)))
    connection = db.session.connection()
    for start in range(0, len(record_ids), LOOKUP_CHUNK):
        chunk = tuple(record_ids[start:start + LOOKUP_CHUNK])
        for table in ("member_skill", "member_entry", "listing_entry", "event_occurrence",
                      "event_entry"):
            connection.exec_driver_sql(
                f"DELETE FROM {table} WHERE record_id IN ({_marks(len(chunk))})", chunk)
    fulltext.remove(record_ids)
    db.session.execute(delete(Record).where(Record.peer_id == peer.id))
    mark_changed(peer.id)
    log.info("records forgotten for resync: node=%s count=%d", peer_node_id, len(record_ids))
    return len(record_ids)
