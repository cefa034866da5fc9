"""The funders' figures count the very dates the rencontre pages show (one expansion of a
series: the calendar service's)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask

from node.extensions import db
from node.services import calendar, events, figures


def test_figures_expand_a_series_as_the_event_pages_do(app: Flask) -> None:
    with app.app_context():
        event = events.create_event(events.EventInput(
            title="Café des indépendants", starts_local=datetime(2026, 3, 3, 18, 0),
            ends_local=datetime(2026, 3, 3, 20, 0), rrule="FREQ=WEEKLY"))
        db.session.commit()
        # Across the change to summer time (29 March 2026) and beyond the two years a series
        # without an end runs: the same dates as the pages, at 18:00 in Paris each time.
        start = datetime(2026, 3, 1, tzinfo=UTC)
        end = start + calendar.SERIES_HORIZON + timedelta(days=60)
        counted = figures.event_occurrences(event, start, end)
        shown = [item.starts_at for item in events.occurrences(event, start, end)]
        assert counted == shown
        assert {calendar.to_local(moment).hour for moment in counted} == {18}
        assert counted[-1] < event.starts_at + calendar.SERIES_HORIZON
        # Half-open [start, end): an occurrence starting at `end` belongs to the next period.
        assert figures.event_occurrences(event, counted[0], counted[1]) == [counted[0]]
