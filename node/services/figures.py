"""Figures the admins show their funders: members, rencontres and who came.

A rencontre may recur (RRULE), so figures are counted per *occurrence*: the rule is expanded
by the calendar service, on Paris wall-clock time (a rencontre "every Tuesday at 18:00"
stays at 18:00 across daylight saving), then joined with the occurrence times the RSVPs
recorded, so attendance that was recorded is always counted even if the rule changed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from node.extensions import db
from node.models import Account, AccountStatus, Event, Rsvp, RsvpStatus
from node.services import calendar, cooperation

PARIS = ZoneInfo("Europe/Paris")
RECENT_MONTHS = 3
UPCOMING_DAYS = 90


@dataclass
class OccurrenceFigures:
    """Counts for one occurrence of one rencontre."""

    event: Event
    starts_at: datetime
    going: int = 0
    waitlisted: int = 0
    attended: int = 0
    guests: int = 0  # guests (not members) marked as present
    members_present: set[int] = field(default_factory=set)

    @property
    def capacity(self) -> int | None:
        """The rencontre's own limit, else its venue's."""
        if self.event.capacity is not None:
            return self.event.capacity
        return self.event.venue.capacity if self.event.venue else None


@dataclass
class MonthFigures:
    month: str  # "YYYY-MM", Paris time
    rencontres: int = 0
    attendance: int = 0
    guests: int = 0
    members_present: set[int] = field(default_factory=set)
    cooperations: int = 0  # « mises en relation réussies » confirmed this month

    @property
    def distinct_members(self) -> int:
        return len(self.members_present)


@dataclass(frozen=True)
class DashboardFigures:
    active_members: int
    pending_requests: int
    upcoming_rencontres: int
    recent_attendance: int


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC bounds [start, end) covering the Paris calendar days first..last included."""
    start = datetime.combine(first, time(), PARIS).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), PARIS).astimezone(UTC)
    return start, end


def event_occurrences(event: Event, start: datetime, end: datetime) -> list[datetime]:
    """UTC start times of the event's occurrences within [start, end): the calendar
    service's expansion, so the figures count the very dates the rencontre pages show."""
    return [moment for moment in calendar.series_starts(event.rrule, event.starts_at, start, end)
            if moment < end]


def occurrence_figures(start: datetime, end: datetime) -> list[OccurrenceFigures]:
    """Figures of every occurrence of a non-cancelled rencontre in [start, end), by date."""
    events = db.session.scalars(
        db.select(Event).where(Event.cancelled.is_(False), Event.starts_at < end)
    ).all()
    table: dict[tuple[int, datetime], OccurrenceFigures] = {}
    dropped: set[tuple[int, datetime]] = set()  # the dates of a series cancelled alone
    for event in events:
        cancelled = set(event.cancelled_dates or [])
        for moment in event_occurrences(event, start, end):
            if moment.strftime("%Y%m%dT%H%M%SZ") in cancelled:
                dropped.add((event.id, moment))
            else:
                table[(event.id, moment)] = OccurrenceFigures(event, moment)
    rsvps = db.session.scalars(
        db.select(Rsvp).join(Event).where(
            Event.cancelled.is_(False), Rsvp.occurrence_at >= start, Rsvp.occurrence_at < end)
    ).all()
    for rsvp in rsvps:
        key = (rsvp.event_id, rsvp.occurrence_at)
        if key in dropped:
            continue
        if key not in table:
            table[key] = OccurrenceFigures(rsvp.event, rsvp.occurrence_at)
        _count(table[key], rsvp)
    return sorted(table.values(), key=lambda row: (row.starts_at, row.event.title))


def _count(row: OccurrenceFigures, rsvp: Rsvp) -> None:
    if rsvp.status == RsvpStatus.GOING:
        row.going += 1
    elif rsvp.status == RsvpStatus.WAITLISTED:
        row.waitlisted += 1
    if rsvp.attended:
        row.attended += 1
        if rsvp.member_id is None:
            row.guests += 1
        else:
            row.members_present.add(rsvp.member_id)


def monthly_figures(start: datetime, end: datetime) -> list[MonthFigures]:
    """Per Paris calendar month: occurrences, attendance, distinct members present, guests,
    and the « mises en relation réussies » confirmed (a month with only those is listed)."""
    months: dict[str, MonthFigures] = defaultdict(lambda: MonthFigures(""))
    for key, count in cooperation.monthly_counts(start, end):
        months[key].month = key
        months[key].cooperations = count
    for row in occurrence_figures(start, end):
        key = row.starts_at.astimezone(PARIS).strftime("%Y-%m")
        month = months[key]
        month.month = key
        month.rencontres += 1
        month.attendance += row.attended
        month.guests += row.guests
        month.members_present |= row.members_present
    return [months[key] for key in sorted(months)]


def dashboard_figures(now: datetime) -> DashboardFigures:
    """The four numbers on the admin dashboard, as of ``now`` (UTC)."""

    def accounts_with(status: AccountStatus) -> int:
        query = db.select(db.func.count(Account.id)).where(Account.status == status.value)
        return int(db.session.scalar(query) or 0)

    upcoming = occurrence_figures(now, now + timedelta(days=UPCOMING_DAYS))
    recent = db.session.scalar(
        db.select(db.func.count(Rsvp.id)).join(Event).where(
            Event.cancelled.is_(False), Rsvp.attended.is_(True),
            Rsvp.occurrence_at >= now - relativedelta(months=RECENT_MONTHS),
            Rsvp.occurrence_at < now))
    return DashboardFigures(
        active_members=accounts_with(AccountStatus.ACTIVE),
        pending_requests=accounts_with(AccountStatus.PENDING),
        upcoming_rencontres=len(upcoming),
        recent_attendance=int(recent or 0),
    )
