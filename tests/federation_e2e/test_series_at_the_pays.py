"""A recurring rencontre between a real village node and the real Pays directory.

Issue 15, fixes 3 and 5: the series created with a venue reaches the Pays at the first push
with its place and commune; the Pays shows its next dates (agenda and calendar feed); a date
cancelled at the node disappears from the Pays within the push interval.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import partial

import pytest
import requests
from icalendar import Calendar

from node.extensions import db
from node.models import Admission, Event, Peer, Venue, Visibility
from node.services import calendar, events
from tests.federation_e2e.conftest import NodeProcess, wait_for
from tests.federation_e2e.pays import DirectoryProcess
from tests.federation_e2e.test_pays_network import admission_is, stored_records

pytestmark = pytest.mark.slow
TITLE = "Rencontre du premier mardi"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DirectoryProcess,
                                                                    NodeProcess]]:
    root = tmp_path_factory.mktemp("series")
    pays = DirectoryProcess(root)
    pays.init()
    pays.start()
    node = NodeProcess(root, "sparsbach")
    node.init("Tiers-lieu de Sparsbach", "67475")
    node.cli("federation", "join", "--directory", pays.url, "--fingerprint", pays.fingerprint)
    node.start()
    pays.cli("nodes", "admit", "sparsbach", "--by", "Léa")
    wait_for(partial(admission_is, node, Admission.ADMITTED), timeout=20)
    yield pays, node
    node.close()
    pays.close()


def feed_dates(pays: DirectoryProcess) -> list[datetime]:
    body = requests.get(pays.url + "/agenda.ics", timeout=10).content
    return sorted(e.decoded("dtstart") for e in Calendar.from_ical(body).walk("VEVENT")
                  if str(e["SUMMARY"]) == TITLE)


def test_a_series_with_a_venue_reaches_the_pays_and_a_cancelled_date_leaves_it(
        pair: tuple[DirectoryProcess, NodeProcess]) -> None:
    pays, node = pair
    first = datetime.combine(datetime.now(calendar.PARIS).date() + timedelta(days=2),
                             datetime.min.time()).replace(hour=18, minute=30)
    with node.app().app_context():
        venue = Venue(name="Salle des fêtes", commune_code="67475")
        db.session.add(venue)
        db.session.commit()
        event = events.create_event(events.EventInput(
            title=TITLE, starts_local=first, ends_local=first + timedelta(hours=2),
            venue_id=venue.id, rrule=calendar.nth_weekday_rule(first.date()),
            visibility=Visibility.PUBLIC))
        db.session.commit()
        uuid = event.uuid
        dates = [o.starts_at for o in events.occurrences(
            event, event.starts_at, event.starts_at + timedelta(days=200))]
        assert db.session.scalars(db.select(Peer)).one().admission == Admission.ADMITTED
        db.session.remove()

    record = wait_for(lambda: stored_records(pays, "sparsbach").get(uuid))
    assert record["version"] == 1  # the first push, not a later edit
    assert record["payload"]["venue_name"] == "Salle des fêtes"
    assert record["payload"]["commune_code"] == "67475"
    assert wait_for(lambda: feed_dates(pays))[:4] == dates[:4]  # its next dates
    home = requests.get(pays.url + "/", timeout=10).text
    assert home.count(TITLE) >= 3  # the home page's next rencontres: this series' dates
    api = requests.get(pays.url + "/api/v1/events", timeout=10).json()
    assert [item["title"] for item in api["items"]][:4] == [TITLE] * 4

    with node.app().app_context():
        event = db.session.scalars(db.select(Event).where(Event.uuid == uuid)).one()
        events.cancel_occurrence(event, dates[1])
        db.session.commit()
        db.session.remove()
    wait_for(lambda: dates[1] not in feed_dates(pays), timeout=5)  # push interval: 0.3 s
    remaining = feed_dates(pays)
    assert dates[0] in remaining and dates[2] in remaining
