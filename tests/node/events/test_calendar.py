"""Paris wall-clock times, DST, and the recurrence rules organisers may use."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask

from node.extensions import db
from node.models import Event
from node.services import calendar, events
from node.services.events import EventError, EventInput
from tests.node.events.support import add_event, add_venue


def test_winter_and_summer_evenings_are_stored_in_the_right_utc_hour(ctx: Flask) -> None:
    winter = add_event("Hiver", starts=datetime(2026, 1, 13, 18, 30))
    summer = add_event("Été", starts=datetime(2026, 7, 14, 18, 30))
    db.session.expire_all()
    assert db.session.get(Event, winter.id).starts_at == datetime(2026, 1, 13, 17, 30, tzinfo=UTC)
    assert db.session.get(Event, summer.id).starts_at == datetime(2026, 7, 14, 16, 30, tzinfo=UTC)


def test_a_time_skipped_by_the_spring_change_is_refused(ctx: Flask) -> None:
    with pytest.raises(EventError) as caught:
        add_event("Nuit", starts=datetime(2026, 3, 29, 2, 30))
    assert caught.value.field == "start_time"
    assert db.session.scalar(db.select(db.func.count(Event.id))) == 0


def test_first_tuesday_series_keeps_18_30_paris_across_dst(ctx: Flask) -> None:
    event = add_event("Apéro du mois", starts=datetime(2026, 1, 6, 18, 30),
                      rrule="FREQ=MONTHLY;BYDAY=1TU")
    found = events.occurrences(event, datetime(2026, 1, 1, tzinfo=UTC),
                               datetime(2026, 6, 1, tzinfo=UTC))
    local = [calendar.to_local(item.starts_at) for item in found]
    assert [d.date().isoformat() for d in local] == [
        "2026-01-06", "2026-02-03", "2026-03-03", "2026-04-07", "2026-05-05"]
    assert all(d.weekday() == 1 and d.day <= 7 and (d.hour, d.minute) == (18, 30) for d in local)
    assert found[2].starts_at.hour == 17 and found[3].starts_at.hour == 16  # CET, then CEST
    assert all(item.ends_at - item.starts_at == event.ends_at - event.starts_at for item in found)


def test_series_without_end_stops_after_two_years(ctx: Flask) -> None:
    event = add_event("Hebdo", starts=datetime(2026, 1, 5, 9, 0), rrule="FREQ=WEEKLY")
    found = events.occurrences(event, datetime(2026, 1, 1, tzinfo=UTC),
                               datetime(2035, 1, 1, tzinfo=UTC))
    assert 100 <= len(found) <= 106
    assert found[-1].starts_at < datetime(2028, 1, 10, tzinfo=UTC)


def test_local_until_is_rewritten_in_utc_and_ends_the_series(ctx: Flask) -> None:
    event = add_event("Court", starts=datetime(2026, 1, 6, 18, 30),
                      rrule="FREQ=WEEKLY;UNTIL=20260120")
    assert event.rrule == "FREQ=WEEKLY;UNTIL=20260120T225959Z"
    found = events.occurrences(event, datetime(2026, 1, 1, tzinfo=UTC),
                               datetime(2027, 1, 1, tzinfo=UTC))
    assert [calendar.to_local(o.starts_at).day for o in found] == [6, 13, 20]


@pytest.mark.parametrize("rule", [
    "FREQ=DAILY", "FREQ=YEARLY", "FREQ=WEEKLY;COUNT=5000", "FREQ=WEEKLY;INTERVAL=0",
    "FREQ=WEEKLY;BYHOUR=3", "nonsense", "FREQ=MONTHLY;BYDAY=9ZZ",
    "FREQ=WEEKLY;COUNT=3;UNTIL=20270101", "FREQ=WEEKLY;UNTIL=20200101", "FREQ=WEEKLY;BYDAY=FR",
])
def test_unsafe_or_broken_rules_are_refused(ctx: Flask, rule: str) -> None:
    with pytest.raises(EventError) as caught:
        add_event("Série", starts=datetime(2026, 1, 6, 18, 30), rrule=rule)
    assert caught.value.field == "rrule"
    assert str(caught.value)


@pytest.mark.parametrize("changes, field", [
    ({"title": "  "}, "title"),
    ({"title": "x" * 161}, "title"),
    ({"capacity": -1}, "capacity"),
    ({"venue_id": 9999}, "venue_id"),
    ({"visibility": "private"}, "visibility"),
])
def test_invalid_events_are_refused_and_nothing_is_written(ctx: Flask, changes: dict[str, object],
                                                           field: str) -> None:
    start = datetime(2026, 5, 5, 18, 30)
    values: dict[str, object] = {"title": "Rencontre", "starts_local": start,
                                 "ends_local": datetime(2026, 5, 5, 20, 30)}
    values.update(changes)
    with pytest.raises(EventError) as caught:
        events.create_event(EventInput(**values))  # type: ignore[arg-type]
    assert caught.value.field == field
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Event.id))) == 0


def test_end_must_follow_start(ctx: Flask) -> None:
    with pytest.raises(EventError, match="après le début"):
        add_event("À l'envers", starts=datetime(2026, 5, 5, 18, 30), hours=-1)


def test_venue_and_unlimited_capacity_are_accepted(ctx: Flask) -> None:
    venue = add_venue()
    event = add_event("Avec lieu", venue_id=venue.id, capacity=None)
    assert event.venue is venue and event.capacity is None


def test_french_date_line(app_ctx: Flask) -> None:
    with app_ctx.test_request_context():
        text = calendar.describe_when(datetime(2025, 12, 2, 17, 30, tzinfo=UTC),
                                      datetime(2025, 12, 2, 19, 30, tzinfo=UTC))
    assert text == "mardi 2 décembre 2025, 18 h 30 – 20 h 30"


def test_first_of_the_month_reads_1er_in_french(app_ctx: Flask) -> None:
    with app_ctx.test_request_context():
        text = calendar.describe_when(datetime(2026, 6, 1, 7, 0, tzinfo=UTC),
                                      datetime(2026, 6, 2, 8, 0, tzinfo=UTC))
    assert text == "lundi 1er juin 2026, 9 h 00 – mardi 2 juin 2026, 10 h 00"


def test_series_must_start_on_one_of_its_dates(ctx: Flask) -> None:
    with pytest.raises(EventError, match="date de la série") as caught:
        add_event("Décalée", starts=datetime(2026, 1, 7, 18, 30),  # a Wednesday
                  rrule="FREQ=MONTHLY;BYDAY=1TU")
    assert caught.value.field == "rrule"
