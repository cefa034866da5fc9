"""The public rencontre pages: who sees what, dates, answers, JSON-LD and calendars."""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any

import icalendar
import pytest
from flask.testing import FlaskClient

from node.extensions import db
from node.models import Event, Rsvp, RsvpStatus, Visibility
from node.services import events
from tests.conftest import MEMBER_EMAIL, build_node, respond_now
from tests.node.events.support import add_event, add_venue, local_in, sign_in
from tests.support.smtp import Mailbox

Ctx = Callable[[], AbstractContextManager[Any]]
INJECTION = "Venez nombreux </script><script>alert('x')</script> & <b>merci</b>"


def _json_ld(page: str) -> dict[str, Any]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    data: dict[str, Any] = json.loads(blocks[0])
    return data


def _stamp(page: str) -> str:
    found = re.search(r'name="occurrence" type="hidden" value="(\w+)"', page)
    assert found is not None
    return found.group(1)


def _rsvps(ctx: Ctx) -> list[tuple[str, str | None]]:
    with ctx():
        return [(r.status, r.guest_token_hash) for r in db.session.scalars(db.select(Rsvp))]


def test_anonymous_sees_only_public_events(ctx: Ctx, client: FlaskClient) -> None:
    with ctx():
        public = add_event("Marché des savoir-faire", visibility=Visibility.PUBLIC).uuid
        private = add_event("Réunion des membres", visibility=Visibility.COMMUNITY).uuid
    for path in ("/", "/rencontres"):
        page = client.get(path).get_data(as_text=True)
        assert "Marché des savoir-faire" in page
        assert "Réunion des membres" not in page
    assert client.get(f"/rencontres/{public}").status_code == 200
    assert client.get(f"/rencontres/{private}").status_code == 404
    assert client.get(f"/rencontres/{private}.ics").status_code == 404
    assert client.get("/rencontres/inconnue").status_code == 404


def test_members_see_community_events(ctx: Ctx, client: FlaskClient) -> None:
    with ctx():
        private = add_event("Réunion des membres", visibility=Visibility.COMMUNITY).uuid
    sign_in(client, MEMBER_EMAIL)
    assert "Réunion des membres" in client.get("/rencontres").get_data(as_text=True)
    assert "Réunion des membres" in client.get("/").get_data(as_text=True)
    assert client.get(f"/rencontres/{private}").status_code == 200
    assert client.get(f"/rencontres/{private}.ics").status_code == 200


def test_past_events_have_their_own_list(ctx: Ctx, client: FlaskClient) -> None:
    with ctx():
        add_event("Hier", starts=local_in(-1), visibility=Visibility.PUBLIC)
        add_event("Demain", starts=local_in(1), visibility=Visibility.PUBLIC)
    upcoming = client.get("/rencontres").get_data(as_text=True)
    assert "Demain" in upcoming and "Hier" not in upcoming and "passees=1" in upcoming
    past = client.get("/rencontres?passees=1").get_data(as_text=True)
    assert "Hier" in past and "Demain" not in past


def test_event_page_shows_french_date_venue_and_places(ctx: Ctx, client: FlaskClient) -> None:
    with ctx():
        venue = add_venue("La Grange", address="3 rue de l'Église", accessibility="Plain-pied",
                          commune_code="67527")
        uuid = add_event("Apéro", starts=datetime(2025, 12, 2, 18, 30), venue_id=venue.id,
                         capacity=12, visibility=Visibility.PUBLIC).uuid
    raw = client.get(f"/rencontres/{uuid}").get_data(as_text=True)
    page = html.unescape(raw)
    assert "mardi 2 décembre 2025, 18 h 30 – 20 h 30" in page
    assert "La Grange" in page and "3 rue de l'Église" in page
    assert "Westhouse-Marmoutier" in page and "Plain-pied" in page
    assert "12 places" in page
    assert "inscriptions sont fermées" in page and 'name="guest_email"' not in page
    assert f'<link rel="alternate" type="text/calendar" href="/rencontres/{uuid}.ics"' in raw
    assert "Ajouter à mon agenda" in page


def test_json_ld_describes_the_event_and_resists_injection(ctx: Ctx,
                                                           client: FlaskClient) -> None:
    with ctx():
        venue = add_venue("La Grange")
        event = add_event("Apéro </script>", starts=datetime(2025, 7, 1, 18, 30),
                          venue_id=venue.id, description=INJECTION,
                          visibility=Visibility.PUBLIC)
        uuid = event.uuid
    page = client.get(f"/rencontres/{uuid}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert page.count("</script>") == 1  # only the JSON-LD block's own end
    assert "\\u003c/script\\u003e\\u003cscript\\u003e" in page
    assert "&lt;/script&gt;&lt;script&gt;alert" in page  # the visible description, escaped
    data = _json_ld(page)
    assert data["@type"] == "Event"
    assert data["name"] == "Apéro </script>"
    assert data["description"] == INJECTION
    assert data["startDate"] == "2025-07-01T18:30:00+02:00"
    assert data["endDate"] == "2025-07-01T20:30:00+02:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["location"]["@type"] == "Place"
    assert data["location"]["address"]["@type"] == "PostalAddress"
    assert data["location"]["address"]["addressLocality"] == "Sparsbach"
    assert data["organizer"] == {"@type": "Organization", "name": "Tiers-lieu de Sparsbach",
                                 "url": "http://node.test"}

    with ctx():
        events.cancel_event(db.session.scalars(db.select(Event)).one())
        db.session.commit()
    cancelled = client.get(f"/rencontres/{uuid}").get_data(as_text=True)
    assert _json_ld(cancelled)["eventStatus"] == "https://schema.org/EventCancelled"
    assert "Cette rencontre est annulée." in cancelled


def test_event_ics_parses_back_with_timezone_rule_and_status(ctx: Ctx,
                                                             client: FlaskClient) -> None:
    with ctx():
        venue = add_venue("La Grange")
        event = add_event("Apéro du mois", starts=datetime(2026, 1, 6, 18, 30),
                          venue_id=venue.id, rrule="FREQ=MONTHLY;BYDAY=1TU",
                          visibility=Visibility.PUBLIC)
        uuid, version = event.uuid, event.version
    response = client.get(f"/rencontres/{uuid}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(response.data)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
    (entry,) = cal.walk("VEVENT")
    assert entry["UID"] == f"{uuid}@node.test"
    assert entry["DTSTART"].params["TZID"] == "Europe/Paris"
    assert entry.decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 1, 6, 18, 30)
    assert entry.decoded("DTEND").replace(tzinfo=None) == datetime(2026, 1, 6, 20, 30)
    assert entry["RRULE"]["FREQ"] == ["MONTHLY"] and entry["RRULE"]["BYDAY"] == ["1TU"]
    assert str(entry["STATUS"]) == "CONFIRMED"
    assert "La Grange" in str(entry["LOCATION"])
    assert str(entry["URL"]) == f"http://node.test/rencontres/{uuid}"
    assert int(entry["SEQUENCE"]) == version

    with ctx():
        events.cancel_event(db.session.scalars(db.select(Event)).one())
        db.session.commit()
    (entry,) = icalendar.Calendar.from_ical(
        client.get(f"/rencontres/{uuid}.ics").data).walk("VEVENT")
    assert str(entry["STATUS"]) == "CANCELLED"
    assert int(entry["SEQUENCE"]) == version + 1


def test_public_feed_lists_public_events_only(ctx: Ctx, client: FlaskClient) -> None:
    with ctx():
        public = add_event("Publique", visibility=Visibility.PUBLIC).uuid
        add_event("Interne", visibility=Visibility.COMMUNITY)
    cal = icalendar.Calendar.from_ical(client.get("/rencontres.ics").data)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Publique"]
    assert str(cal.walk("VEVENT")[0]["UID"]) == f"{public}@node.test"
    listing = client.get("/rencontres").get_data(as_text=True)
    assert '<link rel="alternate" type="text/calendar" href="/rencontres.ics"' in listing


def test_member_answers_through_the_page(ctx: Ctx, client: FlaskClient) -> None:
    with ctx():
        event = add_event("Atelier", capacity=3)
        uuid, starts_at = event.uuid, event.starts_at
    sign_in(client, MEMBER_EMAIL)
    page = client.get(f"/rencontres/{uuid}").get_data(as_text=True)
    assert 'name="guest_email"' not in page
    response = client.post(f"/rencontres/{uuid}/reponse",
                           data={"occurrence": _stamp(page), "status": "going"},
                           follow_redirects=True)
    answered = response.get_data(as_text=True)
    assert "vous venez" in answered and "2 restantes" in answered
    with ctx():
        rsvp = db.session.scalars(db.select(Rsvp)).one()
        assert rsvp.status == RsvpStatus.GOING and rsvp.occurrence_at == starts_at


def test_anonymous_cannot_use_the_member_form(ctx: Ctx, client: FlaskClient) -> None:
    with ctx():
        uuid = add_event("Atelier", visibility=Visibility.PUBLIC).uuid
    page = client.get(f"/rencontres/{uuid}").get_data(as_text=True)
    response = client.post(f"/rencontres/{uuid}/reponse",
                           data={"occurrence": _stamp(page), "status": "going"})
    assert response.status_code in (302, 401)
    assert _rsvps(ctx) == []


def test_guest_flow_with_mailed_cancel_link(ctx: Ctx, client: FlaskClient,
                                            mailbox: Mailbox) -> None:
    with ctx():
        uuid = add_event("Portes ouvertes", visibility=Visibility.PUBLIC, capacity=10).uuid
    page = client.get(f"/rencontres/{uuid}").get_data(as_text=True)
    assert 'name="guest_email"' in page
    response = client.post(f"/rencontres/{uuid}/invite", data={
        "occurrence": _stamp(page), "guest_name": "Jo Passant",
        "guest_email": "jo@example.net", "status": "going"}, follow_redirects=True)
    assert response.status_code == 200
    assert "e-mail de confirmation" in response.get_data(as_text=True)
    (mail,) = mailbox.wait_for(1)
    assert str(mail["To"]) == "jo@example.net" and "Portes ouvertes" in mail["Subject"]
    link = re.search(r"http://node\.test(/rencontres/annulation\?jeton=\S+)", mail.get_content())
    assert link is not None
    token = link.group(1).rsplit("=", 1)[1]
    [(status, token_hash)] = _rsvps(ctx)
    assert status == RsvpStatus.GOING and token_hash and token not in token_hash

    confirm = client.get(link.group(1))
    assert confirm.status_code == 200 and "Jo Passant" in confirm.get_data(as_text=True)
    assert _rsvps(ctx)[0][0] == RsvpStatus.GOING  # opening the link changes nothing
    done = client.post(link.group(1))
    assert "vous ne venez pas" in done.get_data(as_text=True)
    assert _rsvps(ctx)[0][0] == RsvpStatus.NOT_GOING
    assert client.get("/rencontres/annulation?jeton=faux-jeton").status_code == 404


def test_guest_form_errors_are_shown_and_nothing_is_written(ctx: Ctx,
                                                           client: FlaskClient) -> None:
    with ctx():
        uuid = add_event("Portes ouvertes", visibility=Visibility.PUBLIC).uuid
    stamp = _stamp(client.get(f"/rencontres/{uuid}").get_data(as_text=True))
    response = client.post(f"/rencontres/{uuid}/invite", data={
        "occurrence": stamp, "guest_name": "", "guest_email": "pas-une-adresse",
        "status": "going"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Indiquez votre nom." in page and "Adresse e-mail invalide." in page
    bad_date = client.post(f"/rencontres/{uuid}/invite", data={
        "occurrence": "20300101T000000Z", "guest_name": "Jo",
        "guest_email": "jo@example.net", "status": "going"})
    assert bad_date.status_code == 400
    assert _rsvps(ctx) == []


def test_full_event_puts_guest_on_waitlist(ctx: Ctx, client: FlaskClient) -> None:
    with ctx():
        uuid = add_event("Petit comité", visibility=Visibility.PUBLIC, capacity=0).uuid
    form = html.unescape(client.get(f"/rencontres/{uuid}").get_data(as_text=True))
    assert "M'inscrire sur la liste d'attente" in form  # the button says what it does
    stamp = _stamp(form)
    response = client.post(f"/rencontres/{uuid}/invite", data={
        "occurrence": stamp, "guest_name": "Jo", "guest_email": "jo@example.net",
        "status": "going"}, follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    assert "vous êtes n° 1 sur la liste d'attente" in page
    assert "1 en liste d'attente" in page
    assert _rsvps(ctx)[0][0] == RsvpStatus.WAITLISTED


def test_home_lists_communes_venues_and_contact(ctx: Ctx, client: FlaskClient) -> None:
    with ctx():
        add_venue("La Grange", accessibility="Plain-pied")
    page = html.unescape(client.get("/").get_data(as_text=True))
    assert "Sparsbach" in page and "Rencontres d'indépendants" in page
    assert "La Grange" in page and "Plain-pied" in page and "Léa Exemple" in page


def test_guest_form_is_rate_limited(tmp_path: Path) -> None:
    app = build_node(tmp_path, RATELIMIT_ENABLED=True, SIGNUP_RATE_LIMIT="2 per minute")
    with app.test_request_context():
        uuid = add_event("Portes ouvertes", visibility=Visibility.PUBLIC).uuid
    client = app.test_client()
    stamp = _stamp(client.get(f"/rencontres/{uuid}").get_data(as_text=True))
    codes = [client.post(f"/rencontres/{uuid}/invite", data={
        "occurrence": stamp, "guest_name": f"Jo {n}", "guest_email": f"jo{n}@example.net",
        "status": "going"}).status_code for n in range(3)]
    assert codes == [302, 302, 429]


def test_cancel_token_never_reaches_the_log(ctx: Ctx, client: FlaskClient,
                                            caplog: pytest.LogCaptureFixture) -> None:
    with ctx():
        event = add_event("Portes ouvertes", visibility=Visibility.PUBLIC)
        token = respond_now(event, event.starts_at, "going", guest_name="Jo",
                                     guest_email="jo@example.net").cancel_token
    assert token
    with caplog.at_level(logging.DEBUG):
        client.get(f"/rencontres/annulation?jeton={token}")
        client.post(f"/rencontres/annulation?jeton={token}")
    assert "annulation" in caplog.text and token not in caplog.text
    assert _rsvps(ctx)[0][0] == RsvpStatus.NOT_GOING


def test_full_event_tells_a_member_the_waitlist_and_their_position(
        ctx: Ctx, client: FlaskClient) -> None:
    """Issue 15, fix 4: on a full rencontre the answer button says it puts you on the
    waitlist, and once there the page tells your position."""
    from node.services import accounts
    from tests.conftest import PASSWORD

    with ctx():
        event = add_event("Petit comité", capacity=1)
        for name in ("ana", "bea"):
            account = accounts.create_account(f"{name}@example.org", name.title(), PASSWORD,
                                              commune_code="67475")
            db.session.commit()
            respond_now(event, event.starts_at, "going", member=account.member)
        uuid = event.uuid
    sign_in(client, MEMBER_EMAIL)
    page = html.unescape(client.get(f"/rencontres/{uuid}").get_data(as_text=True))
    assert "Enregistrer ma réponse (liste d'attente si je viens)" in page
    assert "vous inscrit sur la liste d'attente, en n° 2" in page
    answered = html.unescape(client.post(
        f"/rencontres/{uuid}/reponse", data={"occurrence": _stamp(page), "status": "going"},
        follow_redirects=True).get_data(as_text=True))
    assert "vous êtes n° 2 sur la liste d'attente" in answered
    assert "Vous êtes n° 2 sur la liste d'attente" in answered
