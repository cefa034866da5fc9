"""Rencontres: creating, changing, cancelling them, and who may see which occurrence.

Times arrive as Paris wall-clock values from forms and leave as UTC; see
:mod:`node.services.calendar`. Event visibility uses the same ladder as member fields
(community < network < public), so a viewer sees an event when its level is wide enough for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from node.extensions import db
from node.models import Account, Event, Rsvp, Venue, Visibility, utcnow
from node.services import calendar
from node.services.mail import MailNotSent, send_mail
from node.services.visibility import Viewer

MAX_TITLE = 160
MAX_DESCRIPTION = 5000
MAX_CAPACITY = 10000
EVENT_VISIBILITIES = (Visibility.COMMUNITY, Visibility.NETWORK, Visibility.PUBLIC)
PAST_WINDOW = timedelta(days=366)


class EventError(ValueError):
    """An event change was refused; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class EventInput:
    """What an organiser types: local (Paris) naive times, a raw recurrence rule."""

    title: str
    starts_local: datetime
    ends_local: datetime
    description: str = ""
    venue_id: int | None = None
    capacity: int | None = None
    rrule: str = ""
    visibility: str = Visibility.COMMUNITY


@dataclass(frozen=True)
class Occurrence:
    """One dated occurrence of an event (a single event has exactly one)."""

    event: Event
    starts_at: datetime
    ends_at: datetime

    @property
    def when(self) -> str:
        return calendar.describe_when(self.starts_at, self.ends_at)

    @property
    def stamp(self) -> str:
        return calendar.as_utc_stamp(self.starts_at)

    @property
    def cancelled(self) -> bool:
        """The whole rencontre, or only this date of the series, is cancelled."""
        return self.event.cancelled or self.stamp in (self.event.cancelled_dates or [])

    @property
    def started(self) -> bool:
        return self.starts_at <= utcnow()


def _clean(data: EventInput) -> dict[str, object]:
    """Validate an organiser's input; raise EventError on the first problem found."""
    title = " ".join(data.title.split())
    if not title:
        raise EventError(_("Le titre est obligatoire."), "title")
    if len(title) > MAX_TITLE:
        raise EventError(_("%(n)s caractères au plus.", n=MAX_TITLE), "title")
    description = data.description.replace("\r\n", "\n").strip()
    if len(description) > MAX_DESCRIPTION:
        raise EventError(_("%(n)s caractères au plus.", n=MAX_DESCRIPTION), "description")
    try:
        starts_at = calendar.to_utc(data.starts_local)
    except calendar.LocalTimeInvalid as error:
        raise EventError(str(error), "start_time") from error
    try:
        ends_at = calendar.to_utc(data.ends_local)
    except calendar.LocalTimeInvalid as error:
        raise EventError(str(error), "end_time") from error
    if ends_at <= starts_at:
        raise EventError(_("La fin doit être après le début."), "end_time")
    if ends_at - starts_at > timedelta(days=7):
        raise EventError(_("Une rencontre dure au plus sept jours."), "end_date")
    if data.capacity is not None and not 0 <= data.capacity <= MAX_CAPACITY:
        raise EventError(_("Nombre de places entre 0 et %(n)s (vide : sans limite).",
                           n=MAX_CAPACITY), "capacity")
    if data.venue_id is not None and db.session.get(Venue, data.venue_id) is None:
        raise EventError(_("Ce lieu n'existe pas."), "venue_id")
    if data.visibility not in EVENT_VISIBILITIES:
        raise EventError(_("Visibilité inconnue."), "visibility")
    try:
        rule = calendar.normalise_rrule(data.rrule, data.starts_local)
    except calendar.RecurrenceInvalid as error:
        raise EventError(str(error), "rrule") from error
    return {"title": title, "description": description, "starts_at": starts_at,
            "ends_at": ends_at, "venue_id": data.venue_id, "capacity": data.capacity,
            "rrule": rule, "visibility": str(data.visibility)}


def create_event(data: EventInput, created_by: Account | None = None) -> Event:
    """Validate and add a new event (flushed, not committed)."""
    event = Event(**_clean(data), created_by_id=created_by.id if created_by else None)
    db.session.add(event)
    db.session.flush()
    return event


@dataclass(frozen=True)
class Arrangement:
    """When and where an event takes place: what its attendees must hear about if it moves."""

    starts_at: datetime
    ends_at: datetime
    rrule: str | None
    venue_id: int | None

    @classmethod
    def of(cls, event: Event) -> Arrangement:
        return cls(event.starts_at, event.ends_at, event.rrule or None, event.venue_id)


@dataclass(frozen=True)
class EventChange:
    """What :func:`update_event` did, for what the caller does once it has committed:
    :func:`node.services.event_notices.after_update` gives freed places to the waitlist
    and tells the people expected of a new time or place."""

    event: Event
    before: Arrangement


def update_event(event: Event, data: EventInput) -> EventChange:
    """Apply an organiser's changes (flushed, not committed); answers follow a moved time.

    The caller commits, then calls ``event_notices.after_update`` with the returned change:
    no mail announces a change that was not saved.
    """
    if event.cancelled:
        raise EventError(_("Une rencontre annulée ne peut plus être modifiée."))
    before = Arrangement.of(event)
    cleaned = _clean(data)
    shift = cast(datetime, cleaned["starts_at"]) - event.starts_at
    for name, value in cleaned.items():
        setattr(event, name, value)
    _follow_new_times(event, shift)
    db.session.flush()
    return EventChange(event, before)


def _follow_new_times(event: Event, shift: timedelta) -> None:
    """Move future answers along when the organiser moves the time, so nobody loses a place.

    An answer whose shifted date is not an occurrence of the new schedule stays where it was
    (it no longer shows on the event page; the organiser sees it in the attendance list).
    """
    if not shift:
        return
    future = [r for r in event.rsvps if r.occurrence_at > utcnow()]
    for rsvp in sorted(future, key=lambda r: r.occurrence_at, reverse=shift > timedelta(0)):
        moved = rsvp.occurrence_at + shift
        if occurrence_at(event, moved) is not None:
            rsvp.occurrence_at = moved
            rsvp.reminded_at = None  # the reminder was for the old time
            db.session.flush()


def cancel_event(event: Event) -> None:
    """Mark the event cancelled (flushed, not committed); the answers are kept, for the record.

    The caller commits, then tells the people expected with
    :func:`node.services.event_notices.tell_cancelled`, so no mail announces a cancellation
    that was not saved.
    """
    if event.cancelled:
        raise EventError(_("Cette rencontre est déjà annulée."))
    event.cancelled = True
    db.session.flush()


def cancel_occurrence(event: Event, starts_at: datetime) -> Occurrence:
    """Cancel one date of a series (flushed, not committed); the other dates stay.

    The date is kept in ``event.cancelled_dates`` and shared as an excluded date, so the Pays
    stops showing it at the next push. The caller commits, then tells the people expected
    with :func:`node.services.event_notices.tell_cancelled` (``only=starts_at``).
    """
    if event.cancelled:
        raise EventError(_("Cette rencontre est déjà annulée."))
    if not event.rrule:
        raise EventError(_("Une rencontre unique s'annule en entier."))
    occurrence = occurrence_at(event, starts_at)
    if occurrence is None:
        raise EventError(_("Cette date ne fait pas partie de la rencontre."))
    if occurrence.cancelled:
        raise EventError(_("Cette date est déjà annulée."))
    if occurrence.started:
        raise EventError(_("Cette date est passée : elle ne peut plus être annulée."))
    event.cancelled_dates = sorted({*(event.cancelled_dates or []), occurrence.stamp})
    db.session.flush()
    return occurrence


def delete_event(event: Event) -> None:
    """Remove an event and its answers for good (flushed, not committed); cancelling is
    usually kinder."""
    db.session.delete(event)
    db.session.flush()


def recipient(rsvp: Rsvp) -> str | None:
    if rsvp.member is not None:
        return rsvp.member.account.email
    return rsvp.guest_email


def notify(rsvp: Rsvp, subject: str, body: str) -> int:
    """Mail the person behind an answer; a mail failure is logged, never fatal (returns 0/1).

    A visitor from another village counts as told: their own village mails them, from the
    signed notice planned in the transaction that changed their answer
    (:mod:`node.sharing.visitor_answers`); this node holds no address for them."""
    if rsvp.is_visitor:
        return 1
    address = recipient(rsvp)
    if not address:
        return 0
    try:
        send_mail(address, subject, body)
    except MailNotSent:
        return 0
    return 1


def public_link(endpoint: str, **values: str) -> str:
    """An absolute link on this node's public URL, usable from the CLI (no request needed)."""
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def can_see(viewer: Viewer, event: Event) -> bool:
    """The event's level must be at least as wide as the narrowest level this viewer sees."""
    return Visibility(event.visibility).rank >= viewer.level.rank


def visible_levels(viewer: Viewer) -> list[str]:
    return [str(level) for level in EVENT_VISIBILITIES if level.rank >= viewer.level.rank]


def find_event(event_uuid: str, viewer: Viewer) -> Event | None:
    """The event with this UUID if this viewer may see it (None reads as "no such event")."""
    event = db.session.scalars(db.select(Event).where(Event.uuid == event_uuid)).first()
    return event if event is not None and can_see(viewer, event) else None


def occurrences(event: Event, after: datetime, before: datetime) -> list[Occurrence]:
    """The event's occurrences not over at ``after`` and starting by ``before``."""
    return [Occurrence(event, span.starts_at, span.ends_at)
            for span in calendar.spans(event.rrule, event.starts_at, event.ends_at, after,
                                       before)]


def occurrence_at(event: Event, starts_at: datetime) -> Occurrence | None:
    """The occurrence starting exactly then, or None when the series has none at that time."""
    found = occurrences(event, starts_at, starts_at + timedelta(seconds=1))
    return next((item for item in found if item.starts_at == starts_at), None)


class OccurrenceUnknown(LookupError):
    """``?quand=`` names no date of this rencontre (the view answers 404)."""


def chosen_occurrence(event: Event, quand: str, *,
                      prefer_started: bool = False) -> Occurrence | None:
    """The occurrence a page's ``?quand=`` names; without one, a sensible default.

    The default is the next occurrence (else the last one) for the public page, and the
    latest started one (else the next) where attendance is noted (``prefer_started``).
    A ``quand`` that is not a date of the series raises :class:`OccurrenceUnknown`.
    """
    if quand:
        stamp = calendar.parse_utc_stamp(quand)
        found = None if stamp is None else occurrence_at(event, stamp)
        if found is None:
            raise OccurrenceUnknown(quand)
        return found
    now = utcnow()
    upcoming = occurrences(event, now, now + calendar.SERIES_HORIZON)
    started = [item for item in occurrences(event, event.starts_at, now) if item.started]
    order = (started[-1:], upcoming[:1]) if prefer_started else (upcoming[:1], started[-1:])
    return next((found[0] for found in order if found), None)


def _visible_events(viewer: Viewer) -> list[Event]:
    return list(db.session.scalars(
        db.select(Event).where(Event.visibility.in_(visible_levels(viewer)))
        .order_by(Event.starts_at)))


def upcoming_events(viewer: Viewer, limit: int = 20,
                    now: datetime | None = None) -> list[Occurrence]:
    """The next occurrences this viewer may see, soonest first (cancelled ones included)."""
    now = now or utcnow()
    horizon = now + calendar.SERIES_HORIZON
    found = [item for event in _visible_events(viewer)
             for item in occurrences(event, now, horizon)[:limit]]
    return sorted(found, key=lambda item: item.starts_at)[:limit]


def past_events(viewer: Viewer, limit: int = 50,
                now: datetime | None = None) -> list[Occurrence]:
    """Occurrences of the past year this viewer may see, most recent first."""
    now = now or utcnow()
    found = [item for event in _visible_events(viewer)
             for item in occurrences(event, now - PAST_WINDOW, now)
             if item.starts_at < now]
    return sorted(found, key=lambda item: item.starts_at, reverse=True)[:limit]


def calendar_events(viewer: Viewer, now: datetime | None = None) -> list[Event]:
    """Events for a calendar feed: series, and single events of the past year onwards."""
    since = (now or utcnow()) - PAST_WINDOW
    return [event for event in _visible_events(viewer) if event.rrule or event.ends_at > since]
