"""Time on the calendar: Paris wall-clock times, recurrence rules, French dates and iCalendar.

People enter and read times in Europe/Paris; the database keeps UTC. A series is expanded in
local time (so "every Tuesday at 18:30" stays 18:30 across the daylight-saving change) and each
occurrence is then converted to UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _

if TYPE_CHECKING:
    import icalendar

    from node.models import Event

PARIS = ZoneInfo("Europe/Paris")
SERIES_HORIZON = timedelta(days=2 * 366)  # a series without COUNT/UNTIL runs two years at most
MAX_COUNT = 200
MAX_INTERVAL = 12
ALLOWED_FREQS = ("WEEKLY", "MONTHLY")
ALLOWED_KEYS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYSETPOS", "COUNT", "UNTIL", "WKST")


class RecurrenceInvalid(ValueError):
    """A recurrence rule was refused; the message (French) says why."""


class LocalTimeInvalid(ValueError):
    """A Paris wall-clock time that does not exist (skipped by the spring DST change)."""


@dataclass(frozen=True)
class Span:
    """One occurrence's start and end, both aware UTC."""

    starts_at: datetime
    ends_at: datetime


def to_utc(local: datetime) -> datetime:
    """Paris wall-clock time (naive) to aware UTC, refusing times the DST change skips."""
    aware = local.replace(tzinfo=PARIS)
    utc = aware.astimezone(UTC)
    if utc.astimezone(PARIS).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise LocalTimeInvalid(_("Cette heure n'existe pas à Paris (passage à l'heure d'été)."))
    return utc


def to_local(moment: datetime) -> datetime:
    """Aware datetime to aware Paris time."""
    return moment.astimezone(PARIS)


def normalise_rrule(text: str, starts_local: datetime) -> str:
    """Check a recurrence rule and return it in canonical form ("" for no recurrence).

    Only weekly and monthly rules with sane bounds are accepted: the node expands series in
    memory and a village does not run daily meetings for a decade. A local UNTIL is read in
    Paris time and rewritten in UTC, as RFC 5545 asks when DTSTART carries a TZID.
    """
    text = text.strip().upper()
    if text.startswith("RRULE:"):
        text = text[len("RRULE:"):]
    if not text:
        return ""
    parts: dict[str, str] = {}
    for chunk in filter(None, text.split(";")):
        key, sep, value = chunk.partition("=")
        if not sep or not value or key in parts:
            raise RecurrenceInvalid(
                _("Règle de récurrence illisible (ex. FREQ=MONTHLY;BYDAY=1TU)."))
        if key not in ALLOWED_KEYS:
            raise RecurrenceInvalid(_("Élément de récurrence non pris en charge : %(key)s.",
                                      key=key))
        parts[key] = value
    if parts.get("FREQ") not in ALLOWED_FREQS:
        raise RecurrenceInvalid(_("Seules les récurrences hebdomadaires (WEEKLY) ou mensuelles "
                                  "(MONTHLY) sont possibles."))
    _check_number(parts, "INTERVAL", MAX_INTERVAL)
    _check_number(parts, "COUNT", MAX_COUNT)
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceInvalid(_("Indiquez soit un nombre de séances (COUNT), soit une date de "
                                  "fin (UNTIL), pas les deux."))
    if "UNTIL" in parts:
        parts["UNTIL"] = _utc_until(parts["UNTIL"], starts_local)
    canonical = ";".join(f"{key}={parts[key]}" for key in ALLOWED_KEYS if key in parts)
    try:
        rule = _build(canonical, starts_local)
        first = rule[0] if rule.count() else None
    except (ValueError, TypeError, IndexError) as error:
        raise RecurrenceInvalid(_("Règle de récurrence invalide ou sans aucune date.")) from error
    if first is None:
        raise RecurrenceInvalid(_("Règle de récurrence invalide ou sans aucune date."))
    if first != starts_local.replace(tzinfo=PARIS):
        # RFC 5545 leaves a DTSTART outside its own rule undefined: calendars would disagree.
        raise RecurrenceInvalid(_("La date de début doit être elle-même une date de la série "
                                  "(ex. un premier mardi pour « le 1ᵉʳ mardi du mois »)."))
    return canonical


def _check_number(parts: dict[str, str], key: str, maximum: int) -> None:
    if key in parts and not (parts[key].isdigit() and 1 <= int(parts[key]) <= maximum):
        raise RecurrenceInvalid(_("%(key)s doit être un nombre entre 1 et %(max)s.",
                                  key=key, max=maximum))


def _utc_until(value: str, starts_local: datetime) -> str:
    """UNTIL as UTC text; a date or local time means "until the end of that Paris day/time"."""
    try:
        if value.endswith("Z"):
            moment = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        elif "T" in value:
            moment = to_utc(datetime.strptime(value, "%Y%m%dT%H%M%S"))
        else:
            moment = to_utc(datetime.combine(datetime.strptime(value, "%Y%m%d").date(),
                                             time(23, 59, 59)))
    except (ValueError, LocalTimeInvalid) as error:
        raise RecurrenceInvalid(_("Date de fin (UNTIL) illisible : AAAAMMJJ.")) from error
    if moment < to_utc(starts_local):
        raise RecurrenceInvalid(_("La date de fin de la série précède la première séance."))
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _build(canonical: str, starts_local: datetime) -> rrule:
    start = starts_local.replace(tzinfo=PARIS)
    rule = rrulestr(canonical, dtstart=start)
    assert isinstance(rule, rrule)
    if "COUNT" not in canonical and "UNTIL" not in canonical:
        rule = rule.replace(until=start + SERIES_HORIZON)
    return rule


def series_starts(rule_text: str, first_start: datetime, after: datetime,
                  before: datetime) -> list[datetime]:
    """UTC starts of a series between ``after`` and ``before`` (inclusive), expanded in Paris."""
    first_local = to_local(first_start).replace(tzinfo=None)
    if not rule_text:
        return [first_start] if after <= first_start <= before else []
    rule = _build(rule_text, first_local)
    return [moment.astimezone(UTC) for moment in rule.between(after, before, inc=True)]


def spans(rule_text: str, starts_at: datetime, ends_at: datetime, after: datetime,
          before: datetime) -> list[Span]:
    """Occurrences that are not over at ``after`` and start before ``before``."""
    duration = ends_at - starts_at
    return [Span(start, start + duration)
            for start in series_starts(rule_text, starts_at, after - duration, before)
            if start + duration > after]


def nth_weekday_rule(day: date) -> str:
    """"The Nth <weekday> of the month" for this date; the fifth one becomes "the last"."""
    rank = (day.day - 1) // 7 + 1
    code = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[day.weekday()]
    return f"FREQ=MONTHLY;BYDAY={-1 if rank == 5 else rank}{code}"


def describe_when(starts_at: datetime, ends_at: datetime) -> str:
    """« mardi 2 décembre 2025, 18 h 30 – 20 h 30 », in the reader's language, Paris time."""
    start, end = to_local(starts_at), to_local(ends_at)
    french = str(get_locale() or "fr").startswith("fr")

    def clock(moment: datetime) -> str:
        if french:
            return f"{moment.hour} h {moment.minute:02d}"
        return str(format_time(moment.time(), "short"))

    def day(moment: datetime) -> str:
        if french and moment.day == 1:  # « lundi 1er juin », as French writes the first
            return str(format_date(moment.date(), "EEEE '1er' MMMM y"))
        return str(format_date(moment.date(), "EEEE d MMMM y"))

    if start.date() == end.date():
        return f"{day(start)}, {clock(start)} – {clock(end)}"
    return f"{day(start)}, {clock(start)} – {day(end)}, {clock(end)}"


def describe_moment(moment: datetime) -> str:
    """« mardi 2 décembre 2025 à 18 h 30 » (a closing time, a deadline), Paris time."""
    local = to_local(moment)
    if str(get_locale() or "fr").startswith("fr"):
        day = "EEEE '1er' MMMM y" if local.day == 1 else "EEEE d MMMM y"
        return f"{format_date(local.date(), day)} à {local.hour} h {local.minute:02d}"
    return f"{format_date(local.date(), 'EEEE d MMMM y')}, {format_time(local.time(), 'short')}"


def as_utc_stamp(moment: datetime) -> str:
    """Compact UTC form used in URLs to name one occurrence: 20251202T173000Z."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_utc_stamp(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def ics_calendar(events: Iterable[Event], link: Callable[[Event], str], host: str,
                 name: str) -> bytes:
    """An RFC 5545 calendar of these events: Paris times with their VTIMEZONE, series as RRULE.

    The UID is stable (event UUID at this host) and SEQUENCE is the event's version, so a
    calendar application that subscribed updates the entry instead of duplicating it.
    icalendar (about 3 MB) is imported on the first export, not by every page that shows a date.
    """
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//Chaleur//Rencontres//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Paris")
    for event in events:
        cal.add_component(_vevent(event, link(event), host))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def _vevent(event: Event, url: str, host: str) -> icalendar.Event:
    import icalendar

    entry = icalendar.Event()
    entry.add("uid", f"{event.uuid}@{host}")
    entry.add("dtstamp", event.updated_at.astimezone(UTC))
    entry.add("last-modified", event.updated_at.astimezone(UTC))
    entry.add("dtstart", to_local(event.starts_at))
    entry.add("dtend", to_local(event.ends_at))
    entry.add("summary", event.title)
    if event.description:
        entry.add("description", event.description)
    if event.rrule:
        entry.add("rrule", icalendar.vRecur.from_ical(event.rrule))
        for stamp in sorted(event.cancelled_dates or []):
            cancelled = parse_utc_stamp(stamp)
            if cancelled is not None:  # the dates cancelled one by one leave the series
                entry.add("exdate", to_local(cancelled))
    if event.venue is not None:
        entry.add("location", ", ".join(filter(None, [event.venue.name, event.venue.address])))
    entry.add("url", url)
    entry.add("sequence", event.version)
    entry.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    entry.add("class", "PUBLIC" if event.visibility == "public" else "PRIVATE")
    return entry
