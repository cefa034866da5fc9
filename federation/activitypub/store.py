"""Followers, the outbox and the delivery queue, as SQL tables each app declares.

The node and the directory call :func:`define_tables` with their own SQLAlchemy metadata
(and create the same tables in their own migrations); every function here takes the
caller's connection, so the activity, its deliveries and the change that caused them are
written in one transaction, and the caller commits. Times are Unix seconds.

* ``ap_follower`` — who follows the actor, and the inbox to deliver to (their server's
  shared inbox when it has one: one POST per server, not per person).
* ``ap_activity`` — every activity sent, in order; the public ones (Create, Update, Delete
  of an Event) make the paged outbox that Mobilizon and Gancio read after following.
* ``ap_delivery`` — one row per (activity, inbox), with its retry bookkeeping
  (:mod:`federation.delivery`); rows survive restarts.
* ``ap_object`` — each Event ever published, live or gone (a gone one answers 410).
* ``ap_remote_key`` — public keys of remote actors already fetched (refetched once when a
  signature fails).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from federation.delivery import DeliveryState, after_attempt

URL_LENGTH = 500


@dataclass(frozen=True)
class Tables:
    follower: Table
    activity: Table
    delivery: Table
    object: Table
    remote_key: Table


def define_tables(metadata: MetaData) -> Tables:
    """Declare the five tables in the app's metadata (once per app)."""
    follower = Table(
        "ap_follower", metadata,
        Column("id", Integer, primary_key=True),
        Column("actor_id", String(URL_LENGTH), nullable=False, unique=True),
        Column("inbox", String(URL_LENGTH), nullable=False),
        Column("created_at", Integer, nullable=False),
    )
    activity = Table(
        "ap_activity", metadata,
        Column("id", Integer, primary_key=True),
        Column("activity_id", String(URL_LENGTH), nullable=False, unique=True),
        Column("kind", String(16), nullable=False),
        Column("object_id", String(URL_LENGTH), nullable=False, index=True),
        Column("public", Boolean, nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", Integer, nullable=False),
    )
    delivery = Table(
        "ap_delivery", metadata,
        Column("id", Integer, primary_key=True),
        Column("activity", Integer, ForeignKey("ap_activity.id", ondelete="CASCADE"),
               nullable=False),
        Column("inbox", String(URL_LENGTH), nullable=False),
        Column("state", String(16), nullable=False, index=True),
        Column("tries", Integer, nullable=False),
        Column("next_attempt_at", Integer, nullable=False),
        Column("last_status", Integer),
        Column("last_error", String(300), nullable=False),
        UniqueConstraint("activity", "inbox", name="uq_ap_delivery"),
    )
    obj = Table(
        "ap_object", metadata,
        Column("uuid", String(64), primary_key=True),
        Column("live", Boolean, nullable=False),
        Column("updated_at", Integer, nullable=False),
    )
    remote_key = Table(
        "ap_remote_key", metadata,
        Column("key_id", String(URL_LENGTH), primary_key=True),
        Column("owner", String(URL_LENGTH), nullable=False),
        Column("public_key_pem", Text, nullable=False),
        Column("fetched_at", Integer, nullable=False),
    )
    return Tables(follower, activity, delivery, obj, remote_key)


# -- followers --------------------------------------------------------------------------


def add_follower(connection: Connection, tables: Tables, actor_id: str, inbox: str,
                 now: int) -> None:
    """Follow (again): a second Follow only refreshes the inbox."""
    table = tables.follower
    found = connection.execute(select(table.c.id).where(table.c.actor_id == actor_id)).first()
    if found is None:
        connection.execute(insert(table), {"actor_id": actor_id, "inbox": inbox,
                                           "created_at": now})
    else:
        connection.execute(update(table).where(table.c.id == found[0]).values(inbox=inbox))


def remove_follower(connection: Connection, tables: Tables, actor_id: str) -> bool:
    result = connection.execute(delete(tables.follower)
                                .where(tables.follower.c.actor_id == actor_id))
    return bool(result.rowcount)


def follower_ids(connection: Connection, tables: Tables) -> list[str]:
    return list(connection.scalars(select(tables.follower.c.actor_id)
                                   .order_by(tables.follower.c.id)))


def follower_inboxes(connection: Connection, tables: Tables) -> list[str]:
    """Each distinct inbox once: followers on one server share its shared inbox."""
    return sorted(set(connection.scalars(select(tables.follower.c.inbox))))


# -- published objects ------------------------------------------------------------------


def object_state(connection: Connection, tables: Tables, uuid: str) -> bool | None:
    """True: live; False: removed (410); None: never published."""
    row = connection.execute(select(tables.object.c.live)
                             .where(tables.object.c.uuid == uuid)).first()
    return None if row is None else bool(row[0])


def set_object_state(connection: Connection, tables: Tables, uuid: str, live: bool,
                     now: int) -> None:
    table = tables.object
    if object_state(connection, tables, uuid) is None:
        connection.execute(insert(table), {"uuid": uuid, "live": live, "updated_at": now})
    else:
        connection.execute(update(table).where(table.c.uuid == uuid)
                           .values(live=live, updated_at=now))


def live_count(connection: Connection, tables: Tables) -> int:
    return int(connection.scalar(select(func.count()).select_from(tables.object)
                                 .where(tables.object.c.live.is_(True))) or 0)


# -- activities and deliveries ----------------------------------------------------------


def record_activity(connection: Connection, tables: Tables, body: dict[str, Any],
                    public: bool, inboxes: list[str], now: int) -> int:
    """Store an activity and one pending delivery per inbox; return its sequence number.

    Earlier announcements never say more than the latest: an ``Update`` rewrites the object
    the earlier ``Create``/``Update`` of it carry (a title or place changed is not kept, nor
    served by the outbox, in its old form), and a ``Delete`` forgets what they said (a
    rencontre that stopped being public must not stay readable through them)."""
    obj = body.get("object")
    object_id = obj.get("id", "") if isinstance(obj, dict) else str(obj or "")
    if body.get("type") == "Delete" and object_id:
        _forget_announcements(connection, tables, object_id)
    elif body.get("type") == "Update" and isinstance(obj, dict) and object_id:
        _bring_up_to_date(connection, tables, object_id, obj)
    seq = int(connection.execute(
        insert(tables.activity).returning(tables.activity.c.id),
        {"activity_id": body["id"], "kind": body["type"], "object_id": object_id,
         "public": public, "body": json.dumps(body, ensure_ascii=False, sort_keys=True),
         "created_at": now}).scalar_one())
    for inbox in sorted(set(inboxes)):
        connection.execute(insert(tables.delivery), {
            "activity": seq, "inbox": inbox, "state": DeliveryState.PENDING, "tries": 0,
            "next_attempt_at": now, "last_status": None, "last_error": ""})
    return seq


def _earlier_announcements(connection: Connection, tables: Tables,
                           object_id: str) -> list[Any]:
    a = tables.activity
    return list(connection.execute(select(a.c.id, a.c.body).where(
        a.c.object_id == object_id, a.c.kind.in_(("Create", "Update")))))


def _bring_up_to_date(connection: Connection, tables: Tables, object_id: str,
                      latest: dict[str, Any]) -> None:
    for row in _earlier_announcements(connection, tables, object_id):
        said = json.loads(row.body)
        connection.execute(update(tables.activity).where(tables.activity.c.id == row.id)
                           .values(body=json.dumps({**said, "object": latest},
                                                   ensure_ascii=False, sort_keys=True)))


def _forget_announcements(connection: Connection, tables: Tables, object_id: str) -> None:
    """Keep that the earlier activities happened (type, id, object id), not what they said:
    their bodies lose the Event, they leave the outbox, and deliveries not yet made are
    dropped (the ``Delete`` that follows reaches the same inboxes)."""
    a, d = tables.activity, tables.delivery
    rows = _earlier_announcements(connection, tables, object_id)
    for row in rows:
        said = json.loads(row.body)
        kept = {name: said[name] for name in ("@context", "id", "type", "actor", "to", "cc")
                if name in said}
        connection.execute(update(a).where(a.c.id == row.id).values(
            public=False, body=json.dumps({**kept, "object": object_id}, sort_keys=True)))
    connection.execute(delete(d).where(
        d.c.activity.in_([row.id for row in rows]),
        or_(d.c.state == DeliveryState.PENDING, d.c.state == DeliveryState.RETRYING)))


@dataclass(frozen=True)
class Due:
    id: int
    inbox: str
    state: DeliveryState
    tries: int
    body: bytes


def due_deliveries(connection: Connection, tables: Tables, now: int,
                   limit: int = 50) -> list[Due]:
    d, a = tables.delivery, tables.activity
    rows = connection.execute(
        select(d.c.id, d.c.inbox, d.c.state, d.c.tries, a.c.body)
        .join(a, a.c.id == d.c.activity)
        .where(or_(d.c.state == DeliveryState.PENDING, d.c.state == DeliveryState.RETRYING),
               d.c.next_attempt_at <= now)
        .order_by(d.c.next_attempt_at, d.c.id).limit(limit))
    return [Due(row.id, row.inbox, DeliveryState(row.state), row.tries,
                row.body.encode("utf-8")) for row in rows]


def settle(connection: Connection, tables: Tables, due: Due, status: int | None, error: str,
           now: int, rng: random.Random, retry_after: int | None = None) -> DeliveryState:
    """Store what an attempt gave: delivered, retried later (backoff), or failed."""
    step = after_attempt(due.state, due.tries, status, now=now, rng=rng,
                         retry_after=retry_after)
    connection.execute(update(tables.delivery).where(tables.delivery.c.id == due.id).values(
        state=step.state, tries=step.tries,
        next_attempt_at=step.next_attempt_at if step.next_attempt_at is not None else now,
        last_status=status, last_error=error[:300]))
    return step.state


def pending_count(connection: Connection, tables: Tables) -> int:
    d = tables.delivery
    return int(connection.scalar(
        select(func.count()).select_from(d).where(
            or_(d.c.state == DeliveryState.PENDING, d.c.state == DeliveryState.RETRYING)))
        or 0)


def outbox_total(connection: Connection, tables: Tables) -> int:
    a = tables.activity
    return int(connection.scalar(select(func.count()).select_from(a)
                                 .where(a.c.public.is_(True))) or 0)


def outbox_page(connection: Connection, tables: Tables, before: int | None,
                size: int) -> tuple[list[dict[str, Any]], int | None]:
    """Public activities, newest first, before sequence ``before``; and the next cursor."""
    a = tables.activity
    query = select(a.c.id, a.c.body).where(a.c.public.is_(True))
    if before is not None:
        query = query.where(a.c.id < before)
    rows = list(connection.execute(query.order_by(a.c.id.desc()).limit(size + 1)))
    items = [json.loads(row.body) for row in rows[:size]]
    next_cursor = rows[size - 1].id if len(rows) > size else None
    return items, next_cursor


def all_bodies(connection: Connection, tables: Tables) -> list[dict[str, Any]]:
    """Every activity ever stored (for the scan that proves only public content leaves)."""
    return [json.loads(body) for body in connection.scalars(select(tables.activity.c.body))]


# -- remote keys ------------------------------------------------------------------------


def cached_key(connection: Connection, tables: Tables, key_id: str) -> tuple[str, str] | None:
    """(owner, PEM) of a key fetched before, or None."""
    k = tables.remote_key
    row = connection.execute(select(k.c.owner, k.c.public_key_pem)
                             .where(k.c.key_id == key_id)).first()
    return None if row is None else (row.owner, row.public_key_pem)


def store_key(connection: Connection, tables: Tables, key_id: str, owner: str, pem: str,
              now: int) -> None:
    k = tables.remote_key
    connection.execute(delete(k).where(k.c.key_id == key_id))
    connection.execute(insert(k), {"key_id": key_id, "owner": owner, "public_key_pem": pem,
                                   "fetched_at": now})
