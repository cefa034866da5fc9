"""Telling a visitor's home village what became of their answer, in the transaction that
changes it.

A member of another village who answers one of our rencontres (a *visitor*, signed in here
with their village) has no address on this node: their village mails them. So every change
of a visitor's answer — answered, waitlisted, promoted, moved, cancelled, removed, reminded,
attendance noted — plans one signed ``rsvp_state`` notice to their village
(docs/federation.md § 8.5), written on the flush's own connection like the feed and the
outbox: nothing is announced that was not saved, nothing saved goes unannounced, whichever
service, page, command or scheduled round made the change. Each notice is its own
``village_message`` row (the topic holds its sequence), delivered and retried by the worker;
the home village keeps only the highest ``sequence`` of each answer, so a late retry changes
nothing.

Registered by ``create_app`` (:func:`register`); importing this module changes nothing.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, inspect
from sqlalchemy.orm import Session

from node.models import Event, Rsvp, RsvpStatus, VillageMessage, utcnow
from node.services import calendar

KIND = "rsvp_state"
#: What happened, as the home village reads it (``news``); it mails for some of them.
PROMOTED, MOVED, CANCELLED, REMOVED = "promoted", "moved", "cancelled", "removed"
REMINDER, ATTENDANCE, UPDATED = "reminder", "attendance", "updated"
EXPECTED = (RsvpStatus.GOING, RsvpStatus.MAYBE, RsvpStatus.WAITLISTED)
ARRANGEMENT = ("starts_at", "ends_at", "rrule", "venue_id")
NOTES = "visitor_answer_news"
QUIET = "visitor_answers_withdrawn"  # answers their village asked to forget: nothing to tell
_sequence_lock = threading.Lock()
_last_sequence = [0]


def next_sequence() -> int:
    """Microseconds since 1970, and always more than the last one this process gave: each
    change of an answer gets a greater ``sequence`` than the one before."""
    with _sequence_lock:
        _last_sequence[0] = max(_last_sequence[0] + 1, time.time_ns() // 1000)
        return _last_sequence[0]


def _changed(obj: object, *names: str) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _newly_cancelled(session: Session, event: Event, rsvp: Rsvp) -> bool:
    """The whole rencontre, or this answer's date of the series, was cancelled by this flush."""
    if event not in session.dirty:
        return False
    if _changed(event, "cancelled") and event.cancelled:
        return True
    history: Any = inspect(event).attrs["cancelled_dates"].history
    before = set(history.deleted[0]) if history.deleted and history.deleted[0] else set()
    stamp = calendar.as_utc_stamp(rsvp.occurrence_at)
    return history.has_changes() and stamp in (event.cancelled_dates or []) \
        and stamp not in before


def _status_news(rsvp: Rsvp) -> str | None:
    history: Any = inspect(rsvp).attrs["status"].history
    if not history.has_changes():
        return None
    if history.deleted and history.deleted[0] == RsvpStatus.WAITLISTED \
            and rsvp.status == RsvpStatus.GOING:
        return PROMOTED
    return str(rsvp.status)


def news_of(session: Session, rsvp: Rsvp) -> str | None:
    """What this flush did to a visitor's answer, as one word; None: nothing to tell."""
    event = rsvp.event
    if rsvp in session.deleted and rsvp.id in session.info.get(QUIET, ()):
        return None
    if rsvp in session.deleted:
        return CANCELLED if event in session.deleted or event.cancelled else REMOVED
    future = rsvp.occurrence_at > utcnow()
    if future and rsvp.status in EXPECTED and _newly_cancelled(session, event, rsvp):
        return CANCELLED
    if rsvp in session.new:
        return str(rsvp.status)
    found = _status_news(rsvp)
    if found is not None:
        return found
    expected = future and rsvp.status in EXPECTED
    if _changed(rsvp, "occurrence_at"):
        return MOVED if expected else UPDATED
    if _changed(rsvp, "reminded_at") and rsvp.reminded_at is not None:
        return REMINDER
    if _changed(rsvp, "attended"):
        return ATTENDANCE
    if event in session.dirty and future and _changed(event, *ARRANGEMENT):
        return MOVED if expected else UPDATED
    if event in session.dirty and future and _changed(event, "title"):
        return UPDATED
    return None


def _visitor_answers(session: Session) -> list[Rsvp]:
    """Visitors' answers this flush may have changed: their own rows, and the answers of
    the rencontres it changed."""
    found: dict[int, Rsvp] = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Rsvp) and obj.is_visitor:
            found[id(obj)] = obj
        elif isinstance(obj, Event) and obj in session.dirty \
                and session.is_modified(obj, include_collections=False):
            for rsvp in obj.rsvps:
                if rsvp.is_visitor:
                    found.setdefault(id(rsvp), rsvp)
    return list(found.values())


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _place(event: Event) -> str:
    if event.venue is None:
        return ""
    from node.services.community import commune_name

    parts = (event.venue.name, event.venue.address, commune_name(event.venue.commune_code))
    return ", ".join(part for part in parts if part)[:300]


def state_body(rsvp: Rsvp, news: str, sequence: int) -> dict[str, Any]:
    """The notice's body: the answer as it now stands, and what happened to it (its
    ``answer`` id and waitlist ``position`` are added once the flush wrote the row)."""
    from node.services.events import public_link

    event = rsvp.event
    ends_at = rsvp.occurrence_at + (event.ends_at - event.starts_at)
    status = news if news in (CANCELLED, REMOVED) else str(rsvp.status)
    url = public_link("public.event", event_uuid=event.uuid,
                      quand=calendar.as_utc_stamp(rsvp.occurrence_at))
    return {"answer": "", "member": rsvp.home_member, "sequence": sequence,
            "news": news, "status": status, "position": None,
            "attended": rsvp.attended, "event": event.uuid, "title": event.title,
            "starts_at": _stamp(rsvp.occurrence_at), "ends_at": _stamp(ends_at),
            "place": _place(event), "url": url}


def note_news(session: Session, flush_context: Any, instances: Any) -> None:
    """Before the flush: what happens to visitors' answers, while the rows and their
    history can still be read (loading inside the flush would confuse the session)."""
    notes = []
    for rsvp in _visitor_answers(session):
        news = news_of(session, rsvp)
        if news is not None:
            notes.append((rsvp, state_body(rsvp, news, next_sequence()),
                          rsvp in session.deleted))
    session.info[NOTES] = notes


def tell_home_villages(session: Session, flush_context: Any) -> None:
    """After the flush, on its connection: one notice per change (module docstring)."""
    from node.services.rsvps import waitlist_position

    session.info.pop(QUIET, None)  # read by note_news; this flush deleted those rows
    planned = []
    for rsvp, body, deleted in session.info.pop(NOTES, []):
        body["answer"] = str(rsvp.id)
        if not deleted and rsvp.status == RsvpStatus.WAITLISTED:
            body["position"] = waitlist_position(rsvp)
        planned.append({"node_id": rsvp.home_village, "kind": KIND,
                        "topic": f"answer:{rsvp.id}:{body['sequence']}", "body": {KIND: body},
                        "state": "pending", "tries": 0, "next_attempt_at": utcnow(),
                        "last_error": "", "created_at": utcnow()})
    if planned:
        session.connection().execute(insert(VillageMessage), planned)
        session.info["outbox_added"] = True  # the worker wakes after the commit


def forget_quietly(session: Session, rsvp: Rsvp) -> None:
    """The visitor's village asked us to forget this answer (the member left it): deleting
    it tells that village nothing back."""
    session.info.setdefault(QUIET, set()).add(rsvp.id)


def register(session_class: type[Session]) -> None:
    """Attach the hooks to the node's session class (``create_app``; once per class)."""
    for name, hook in (("before_flush", note_news), ("after_flush", tell_home_villages)):
        if not sa_event.contains(session_class, name, hook):
            sa_event.listen(session_class, name, hook)
