"""Figures for the Pays's funders: for a run of whole months, per village and in total.

Members, new members, rencontres held, participations, distinct participants,
participants from another village and « mises en relation réussies » (two members who said
they worked together, counted by the village of the listing's or question's author in the
month of the second word), read from the counts each village shares in its
community record (``figures``, docs/federation.md § 6.2; never a name). A village that
shares no figures yet shows dashes, not zeros. Distinct participants are exact within a
village; the total adds the villages up, so a person who went to two villages counts twice
(said on the page).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from flask_babel import format_date
from flask_babel import gettext as _

from directory.models import utcnow
from directory.services.network import shown_peers
from directory.services.overview import community_payloads
from federation.recurrence import parse_time

PARIS = ZoneInfo("Europe/Paris")
MAX_MONTHS = 36
DEFAULT_MONTHS = 12
COLUMNS = ("members", "new_members", "rencontres", "participations", "distinct",
           "from_elsewhere", "cooperations")


@dataclass(frozen=True)
class Period:
    """From the first day of ``first`` to the end of ``last`` (months, Paris time)."""

    first: date
    last: date

    @property
    def months(self) -> list[str]:
        found, month = [], self.first
        while month <= self.last:
            found.append(month.strftime("%Y-%m"))
            month += relativedelta(months=1)
        return found

    @property
    def first_text(self) -> str:
        return self.first.strftime("%Y-%m")

    @property
    def last_text(self) -> str:
        return self.last.strftime("%Y-%m")


@dataclass
class VillageFigures:
    """One line of the table; ``None`` where the village shares no figures."""

    name: str
    node_id: str
    members: int | None = None
    new_members: int | None = None
    rencontres: int | None = None
    participations: int | None = None
    distinct: int | None = None
    from_elsewhere: int | None = None
    cooperations: int | None = None  # « mises en relation réussies »
    per_month: dict[str, int] = field(default_factory=dict)  # participations
    cooperations_per_month: dict[str, int] = field(default_factory=dict)

    def values(self) -> list[int | None]:
        return [getattr(self, name) for name in COLUMNS]


@dataclass
class Figures:
    period: Period
    villages: list[VillageFigures]
    total: VillageFigures
    # (French month name, rencontres, participations, mises en relation réussies)
    months: list[tuple[str, int, int, int]]


def column_titles() -> list[str]:
    return [_("Membres (fin de période)"), _("Nouveaux membres"), _("Rencontres tenues"),
            _("Participations"), _("Participants distincts"),
            _("Participations venues d'un autre village"), _("Mises en relation réussies")]


def month_name(month: str) -> str:
    """« janvier 2026 » in French, « January 2026 » in English."""
    year, number = (int(part) for part in month.split("-"))
    return str(format_date(date(year, number, 1), "LLLL y"))


def default_period(today: date | None = None) -> Period:
    """The twelve months ending with the current one."""
    last = (today or utcnow().astimezone(PARIS).date()).replace(day=1)
    return Period(last - relativedelta(months=DEFAULT_MONTHS - 1), last)


def read_period(args: Mapping[str, str]) -> tuple[Period, list[str]]:
    """The period asked in ``?du=AAAA-MM&au=AAAA-MM`` (also « 01/2026 »), with French
    errors; the default period when a bound is missing or wrong."""
    fallback = default_period()
    errors: list[str] = []
    bounds = []
    for name, default in (("du", fallback.first), ("au", fallback.last)):
        text = args.get(name, "").strip()
        if not text:
            bounds.append(default)
            continue
        month = _month(text)
        if month is None:
            errors.append(_("Mois attendu au format AAAA-MM, par exemple 2026-01 : « %(text)s ».",
                            text=text[:20]))
            bounds.append(default)
        else:
            bounds.append(month)
    first, last = bounds
    if not errors and first > last:
        errors.append(_("Le début de la période doit précéder sa fin."))
    elif not errors and relativedelta(last, first).years * 12 + relativedelta(
            last, first).months >= MAX_MONTHS:
        errors.append(_("Une période de %(n)s mois au plus.", n=MAX_MONTHS))
    return (fallback, errors) if errors else (Period(first, last), errors)


def _month(text: str) -> date | None:
    for pattern in ("%Y-%m", "%m/%Y", "%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date().replace(day=1)
        except ValueError:
            continue
    return None


def funder_figures(period: Period, now: datetime | None = None) -> Figures:
    """Every shown village's line, the total and the months, for ``period``."""
    now = now or utcnow()
    pages = community_payloads()
    months = period.months
    villages = []
    for peer in shown_peers():
        page = pages.get(peer.id, {})
        line = VillageFigures(str(page.get("name") or peer.label), peer.node_id)
        shared = page.get("figures")
        if isinstance(shared, dict):
            _fill(line, shared, months, now)
        villages.append(line)
    total = VillageFigures(_("Total"), "")
    for name in COLUMNS:
        values = [getattr(line, name) for line in villages if getattr(line, name) is not None]
        setattr(total, name, sum(values) if values else None)
    rencontres_by_month = {month: 0 for month in months}
    for line in villages:
        for month, count in line.per_month.items():
            total.per_month[month] = total.per_month.get(month, 0) + count
        for month, count in line.cooperations_per_month.items():
            total.cooperations_per_month[month] = (
                total.cooperations_per_month.get(month, 0) + count)
    for page in pages.values():
        for item in _occurrences(page.get("figures"), now):
            if item[0] in rencontres_by_month:
                rencontres_by_month[item[0]] += 1
    return Figures(period, villages, total, [
        (month_name(month), rencontres_by_month[month], total.per_month.get(month, 0),
         total.cooperations_per_month.get(month, 0))
        for month in months])


def _occurrences(shared: Any, now: datetime) -> list[tuple[str, dict[str, Any]]]:
    """(Paris month, counts) of the occurrences held by ``now``."""
    if not isinstance(shared, dict):
        return []
    found = []
    for item in shared.get("occurrences") or []:
        at = parse_time(item.get("at")) if isinstance(item, dict) else None
        if at is not None and at <= now:
            found.append((at.astimezone(PARIS).strftime("%Y-%m"), item))
    return found


def _count(value: Any) -> int:
    return value if type(value) is int and value >= 0 else 0


def _fill(line: VillageFigures, shared: dict[str, Any], months: list[str],
          now: datetime) -> None:
    first, last = months[0], months[-1]
    joined = {str(row.get("month")): _count(row.get("count"))
              for row in shared.get("joined") or [] if isinstance(row, dict)}
    later = sum(count for month, count in joined.items() if month > last)
    line.members = max(_count(shared.get("members")) - later, 0)
    line.new_members = sum(count for month, count in joined.items() if first <= month <= last)
    line.rencontres = line.participations = line.distinct = line.from_elsewhere = 0
    for month, item in _occurrences(shared, now):
        if not first <= month <= last:
            continue
        participants = _count(item.get("participants"))
        line.rencontres += 1
        line.participations += participants
        line.from_elsewhere += _count(item.get("from_elsewhere"))
        # A person counts once: at their first presence of the period.
        line.distinct += _count(item.get("first_time")) + sum(
            _count(row.get("count")) for row in item.get("returning") or []
            if isinstance(row, dict) and str(row.get("month")) < first)
        line.per_month[month] = line.per_month.get(month, 0) + participants
    _fill_cooperations(line, shared, first, last)


def _fill_cooperations(line: VillageFigures, shared: dict[str, Any], first: str,
                       last: str) -> None:
    """The village's mises en relation réussies of the period, by month. A node leaves the
    list out while it has none (so its record stays valid for an older directory): absent
    reads as zero, like a node of an earlier version, which counts none."""
    rows = shared.get("cooperations")
    line.cooperations = 0
    for row in rows if isinstance(rows, list) else []:
        month = str(row.get("month")) if isinstance(row, dict) else ""
        if first <= month <= last:
            count = _count(row.get("count"))
            line.cooperations += count
            line.cooperations_per_month[month] = (
                line.cooperations_per_month.get(month, 0) + count)
