"""The figures a village shares with the Pays for its funders: counts, never names.

The Pays shows funders, for a period they choose, each village's members, new members,
rencontres held, participations, distinct participants and participants from another
village. A node holds the people; it shares only counts, kept in the community record
(``figures``, docs/federation.md § 6.2):

* ``members`` (active accounts now) and ``joined``: how many of them joined each month;
* per occurrence held (every rencontre, community-only ones included, no title):
  ``participants`` (people marked present), ``from_elsewhere`` (present guests, and
  members living outside the village's communes), ``first_time`` (present for the first
  time at this village) and ``returning`` (the others, counted by the month of their
  previous presence). From the last two the Pays counts the distinct participants of any
  run of whole months exactly: a person counts once, at their first presence in the run;
* ``cooperations`` (only when there is one): how many « mises en relation réussies » were
  confirmed each month (services.cooperation: both sides said they worked together).

:func:`refresh` is called by the scheduled round; it changes the community row only when
the counts changed, so the record (and its push) follows attendance and joins.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta

from node.extensions import db
from node.models import Account, AccountStatus, Community, Event, Member, Rsvp, utcnow
from node.services import cooperation
from node.services.calendar import PARIS, as_utc_stamp
from node.services.figures import event_occurrences

MONTHS_SHARED = 36
MAX_OCCURRENCES = 1000


def _month(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%Y-%m")


def compute(community: Community, now: datetime | None = None) -> dict[str, Any]:
    """The ``figures`` object of the community record, as of ``now``."""
    now = now or utcnow()
    since = now - relativedelta(months=MONTHS_SHARED)
    active = list(db.session.scalars(db.select(Account.created_at).where(
        Account.status == AccountStatus.ACTIVE.value)))
    joined = Counter(_month(created) for created in active if created >= since)
    figures: dict[str, Any] = {
        "members": len(active),
        "joined": [{"month": month, "count": count} for month, count in sorted(joined.items())],
        "occurrences": _occurrences(set(community.communes or []), since, now),
    }
    worked = cooperation.monthly_counts(since, now)
    if worked:  # left out when none, so the record stays what a directory of 2026 accepts
        figures["cooperations"] = [{"month": month, "count": count} for month, count in worked]
    return figures


def _occurrences(home: set[str], since: datetime, now: datetime) -> list[dict[str, Any]]:
    """Counts per occurrence held since ``since``; a person's earlier presences (all time)
    tell whether they come back, and since when."""
    rows = db.session.execute(
        db.select(Rsvp.event_id, Rsvp.occurrence_at, Rsvp.member_id, Rsvp.guest_email,
                  Member.commune_code, Rsvp.home_village, Rsvp.home_member)
        .join(Event, Event.id == Rsvp.event_id)
        .outerjoin(Member, Member.id == Rsvp.member_id)
        .where(Rsvp.attended.is_(True), Event.cancelled.is_(False), Rsvp.occurrence_at <= now)
        .order_by(Rsvp.occurrence_at, Rsvp.id)).all()
    last_seen: dict[tuple[str, object], datetime] = {}
    found: dict[tuple[int, datetime], dict[str, Any]] = {
        key: _counts(key[1]) for key in _held(since, now)}  # held, even if nobody was marked
    for event_id, at, member_id, guest_email, commune, village, visitor in rows:
        person: tuple[str, object] = ("member", member_id) if member_id is not None else \
            (f"visitor:{village}", visitor) if village else ("guest", guest_email)
        previous = last_seen.get(person)
        last_seen[person] = at
        if at < since:
            continue
        item = found.setdefault((event_id, at), _counts(at))
        item["participants"] += 1
        if member_id is None or (commune or "") not in home:
            item["from_elsewhere"] += 1
        if previous is None:
            item["first_time"] += 1
        else:
            item["returning"][_month(previous)] += 1
    shared = sorted(found.values(), key=lambda item: item["at"])[-MAX_OCCURRENCES:]
    for item in shared:
        item["returning"] = [{"month": month, "count": count}
                             for month, count in sorted(item["returning"].items())]
    return shared


def _counts(at: datetime) -> dict[str, Any]:
    return {"at": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "participants": 0, "from_elsewhere": 0,
            "first_time": 0, "returning": Counter()}


def _held(since: datetime, now: datetime) -> list[tuple[int, datetime]]:
    """(event id, start) of every occurrence held in [since, now): rencontres not cancelled,
    series expanded, the dates cancelled one by one left out."""
    held: list[tuple[int, datetime]] = []
    for event in db.session.scalars(db.select(Event).where(
            Event.cancelled.is_(False), Event.starts_at < now)):
        cancelled = set(event.cancelled_dates or [])
        held.extend((event.id, at) for at in event_occurrences(event, since, now)
                    if as_utc_stamp(at) not in cancelled)
    return held


def refresh(now: datetime | None = None) -> bool:
    """Store the current figures on the community row when they changed (flushes); the
    record is then shared again by the usual change capture. True when they changed."""
    community = db.session.scalars(db.select(Community).limit(1)).first()
    if community is None:
        return False
    figures = compute(community, now)
    if community.shared_figures == figures:
        return False
    community.shared_figures = figures
    db.session.flush()
    return True
