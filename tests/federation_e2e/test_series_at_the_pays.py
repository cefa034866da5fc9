"""A recurring rencontre between a real village node and the real Pays directory.

Issue 15, fixes 3 and 5: the series created with a venue reaches the Pays at the first push
with its place and commune; the Pays shows its next dates (agenda and calendar feed); a date
cancelled at the node disappears from the Pays within the push interval. Fix 10: the
attendance marked at the node reaches the Pays's funders' figures as counts, never names.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import partial

import pytest
import requests
from icalendar import Calendar

from node.extensions import db
from node.models import Admission, Event, Peer, Rsvp, RsvpStatus, Venue, Visibility
from node.services import accounts, calendar, events
from tests.federation_e2e.conftest import PASSWORD, NodeProcess, wait_for
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
    node = NodeProcess(root, "sparsbach", SCHEDULE_INTERVAL=1)
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


def test_attendance_reaches_the_funders_figures_as_counts_never_names(
        pair: tuple[DirectoryProcess, NodeProcess]) -> None:
    pays, node = pair
    held = datetime.now(calendar.PARIS).replace(day=1, hour=10, minute=0, second=0,
                                                microsecond=0) + timedelta(hours=1)
    held = min(held, datetime.now(calendar.PARIS) - timedelta(hours=1))
    with node.app().app_context():
        event = Event(title="Atelier privé des Zébulons", starts_at=held,
                      ends_at=held + timedelta(hours=1), visibility="community")
        db.session.add(event)
        for name, commune in (("Zélie Quenouille", "67475"), ("Yvon Quenouille", "67437")):
            account = accounts.create_account(f"{name.split()[0].lower()}@example.org", name,
                                              PASSWORD, commune_code=commune)
            db.session.add(Rsvp(event=event, occurrence_at=held, member=account.member,
                                status=RsvpStatus.GOING.value, attended=True))
        db.session.commit()
        db.session.remove()

    def village_line() -> list[str]:
        page = requests.get(pays.url + "/statistiques", timeout=10).text
        row = page.split('<th scope="row">Tiers-lieu de Sparsbach</th>')
        return row[1].split("</tr>")[0].replace("<td>", "").split("</td>")[:6] \
            if len(row) > 1 else []

    # The scheduled round (1 s here) shares the counts, the push brings them to the Pays.
    line = wait_for(lambda: (found := village_line()) and found[3] == "2" and found, timeout=20)
    assert line[2] == "1"  # one rencontre held, community-only, its title never shared
    assert line[4] == "2" and line[5] == "1"  # two distinct people, one from Saverne
    record = stored_records(pays, "sparsbach")
    text = str(record)
    assert "Quenouille" not in text and "Zébulons" not in text and "zelie" not in text
