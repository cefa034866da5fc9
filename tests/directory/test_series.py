"""Recurring rencontres at the Pays: expanded date by date in the agenda, the home page,
the calendar feed, the figures and the network copy; cancelled dates disappear."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select

from directory.extensions import db
from directory.models import EventOccurrence
from directory.peering import overview as peering_overview
from directory.services import overview
from directory.services.aggregation import apply_batch
from federation.recurrence import series_starts
from tests.directory.conftest import SPARSBACH, envelope

RULE = "FREQ=MONTHLY;BYDAY=1TU"
RECORD_ID = "6f1c2d3e-4a5b-4c6d-8e7f-001122334455"


def _first_tuesday(months_ago: int) -> datetime:
    today = datetime.now(UTC).date().replace(day=1)
    year, month = today.year, today.month - months_ago
    while month < 1:
        year, month = year - 1, month + 12
    day = datetime(year, month, 1, 17, 30, tzinfo=UTC)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return day


FIRST = _first_tuesday(3)  # the series began three months ago


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _series(version: int = 1, **fields: object) -> dict[str, object]:
    payload = {"title": "Rencontre du premier mardi", "public": True, "starts_at": _iso(FIRST),
               "ends_at": _iso(FIRST + timedelta(hours=2)), "rrule": RULE,
               "venue_name": "Salle des fêtes", "commune_code": "67475",
               "url": "https://sparsbach.example/rencontres/1", **fields}
    return envelope("event", payload, version=version, record_id=RECORD_ID)


def _upcoming() -> list[datetime]:
    now = datetime.now(UTC)
    return [start for start in series_starts(RULE, FIRST) if start > now]


def test_a_monthly_series_shows_its_next_dates_in_agenda_home_and_feed(
        app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    apply_batch(SPARSBACH, [_series()])
    coming = _upcoming()
    agenda = client.get("/agenda").get_data(as_text=True)
    assert agenda.count("Rencontre du premier mardi") >= 3  # not only the (past) first date
    home = client.get("/").get_data(as_text=True)
    assert "Rencontre du premier mardi" in home
    feed = Calendar.from_ical(client.get("/agenda.ics").data).walk("VEVENT")
    starts = sorted(e.decoded("dtstart") for e in feed)
    assert [start for start in starts if start > datetime.now(UTC)][:3] == coming[:3]
    assert len({str(e["UID"]) for e in feed}) == len(feed)  # one UID per date
    assert all("RRULE" not in e for e in feed)  # expanded, exceptions applied
    # The network copy served to the villages lists a series begun long ago as upcoming
    # (the envelope check is bypassed: these test origins are URLs, not node ids).
    monkeypatch.setattr(peering_overview, "_envelope",
                        lambda record, origin: {"id": record.uuid})
    assert peering_overview._section("event", datetime.now(UTC)) == [{"id": RECORD_ID}]


def test_a_date_cancelled_at_the_node_disappears_and_the_figures_follow(
        app: Flask, client: FlaskClient) -> None:
    apply_batch(SPARSBACH, [_series()])
    coming = _upcoming()
    before = dict(overview.statistics()["months"])
    apply_batch(SPARSBACH, [_series(version=2, exdates=[_iso(coming[0])])])
    dates = list(db.session.scalars(select(EventOccurrence.starts_at).order_by(
        EventOccurrence.starts_at)))
    assert coming[0] not in dates and coming[1] in dates and FIRST in dates
    month = coming[0].strftime("%Y-%m")
    assert dict(overview.statistics()["months"]).get(month, 0) == before[month] - 1
    feed = Calendar.from_ical(client.get("/agenda.ics").data).walk("VEVENT")
    assert coming[0] not in {e.decoded("dtstart") for e in feed}
    counts = {item["url"]: item["upcoming_events"] for item in overview.territories()}
    assert counts[SPARSBACH] == len(coming) - 1


def test_a_moved_date_shows_at_its_new_time_and_a_tombstone_removes_every_date(
        app: Flask) -> None:
    apply_batch(SPARSBACH, [_series()])
    coming = _upcoming()
    moved_to = coming[0] + timedelta(days=2, hours=1)
    apply_batch(SPARSBACH, [_series(version=2, moved=[
        {"from": _iso(coming[0]), "starts_at": _iso(moved_to),
         "ends_at": _iso(moved_to + timedelta(hours=1))}])])
    rows = {row.starts_at: row.ends_at for row in db.session.scalars(select(EventOccurrence))}
    assert coming[0] not in rows and rows[moved_to] == moved_to + timedelta(hours=1)
    apply_batch(SPARSBACH, [envelope("event", None, version=3, record_id=RECORD_ID,
                                     deleted=True)])
    assert list(db.session.scalars(select(EventOccurrence))) == []
