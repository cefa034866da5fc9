"""``?quand=``: one picker for the public page, the attendance sheet and the meeting pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from node.extensions import db
from node.models import utcnow
from node.services import calendar, events


def test_named_default_and_unknown_dates(app: Flask) -> None:
    with app.app_context():
        start = calendar.to_local(utcnow() - timedelta(days=8)).replace(
            tzinfo=None, hour=18, minute=0, second=0, microsecond=0)
        event = events.create_event(events.EventInput(
            title="Atelier", starts_local=start, ends_local=start + timedelta(hours=2),
            rrule="FREQ=WEEKLY"))
        db.session.commit()
        now = utcnow()
        started = [o for o in events.occurrences(event, event.starts_at, now) if o.started]
        upcoming = events.occurrences(event, now, now + timedelta(days=15))
        assert events.chosen_occurrence(event, "") == upcoming[0]
        assert events.chosen_occurrence(event, "", prefer_started=True) == started[-1]
        named = calendar.as_utc_stamp(started[0].starts_at)
        assert events.chosen_occurrence(event, named) == started[0]
        for wrong in ("20260101T000000Z", "demain", calendar.as_utc_stamp(
                started[0].starts_at + timedelta(hours=1))):
            with pytest.raises(events.OccurrenceUnknown):
                events.chosen_occurrence(event, wrong)
