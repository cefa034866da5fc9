"""Telling people who planned to come that a rencontre moved (real SMTP on loopback)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import Event, Member, Rsvp, utcnow
from node.services import event_notices, events
from tests.conftest import ADMIN_EMAIL, respond_now
from tests.node.events.support import add_event, add_venue, local_in, sign_in
from tests.support.smtp import Mailbox

MakeMember = Callable[[str], Member]


def _change(event: Event, starts: datetime, **fields: Any) -> int:
    data = {"title": event.title, "starts_local": starts,
            "ends_local": starts + timedelta(hours=2), "description": event.description,
            "venue_id": event.venue_id, "capacity": event.capacity, "rrule": event.rrule or "",
            "visibility": event.visibility}
    data.update(fields)
    change = events.update_event(event, events.EventInput(**data))
    db.session.commit()  # the caller commits, then mails (as the views do)
    return event_notices.after_update(change)


def _moved(messages: list[EmailMessage], before: int) -> list[EmailMessage]:
    return [m for m in messages[before:] if "Rencontre modifiée" in m["Subject"]]


def test_new_time_is_mailed_to_everyone_expected(app_ctx: Flask, mailbox: Mailbox,
                                                 new_member: MakeMember) -> None:
    start = local_in(6)
    event = add_event("Atelier compta", starts=start, capacity=2, visibility="public")
    ana, bea, cyr, dan = (new_member(n) for n in ("Ana Bois", "Béa Fer", "Cyr Lin", "Dan Roc"))
    respond_now(event, event.starts_at, "going", member=ana)
    respond_now(event, event.starts_at, "maybe", member=bea)
    respond_now(event, event.starts_at, "going", member=cyr)  # waitlisted: the place is full
    respond_now(event, event.starts_at, "not_going", member=dan)
    respond_now(event, event.starts_at, "going", guest_name="Jo", guest_email="jo@example.net")
    before = len(mailbox.wait_for(5))
    later = start + timedelta(hours=2)

    assert _change(event, later) == 4
    moved = _moved(mailbox.wait_for(before + 4), before)
    assert sorted(str(m["To"]) for m in moved) == [
        "ana.bois@example.org", "béa.fer@example.org", "cyr.lin@example.org", "jo@example.net"]
    body = next(m for m in moved if "ana.bois" in str(m["To"])).get_content()
    assert f"{later.hour} h {later.minute:02d}" in body and "Atelier compta" in body
    guest = next(m for m in moved if "jo@" in str(m["To"])).get_content()
    assert "/rencontres/annulation?jeton=" in guest


def test_rewording_tells_nobody_but_a_new_venue_does(app_ctx: Flask, mailbox: Mailbox,
                                                     new_member: MakeMember) -> None:
    start = local_in(4)
    event = add_event("Café", starts=start)
    respond_now(event, event.starts_at, "going", member=new_member("Ana Bois"))
    before = len(mailbox.wait_for(1))
    assert _change(event, start, description="Avec des croissants.") == 0
    grange = add_venue("La Grange du Moulin", address="5 rue du Moulin")
    assert _change(event, start, venue_id=grange.id) == 1
    moved = _moved(mailbox.wait_for(before + 1), before)
    assert len(moved) == 1 and "La Grange du Moulin, 5 rue du Moulin" in moved[0].get_content()


def test_a_date_dropped_from_the_series_is_announced_as_such(
        app_ctx: Flask, mailbox: Mailbox, new_member: MakeMember) -> None:
    start = local_in(3)
    event = add_event("Atelier", starts=start, rrule="FREQ=WEEKLY;COUNT=3")
    ana = new_member("Ana Bois")
    respond_now(event, event.starts_at + timedelta(weeks=2), "going", member=ana)
    before = len(mailbox.wait_for(1))
    assert _change(event, start, rrule="FREQ=WEEKLY;COUNT=2") == 1
    body = _moved(mailbox.wait_for(before + 1), before)[0].get_content()
    assert "n'a plus lieu" in body


def test_a_moved_answer_gets_a_reminder_for_its_new_time(app_ctx: Flask,
                                                         new_member: MakeMember) -> None:
    start = local_in(1, hour=23, minute=0)
    event = add_event("Demain", starts=start)
    answer = respond_now(event, event.starts_at, "going", member=new_member("Ana Bois")).rsvp
    answer.reminded_at = utcnow()
    db.session.commit()
    _change(event, start + timedelta(hours=-1))
    assert db.session.get(Rsvp, answer.id).reminded_at is None


def test_the_organiser_is_told_how_many_were_told(app: Flask, client: FlaskClient,
                                                  mailbox: Mailbox) -> None:
    start = local_in(8)
    with app.test_request_context():
        event = add_event("Apéro", starts=start, visibility="public")
        respond_now(event, event.starts_at, "going", guest_name="Jo",
                      guest_email="jo@example.net")
        uuid = event.uuid
    sign_in(client, ADMIN_EMAIL)
    page = client.post(f"/admin/rencontres/{uuid}/modifier", data={
        "title": "Apéro", "description": "", "start_date": start.date().isoformat(),
        "start_time": "20:00", "end_date": "", "end_time": "22:00", "venue_id": "0",
        "capacity": "", "recurrence": "none", "until": "", "rrule": "",
        "visibility": "public"}, follow_redirects=True).get_data(as_text=True)
    assert "1 personne inscrite a été prévenue du changement" in page
    assert [str(m["To"]) for m in _moved(mailbox.wait_for(2), 0)] == ["jo@example.net"]
