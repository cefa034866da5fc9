"""Change capture: every flush that touches a shared record appends to the feed and outbox.

The rows are inserted on the flush's own connection, inside the same transaction as the
change, so a change is never saved without being announced, nor announced without being saved.
A record that stops being shared (consent withdrawn, event made community-only, deletion)
is announced once as a tombstone; a record that was never shared is never announced.

The hooks are attached by :func:`register`, which ``create_app`` calls: importing this
module changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, event, insert, inspect, select
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.attributes import flag_modified

from node.models import (
    Account,
    Event,
    FeedEntry,
    Listing,
    Member,
    OutboxEntry,
    Question,
    utcnow,
)
from node.models.base import bump_versions
from node.sharing.payloads import record_type, shared_payload

# Changes to these fields alter what a dependent record may share.
MEMBER_GATES = ("visibility_identity", "visibility_skills")


def _changed(obj: object, names: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _touch_dependents(session: Session, flush_context: Any, instances: Any) -> None:
    """Mark records whose shared payload changes because of another row's change."""
    for obj in list(session.dirty):
        if isinstance(obj, Account) and obj.member is not None and _changed(obj, ("status",)):
            flag_modified(obj.member, "display_name")
            for question in session.scalars(select(Question).where(  # asked by them
                    Question.member_id == obj.member.id, Question.audience == "network")):
                flag_modified(question, "title")
        if isinstance(obj, Member) and _changed(obj, MEMBER_GATES):
            for listing in obj.listings:
                flag_modified(listing, "title")


def _candidates(session: Session) -> list[tuple[Any, bool]]:
    found: list[tuple[Any, bool]] = []
    for obj in session.new:
        if record_type(obj):
            found.append((obj, False))
    for obj in session.dirty:
        if record_type(obj) and session.is_modified(obj, include_collections=False):
            found.append((obj, False))
    for obj in session.deleted:
        if record_type(obj):
            found.append((obj, True))
    return found


def _currently_shared(session: Session, uuids: list[str]) -> dict[str, bool]:
    rows = session.connection().execute(
        select(FeedEntry.record_uuid, FeedEntry.deleted)
        .where(FeedEntry.record_uuid.in_(uuids))
        .order_by(FeedEntry.seq)
    )
    return {uuid: not deleted for uuid, deleted in rows}


def _envelope(obj: Any, deleted: bool, payload: dict[str, Any] | None) -> dict[str, Any]:
    version = obj.version + 1 if deleted else obj.version
    updated = utcnow() if deleted else obj.updated_at
    return {
        "type": record_type(obj), "id": obj.uuid, "version": version,
        "updated": updated.isoformat().replace("+00:00", "Z"),
        "deleted": payload is None, "payload": payload,
    }


def _forget_earlier(connection: Any, uuid: str, seq: int) -> None:
    """A record's new entry supersedes its earlier ones: drop them and their pending pushes
    now. The feed then only ever holds the latest state of each record, so a narrowed or
    withdrawn consent and a deleted account stop leaving the node at once instead of being
    served to peers for the retention period. Readers lose nothing: the latest entry has a
    higher sequence number than any cursor that was before the dropped ones."""
    earlier = select(FeedEntry.seq).where(FeedEntry.record_uuid == uuid, FeedEntry.seq < seq)
    connection.execute(delete(OutboxEntry).where(OutboxEntry.feed_seq.in_(earlier)))
    connection.execute(delete(FeedEntry).where(FeedEntry.record_uuid == uuid,
                                               FeedEntry.seq < seq))


def _capture_changes(session: Session, flush_context: Any) -> None:
    candidates = _candidates(session)
    if not candidates:
        return
    shared = _currently_shared(session, [obj.uuid for obj, _ in candidates])
    connection = session.connection()
    for obj, deleted in candidates:
        payload = None if deleted else shared_payload(obj)
        if payload is None and not shared.get(obj.uuid, False):
            continue
        envelope = _envelope(obj, deleted, payload)
        seq = connection.execute(
            insert(FeedEntry).returning(FeedEntry.seq),
            {"record_type": envelope["type"], "record_uuid": obj.uuid,
             "version": envelope["version"], "deleted": envelope["deleted"],
             "envelope": envelope, "created_at": utcnow()},
        ).scalar_one()
        connection.execute(insert(OutboxEntry),
                           {"feed_seq": seq, "state": "pending", "tries": 0,
                            "next_attempt_at": utcnow(), "last_error": "",
                            "created_at": utcnow()})
        _forget_earlier(connection, obj.uuid, seq)
        shared[obj.uuid] = payload is not None
        session.info["outbox_added"] = True


def _wake_pusher(session: Session) -> None:
    """New outbox rows are committed: let the background pusher send them right away."""
    if session.info.pop("outbox_added", False):
        from node.sharing.worker import wake_worker

        wake_worker()


def _forget_outbox_flag(session: Session) -> None:
    session.info.pop("outbox_added", None)


def register(session_class: type[Session]) -> None:
    """Attach the version bump and the change capture to the node's session class.

    Called by ``create_app`` (once per app; a second call changes nothing). The order
    matters: dependents are marked before versions are bumped, and both before the flush
    writes the feed and the outbox."""
    hooks: list[tuple[str, Any, dict[str, Any]]] = [
        ("before_flush", _touch_dependents, {"insert": True}),
        ("before_flush", bump_versions, {}),
        ("after_flush", _capture_changes, {}),
        ("after_commit", _wake_pusher, {}),
        ("after_rollback", _forget_outbox_flag, {}),
    ]
    for name, hook, options in hooks:
        if not event.contains(session_class, name, hook):
            event.listen(session_class, name, hook, **options)


#: The attribute flagged to announce a record again, per shared type with a public part.
ANNOUNCED_AGAIN = {"member": (Member, "display_name"), "listing": (Listing, "title"),
                   "event": (Event, "title")}


def announce_again(session: Session | scoped_session[Any]) -> int:
    """Mark every shared member, offer or need and rencontre as changed, so the next flush
    announces each again (version + 1) with its current payload; the caller commits.

    Run once after an upgrade that changes what a payload carries (the ``public`` marks:
    until its records are announced again, the Pays site shows nothing of them to anyone).
    Returns how many records will be announced."""
    latest = session.execute(select(FeedEntry.record_type, FeedEntry.record_uuid)
                             .where(FeedEntry.deleted.is_(False),
                                    FeedEntry.record_type.in_(list(ANNOUNCED_AGAIN)))).all()
    count = 0
    for kind, uuids in _by_type(latest).items():
        model, attribute = ANNOUNCED_AGAIN[kind]
        for obj in session.scalars(select(model).where(model.uuid.in_(uuids))):
            flag_modified(obj, attribute)
            count += 1
    return count


def _by_type(rows: Sequence[Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for kind, uuid in rows:
        found.setdefault(kind, []).append(uuid)
    return found
