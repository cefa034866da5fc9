"""The dates of a shared rencontre: a single date, or a series with its exceptions.

A node shares a recurring rencontre as one record: the first occurrence (``starts_at``,
``ends_at``), the RFC 5545 rule (``rrule``), the dates taken out of the series (``exdates``:
cancelled or excluded occurrences, which then no longer take place) and the occurrences held
at another time (``moved``). Whoever reads the record expands it the same way, here: the rule
runs in Europe/Paris wall-clock time (so « every Tuesday at 18:30 » stays 18:30 across the
daylight-saving change), each occurrence lasts as long as the first, and a rule without
COUNT or UNTIL stops :data:`SERIES_HORIZON` after the first occurrence, as on the node.

Plain data in, plain data out (docs/federation.md § 5.4).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

PARIS = ZoneInfo("Europe/Paris")
SERIES_HORIZON = timedelta(days=2 * 366)
#: A series never yields more occurrences than this (the node allows 200 by COUNT).
MAX_OCCURRENCES = 400


@dataclass(frozen=True)
class Occurrence:
    """One dated occurrence, times aware UTC; ``moved_from`` names the series date it
    replaces when it was moved."""

    starts_at: datetime
    ends_at: datetime
    moved_from: datetime | None = None


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 UTC time from a payload (``…Z`` or ``+00:00``), else None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def series_starts(rule_text: str, first_start: datetime) -> list[datetime]:
    """UTC starts of a series, the first included; [first_start] when the rule is empty or
    cannot be read (a malformed rule from a peer shows its first date, nothing more)."""
    text = rule_text.strip().removeprefix("RRULE:")
    if not text:
        return [first_start]
    local = first_start.astimezone(PARIS).replace(tzinfo=None).replace(tzinfo=PARIS)
    try:
        rule = rrulestr(text, dtstart=local)
        if not isinstance(rule, rrule):
            return [first_start]
        if "COUNT=" not in text.upper() and "UNTIL=" not in text.upper():
            rule = rule.replace(until=local + SERIES_HORIZON)
        starts = [moment.astimezone(UTC) for moment in islice(rule, MAX_OCCURRENCES)]
    except (ValueError, TypeError, OverflowError):
        return [first_start]
    return starts or [first_start]


def occurrences(payload: Mapping[str, Any]) -> list[Occurrence]:
    """Every occurrence of an event payload, soonest first, exceptions applied."""
    first = parse_time(payload.get("starts_at"))
    if first is None:
        return []
    end = parse_time(payload.get("ends_at"))
    duration = end - first if end is not None and end > first else timedelta(0)
    rule = payload.get("rrule")
    starts = series_starts(rule if isinstance(rule, str) else "", first)
    removed = set(_times(payload.get("exdates")))
    moves = _moves(payload.get("moved"))
    found = [Occurrence(start, start + duration) for start in starts
             if start not in removed and start not in moves]
    series = set(starts)
    for original, (new_start, new_end) in moves.items():
        if original in series and original not in removed:
            found.append(Occurrence(new_start, new_end, original))
    return sorted(found, key=lambda item: item.starts_at)


def _times(values: Any) -> Iterable[datetime]:
    for value in values if isinstance(values, list) else []:
        moment = parse_time(value)
        if moment is not None:
            yield moment


def _moves(values: Any) -> dict[datetime, tuple[datetime, datetime]]:
    moves: dict[datetime, tuple[datetime, datetime]] = {}
    for item in values if isinstance(values, list) else []:
        if not isinstance(item, dict):
            continue
        original = parse_time(item.get("from"))
        start, end = parse_time(item.get("starts_at")), parse_time(item.get("ends_at"))
        if original is not None and start is not None:
            moves[original] = (start, end if end is not None and end > start else start)
    return moves
