"""Telling the people who planned to come that a rencontre was cancelled or moved.

Members plan their week around a rencontre; a new time or place they learn only by looking
at the page again is a rencontre they miss. Everyone whose answer to a future occurrence is
« je viens », « peut-être » or the waitlist is mailed, with their own link to change it.
Only a new time, schedule or venue is news worth a mail; a reworded description is not.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from node.extensions import db
from node.models import Event, Rsvp, RsvpStatus, utcnow
from node.services import calendar, rsvps
from node.services.events import Arrangement, EventChange, notify, occurrence_at, public_link
from node.services.rsvps import answer_link

EXPECTED = (RsvpStatus.GOING, RsvpStatus.MAYBE, RsvpStatus.WAITLISTED)


def expected_answers(event: Event) -> list[Rsvp]:
    """The answers of people who may turn up at a future occurrence."""
    now = utcnow()
    return sorted((r for r in event.rsvps if r.occurrence_at > now and r.status in EXPECTED),
                  key=lambda r: (r.occurrence_at, r.id))


def _when(event: Event, rsvp: Rsvp) -> str:
    return calendar.describe_when(rsvp.occurrence_at,
                                  rsvp.occurrence_at + (event.ends_at - event.starts_at))


def _where(event: Event) -> str:
    if event.venue is None:
        return str(_("Lieu à préciser."))
    return ", ".join(part for part in (event.venue.name, event.venue.address) if part)


def tell_cancelled(event: Event, message: str = "", only: datetime | None = None) -> int:
    """Mail everyone expected at a future occurrence of a cancelled event (or, with ``only``,
    at that one cancelled date of the series); how many were told.

    ``message`` is the organiser's word to them (why, what instead), quoted in the mail.
    Call it after the cancellation is committed.
    """
    told = 0
    note = message.strip()
    for rsvp in expected_answers(event):
        if only is not None and rsvp.occurrence_at != only:
            continue
        body = _("Bonjour %(name)s,\n\nLa rencontre « %(title)s » du %(when)s est annulée. "
                 "Nous sommes désolés du contretemps.\n\n", name=rsvp.person_name,
                 title=event.title, when=_when(event, rsvp))
        if note:
            body += _("Le mot des organisateurs :\n%(message)s\n\n", message=note)
        body += public_link("public.event", event_uuid=event.uuid) + "\n"
        told += notify(rsvp, _("Rencontre annulée : %(title)s", title=event.title), body)
    return told


def tell_moved(event: Event, before: Arrangement) -> int:
    """Mail everyone expected at a future occurrence when the time, schedule or venue changed.

    Answers follow a moved time (see ``events.update_event``); an answer whose date is no
    longer part of the schedule gets a different message, since that date will not happen.
    Each mail commits on its own, so a guest's fresh answer link is stored once it is sent.
    """
    if event.cancelled or Arrangement.of(event) == before:
        return 0
    told = 0
    for rsvp in expected_answers(event):
        if occurrence_at(event, rsvp.occurrence_at) is None:
            body = _("Bonjour %(name)s,\n\nLa rencontre « %(title)s » a changé de programme : "
                     "la date du %(when)s n'a plus lieu. Retrouvez les nouvelles dates et "
                     "répondez à nouveau :\n%(link)s\n")
        else:
            body = _("Bonjour %(name)s,\n\nLa rencontre « %(title)s » a changé d'horaire ou "
                     "de lieu. Votre réponse est gardée pour :\n%(when)s\n%(where)s\n\n"
                     "Si vous ne pouvez plus venir, dites-le pour libérer votre place :\n"
                     "%(link)s\n")
        sent = notify(rsvp, _("Rencontre modifiée : %(title)s", title=event.title),
                      body % {"name": rsvp.person_name, "title": event.title,
                              "when": _when(event, rsvp), "where": _where(event),
                              "link": answer_link(rsvp)})
        if sent:
            db.session.commit()
        else:
            db.session.rollback()  # keeps a guest's previous answer link valid
        told += sent
    return told


def after_update(change: EventChange) -> int:
    """Once an organiser's change is committed: give the places it freed to the waitlist of
    every future occurrence (growing or removing the capacity frees some), then tell the
    people expected of a new time or place. Returns how many were told."""
    event = change.event
    for when in sorted({r.occurrence_at for r in event.rsvps if r.occurrence_at > utcnow()}):
        rsvps.fill_places(event, when)
    return tell_moved(event, change.before)
