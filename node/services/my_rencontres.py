"""« Mes rencontres »: a member's answers here and in the other villages, in one list.

The answers here are this node's own RSVPs; those elsewhere are the states the host villages
told us (:mod:`node.services.answers_elsewhere`). The page and the personal calendar feed
(:mod:`node.services.personal_calendar`) both read :func:`entries`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from node.extensions import db
from node.models import Event, Member, Rsvp, RsvpStatus, utcnow
from node.services import answers_elsewhere, calendar
from node.services.answers_elsewhere import SHOWN_PAST

#: The answers that put a rencontre in the member's calendar.
IN_CALENDAR = (RsvpStatus.GOING, RsvpStatus.MAYBE, RsvpStatus.WAITLISTED)


@dataclass(frozen=True)
class Entry:
    """One answer to one occurrence, wherever the rencontre is."""

    uid: str
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str  # going, maybe, not_going, waitlisted; elsewhere also cancelled, removed
    url: str
    place: str = ""
    village_name: str = ""  # empty: a rencontre of this village
    position: int | None = None

    @property
    def when(self) -> str:
        return calendar.describe_when(self.starts_at, self.ends_at)

    @property
    def in_calendar(self) -> bool:
        return self.status in IN_CALENDAR


def _here(member: Member, since: datetime) -> list[Entry]:
    from node.services.events import public_link
    from node.services.rsvps import waitlist_position

    found = []
    for rsvp in db.session.scalars(select(Rsvp).join(Event).where(
            Rsvp.member_id == member.id, Rsvp.occurrence_at >= since)):
        event = rsvp.event
        cancelled = event.cancelled or calendar.as_utc_stamp(rsvp.occurrence_at) in (
            event.cancelled_dates or [])
        place = ", ".join(part for part in (event.venue.name, event.venue.address) if part) \
            if event.venue else ""
        found.append(Entry(
            f"rsvp-{rsvp.id}", event.title, rsvp.occurrence_at,
            rsvp.occurrence_at + (event.ends_at - event.starts_at),
            "cancelled" if cancelled else str(rsvp.status),
            public_link("public.event", event_uuid=event.uuid,
                        quand=calendar.as_utc_stamp(rsvp.occurrence_at)),
            place, position=waitlist_position(rsvp)))
    return found


def entries(member: Member, now: datetime | None = None) -> list[Entry]:
    """The member's answers, here and elsewhere, from a month ago on, soonest first."""
    since = (now or utcnow()) - SHOWN_PAST
    elsewhere = [Entry(f"elsewhere-{row.village}-{row.answer}", row.title, row.starts_at,
                       row.ends_at, row.status, row.url, row.place, row.village_name,
                       row.position)
                 for row in answers_elsewhere.of_member(member, now)]
    return sorted(_here(member, since) + elsewhere, key=lambda entry: entry.starts_at)
