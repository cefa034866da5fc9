"""Example data: invented, deterministic, varied, valid by the node's own rules."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

import communes
from node import create_app
from node.extensions import db
from node.models import Account, AddressBookEntry, Event, Listing, Member, Rsvp, Venue, Visibility
from node.services.accounts import find_account, password_matches
from node.services.example_data import (
    BUSINESS_PLACES,
    BUSINESS_PREFIXES,
    EMAIL_DOMAIN,
    EXAMPLE_PASSWORD,
    FIRST_NAMES,
    INVENTED_SURNAMES,
    MONTHLY_RULE,
    ExampleDataError,
    load_example_data,
)
from node.services.member_fields import clean_member_fields
from tests.conftest import build_node, node_config

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)
PROFILE_FIELDS = ("display_name", "trade", "business_name", "skills", "bio", "commune_code",
                  "website", "contact_email", "phone", "languages")


def _examples() -> list[Member]:
    return list(db.session.scalars(db.select(Member).join(Account).where(
        Account.email.like(f"%@{EMAIL_DOMAIN}")).order_by(Member.id)))


def _snapshot(app: Flask) -> list[Any]:
    with app.app_context():
        members = [(m.uuid, m.display_name, m.trade, m.business_name, m.commune_code,
                    m.account.email, [li.title for li in m.listings], m.visibility_identity)
                   for m in _examples()]
        events = [(e.uuid, e.title, e.starts_at, e.rrule)
                  for e in db.session.scalars(db.select(Event).order_by(Event.id))]
        rsvps = [(r.event.uuid, r.occurrence_at, r.person_name, r.status, r.attended)
                 for r in db.session.scalars(db.select(Rsvp).order_by(Rsvp.id))]
        book = [(e.owner_id, e.contact.display_name, e.note)
                for e in db.session.scalars(db.select(AddressBookEntry).order_by(
                    AddressBookEntry.id))]
    return [members, events, rsvps, book]


def _load(tmp_path: Path, name: str, members: int = 60, seed: int = 7) -> Flask:
    app = build_node(tmp_path / name)
    with app.app_context():
        load_example_data(members=members, seed=seed, now=NOW)
        db.session.commit()
    return app


def test_same_seed_gives_the_same_node_and_another_seed_another(tmp_path: Path) -> None:
    first = _snapshot(_load(tmp_path, "a"))
    assert first == _snapshot(_load(tmp_path, "b"))
    assert first != _snapshot(_load(tmp_path, "c", seed=8))
    assert len(first[0]) == 60


def test_people_and_businesses_are_invented(app: Flask) -> None:
    with app.app_context():
        load_example_data(members=80, seed=3, now=NOW)
        db.session.commit()
        members = _examples()
        for member in members:
            first, last = member.display_name.split(" ", 1)
            assert first in FIRST_NAMES
            assert last in INVENTED_SURNAMES
            assert member.account.email.endswith("@" + EMAIL_DOMAIN)
            assert member.siret == ""
            assert member.phone.startswith("06 39 98 ")  # ARCEP's range kept for fiction
            assert member.website == "" or member.website.endswith(".example")
        businesses = {m.business_name for m in members if m.business_name}
        assert businesses
        invented = {f"{prefix} {place}" for prefix in BUSINESS_PREFIXES
                    for place in BUSINESS_PLACES}
        assert businesses <= invented
        assert len(businesses) > 5


def test_profiles_pass_the_node_field_rules(app: Flask) -> None:
    with app.app_context(), app.test_request_context():
        load_example_data(members=40, seed=2, now=NOW)
        db.session.commit()
        for member in _examples():
            _, errors = clean_member_fields({f: getattr(member, f) for f in PROFILE_FIELDS})
            assert errors == {}, (member.display_name, errors)


def test_visibilities_are_mixed(app: Flask) -> None:
    with app.app_context():
        load_example_data(members=200, seed=4, now=NOW)
        db.session.commit()
        identity = Counter(m.visibility_identity for m in _examples())
        contact = Counter(m.visibility_contact for m in _examples())
    assert identity[Visibility.COMMUNITY] > identity[Visibility.PUBLIC] > 0
    assert identity[Visibility.NETWORK] > 0
    assert contact[Visibility.PRIVATE] > contact[Visibility.NETWORK] > 0
    assert contact[Visibility.PUBLIC] == 0


def test_members_live_near_the_node_and_have_trades_and_listings(app: Flask) -> None:
    with app.app_context():
        load_example_data(members=50, seed=6, now=NOW)
        db.session.commit()
        members = _examples()
        home = [communes.find(code) for code in ("67475", "67527")]  # the seeded node's
        for member in members:
            commune = communes.find(member.commune_code)
            assert commune is not None
            assert min(communes.distance_km(c, commune) for c in home if c) <= 15
        assert len({m.trade for m in members}) >= 10
        kinds = set(db.session.scalars(db.select(Listing.kind)))
        assert kinds == {"offer", "need"}
        account = find_account(members[0].account.email)
        assert account is not None and password_matches(account, EXAMPLE_PASSWORD)


def test_venues_events_recurring_rule_rsvps_and_attendance(app: Flask) -> None:
    with app.app_context():
        load_example_data(members=30, seed=1, now=NOW)
        db.session.commit()
        venues = db.session.scalars(db.select(Venue)).all()
        events = db.session.scalars(db.select(Event)).all()
        assert {"Salle des fêtes", "Tiers-lieu de la gare"} <= {v.name for v in venues}
        assert any(e.starts_at < NOW for e in events) and any(e.starts_at > NOW for e in events)
        monthly = [e for e in events if e.rrule == MONTHLY_RULE]
        assert len(monthly) == 1
        assert len(monthly[0].cancelled_dates) == 1  # one date of the series cancelled alone
        cancelled = datetime.strptime(monthly[0].cancelled_dates[0], "%Y%m%dT%H%M%SZ")
        assert cancelled.replace(tzinfo=UTC) > NOW
        assert cancelled.replace(tzinfo=UTC) not in {r.occurrence_at for r in monthly[0].rsvps}
        occurrences = {r.occurrence_at for r in monthly[0].rsvps}
        for when in occurrences:
            local = when.astimezone(PARIS)
            assert local.weekday() == 1 and local.day <= 7  # a first Tuesday
        past = [r for r in db.session.scalars(db.select(Rsvp)) if r.occurrence_at < NOW]
        assert any(r.attended is True for r in past) and any(r.attended is False for r in past)
        assert all(r.attended is None for r in db.session.scalars(db.select(Rsvp))
                   if r.occurrence_at > NOW)
        assert any(r.guest_email for r in db.session.scalars(db.select(Rsvp)))
        assert {e.visibility for e in events} >= {"public", "community", "network"}
        book = db.session.scalars(db.select(AddressBookEntry)).all()
        assert book and all(entry.owner_id != entry.contact_id for entry in book)


def test_loading_twice_or_before_init_is_refused(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        load_example_data(members=5, seed=1, now=NOW)
        db.session.commit()
        count = len(_examples())
        with pytest.raises(ExampleDataError, match="déjà chargées"):
            load_example_data(members=5, seed=2, now=NOW)
        assert len(_examples()) == count
    empty = create_app(node_config(tmp_path / "vide"))
    with empty.app_context():
        db.create_all()
        with pytest.raises(ExampleDataError, match="chaleur init"):
            load_example_data(members=5)
        assert db.session.scalars(db.select(Account)).first() is None


def test_cli_loads_a_thousand_members_then_refuses_a_second_load(runner: Any, app: Flask) -> None:
    result = runner.invoke(args=["example-data", "--members", "1000", "--seed", "9"])
    assert result.exit_code == 0, result.output
    assert "1000 membres" in result.output
    with app.app_context():
        assert len(_examples()) == 1000
    again = runner.invoke(args=["example-data"])
    assert again.exit_code == 1
    assert "déjà chargées" in again.output


def test_example_data_never_overbooks(app: Flask) -> None:
    """Issue 15, fix 4: guests included, no occurrence has more people going than places,
    and people wait only where the places are taken."""
    with app.app_context():
        load_example_data(members=60, seed=7, now=NOW)
        db.session.commit()
        going: Counter[tuple[int, datetime]] = Counter()
        waiting: Counter[tuple[int, datetime]] = Counter()
        for rsvp in db.session.scalars(db.select(Rsvp)):
            key = (rsvp.event_id, rsvp.occurrence_at)
            going[key] += rsvp.status == "going"
            waiting[key] += rsvp.status == "waitlisted"
        limited = {e.id: e.capacity for e in db.session.scalars(db.select(Event))
                   if e.capacity is not None}
        assert any(key[0] in limited for key in waiting)  # a full rencontre is shown
        for (event_id, when), count in going.items():
            if event_id in limited:
                assert count <= limited[event_id], when
        for (event_id, _when), count in waiting.items():
            assert count == 0 or going[(event_id, _when)] == limited[event_id]


def test_members_ask_the_network_and_their_neighbours_answer(app: Flask) -> None:
    """A few invented questions au réseau, each answered by other members of the village
    (answers from another village need federation: they come live), shared as records."""
    from node.models import FeedEntry, NodeIdentity, Question
    from node.services.example_questions import ASKED, QUESTIONS

    with app.app_context():
        db.session.add(NodeIdentity(node_id="sparsbach", current_keyid="sparsbach:k1"))
        db.session.commit()
        load_example_data(members=60, seed=7, now=NOW)
        db.session.commit()
        asked = list(db.session.scalars(db.select(Question)))
        assert len(asked) == ASKED and {q.audience for q in asked} == {"network"}
        assert {q.title for q in asked} <= {title for title, _d, _a in QUESTIONS}
        assert {q.state for q in asked} == {"open", "resolved"}
        for question in asked:
            assert question.answers and question.created_at < NOW
            for answer in question.answers:
                assert answer.member is not None and answer.member_id != question.member_id
                assert answer.member.account.email.endswith(f"@{EMAIL_DOMAIN}")
                assert answer.author_village == "sparsbach"
                assert answer.created_at > question.created_at
            assert sum(a.helped for a in question.answers) == 1
        shared = {e.record_uuid: e.envelope for e in db.session.scalars(db.select(FeedEntry).where(
            FeedEntry.record_type == "question"))}
        assert set(shared) == {q.uuid for q in asked}
        assert all(len(e["payload"]["answers"]) >= 2 for e in shared.values())


def test_some_members_worked_together_and_it_shows_in_the_shared_figures(
        tmp_path: Path) -> None:
    """Issue 13: the example data holds answered messages, most of them confirmed by both
    sides, so the funders' figures at the node and the Pays show « mises en relation »."""
    from federation.schemas import first_error
    from node.models import Community
    from node.services import cooperation

    app = _load(tmp_path, "a")
    with app.app_context():
        counts = cooperation.monthly_counts()
        assert counts and all(month <= "2026-05" for month, _ in counts)
        figures = db.session.scalars(db.select(Community)).one().shared_figures
        assert figures is not None and figures["cooperations"] == [
            {"month": month, "count": count} for month, count in counts]
        assert first_error("community", {"name": "x", "communes": [],
                                         "figures": figures}) is None
