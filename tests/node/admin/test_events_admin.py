"""Organisers' pages: the list, the event form, cancelling with notices, attendance."""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing
from datetime import UTC, datetime
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import Event, Rsvp, RsvpStatus
from node.services import accounts, rsvps
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL, PASSWORD, member_by_email, respond_now
from tests.node.events.support import add_event, add_venue, local_in, sign_in
from tests.support.smtp import Mailbox, free_port

Ctx = Callable[[], AbstractContextManager[Any]]


@pytest.fixture
def ctx(app: Flask) -> Ctx:
    return app.test_request_context


@pytest.fixture
def staff(client: FlaskClient) -> Iterator[FlaskClient]:
    sign_in(client, ADMIN_EMAIL)
    yield client


def _form(**changes: str) -> dict[str, str]:
    data = {"title": "Apéro du mois", "description": "On se retrouve.",
            "start_date": "2027-01-05", "start_time": "18:30", "end_date": "",
            "end_time": "20:30", "venue_id": "0", "capacity": "", "recurrence": "none",
            "until": "", "rrule": "", "visibility": "public"}
    data.update(changes)
    return data


def _events(ctx: Ctx) -> list[tuple[str, datetime, str, int | None]]:
    with ctx():
        return [(e.title, e.starts_at, e.rrule, e.capacity)
                for e in db.session.scalars(db.select(Event))]


def test_only_staff_reach_the_pages(ctx: Ctx, client: FlaskClient) -> None:
    assert client.get("/admin/rencontres").status_code == 302
    sign_in(client, MEMBER_EMAIL)
    assert client.get("/admin/rencontres").status_code == 403
    assert client.post("/admin/rencontres/nouvelle", data=_form()).status_code == 403
    assert _events(ctx) == []


def test_create_a_monthly_first_tuesday_series(ctx: Ctx, staff: FlaskClient) -> None:
    with ctx():
        venue_id = add_venue("La Grange").id
    assert "Nouvelle rencontre" in staff.get("/admin/rencontres/nouvelle").get_data(as_text=True)
    response = staff.post("/admin/rencontres/nouvelle", data=_form(
        recurrence="monthly", until="2027-06-30", venue_id=str(venue_id), capacity="15"))
    assert response.status_code == 302
    [(title, starts_at, rule, capacity)] = _events(ctx)
    assert title == "Apéro du mois" and capacity == 15
    assert starts_at == datetime(2027, 1, 5, 17, 30, tzinfo=UTC)
    assert rule == "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20270630T215959Z"
    listing = html.unescape(staff.get("/admin/rencontres").get_data(as_text=True))
    assert "Apéro du mois" in listing and "mardi 5 janvier 2027, 18 h 30 – 20 h 30" in listing


def test_form_errors_are_shown_beside_fields_and_nothing_is_written(
        ctx: Ctx, staff: FlaskClient) -> None:
    backwards = staff.post("/admin/rencontres/nouvelle", data=_form(end_time="17:00"))
    assert backwards.status_code == 400
    assert "La fin doit être après le début." in backwards.get_data(as_text=True)
    daily = staff.post("/admin/rencontres/nouvelle",
                       data=_form(recurrence="custom", rrule="FREQ=DAILY"))
    assert daily.status_code == 400
    assert 'id="rrule-error"' in daily.get_data(as_text=True)
    empty = staff.post("/admin/rencontres/nouvelle", data=_form(title="", start_date=""))
    assert empty.status_code == 400
    assert "Le titre est obligatoire." in empty.get_data(as_text=True)
    assert _events(ctx) == []


def test_edit_form_recognises_the_recurrence_and_growing_capacity_promotes(
        ctx: Ctx, staff: FlaskClient, mailbox: Mailbox) -> None:
    start = local_in(10)
    with ctx():
        event = add_event("Atelier", starts=start, capacity=1, rrule="FREQ=WEEKLY;COUNT=3")
        uuid = event.uuid
        respond_now(event, event.starts_at, "going", member=member_by_email(MEMBER_EMAIL))
        other = accounts.create_account("dom@example.org", "Dom Bois", PASSWORD)
        db.session.commit()
        waiting = respond_now(event, event.starts_at, "going", member=other.member).rsvp.id
    page = staff.get(f"/admin/rencontres/{uuid}/modifier").get_data(as_text=True)
    assert '<option selected value="custom">' in page and "COUNT=3" in page
    assert f'value="{start.date().isoformat()}"' in page and 'value="18:30"' in page
    response = staff.post(f"/admin/rencontres/{uuid}/modifier", data=_form(
        title="Atelier", start_date=start.date().isoformat(), capacity="2",
        recurrence="weekly", visibility="community"))
    assert response.status_code == 302
    with ctx():
        assert db.session.get(Rsvp, waiting).status == RsvpStatus.GOING
    assert any("place" in m["Subject"] for m in mailbox.wait_for(3) if "dom@" in str(m["To"]))
    assert '<option selected value="weekly">' in staff.get(
        f"/admin/rencontres/{uuid}/modifier").get_data(as_text=True)


def test_cancel_mails_everyone_who_planned_to_come(ctx: Ctx, staff: FlaskClient,
                                                   mailbox: Mailbox) -> None:
    with ctx():
        event = add_event("Atelier", capacity=1, visibility="public")
        uuid = event.uuid
        respond_now(event, event.starts_at, "going", member=member_by_email(MEMBER_EMAIL))
        respond_now(event, event.starts_at, "going", guest_name="Jo",
                      guest_email="jo@example.net")  # waitlisted
        respond_now(event, event.starts_at, "going", guest_name="Lu",
                      guest_email="lu@example.net")
        respond_now(event, event.starts_at, "maybe", guest_name="Lu",
                      guest_email="lu@example.net")
    mailbox.wait_for(4)
    before = len(mailbox.messages)
    confirm = staff.get(f"/admin/rencontres/{uuid}/annuler").get_data(as_text=True)
    assert "3 personnes inscrites, intéressées ou en liste" in confirm
    response = staff.post(f"/admin/rencontres/{uuid}/annuler", follow_redirects=True)
    assert "3 personnes prévenues" in response.get_data(as_text=True)
    notices = [m for m in mailbox.wait_for(before + 3)[before:] if "annulée" in m["Subject"]]
    assert sorted(str(m["To"]) for m in notices) == [
        MEMBER_EMAIL, "jo@example.net", "lu@example.net"]
    with ctx():
        assert db.session.scalars(db.select(Event)).one().cancelled


@pytest.mark.parametrize(("changes", "message"), [
    ({"start_date": "2027-02-30"}, "Cette date n&#39;existe pas."),
    ({"start_date": "30/02/2027"}, "Cette date n&#39;existe pas."),
    ({"end_date": "2027-04-31"}, "Cette date n&#39;existe pas."),
    ({"recurrence": "weekly", "until": "2027-13-01"}, "Cette date n&#39;existe pas."),
    ({"start_date": "mardi prochain"}, "Date attendue au format JJ/MM/AAAA"),
    ({"start_date": "  "}, "Date requise."),
    ({"start_time": "25:00"}, "Cette heure n&#39;existe pas."),
    ({"end_time": ""}, "Heure requise."),
])
def test_a_day_that_does_not_exist_is_named_so(ctx: Ctx, staff: FlaskClient,
                                               changes: dict[str, str], message: str) -> None:
    response = staff.post("/admin/rencontres/nouvelle", data=_form(**changes))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    if "existe" in message:
        assert "requise" not in page
    assert _events(ctx) == []


def test_a_date_typed_the_french_way_is_understood(ctx: Ctx, staff: FlaskClient) -> None:
    response = staff.post("/admin/rencontres/nouvelle",
                          data=_form(start_date="05/01/2027", start_time="18h30"))
    assert response.status_code == 302
    [(title, starts_at, _, _)] = _events(ctx)
    assert starts_at.replace(tzinfo=UTC) == datetime(2027, 1, 5, 17, 30, tzinfo=UTC)


def test_cancel_takes_a_message_mailed_after_the_commit(app: Flask, ctx: Ctx,
                                                        staff: FlaskClient) -> None:
    """The organiser's word reaches each person in the mail, and every mail leaves once the
    cancellation is saved: a second connection to the database, opened by the SMTP server as
    each message arrives, already reads the rencontre as cancelled."""
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    seen_cancelled: list[int] = []

    class CheckingMailbox(Mailbox):
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as other:
                seen_cancelled.append(other.execute("SELECT cancelled FROM event").fetchone()[0])
            return await super().handle_DATA(server, session, envelope)

    box = CheckingMailbox()
    controller = Controller(box, hostname="127.0.0.1", port=(port := free_port()))
    controller.start()
    try:
        app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        with ctx():
            event = add_event("Atelier couture", visibility="public")
            uuid = event.uuid
            respond_now(event, event.starts_at, "going", member=member_by_email(MEMBER_EMAIL))
            respond_now(event, event.starts_at, "maybe", guest_name="Jo",
                          guest_email="jo@example.net")
        box.wait_for(2)
        before = len(box.messages)
        page = staff.get(f"/admin/rencontres/{uuid}/annuler").get_data(as_text=True)
        assert "Message aux personnes inscrites" in page and "<textarea" in page
        word = "La salle est inondée : on se retrouve le mois prochain, même heure."
        response = staff.post(f"/admin/rencontres/{uuid}/annuler", data={"message": word})
        assert response.status_code == 302
        notices = box.wait_for(before + 2)[before:]
    finally:
        controller.stop()
    assert len(notices) == 2
    for notice in notices:
        body = notice.get_content().replace("\r\n", "\n")
        assert "Le mot des organisateurs :\n" + word in body, body
        assert f"/rencontres/{uuid}" in body
    assert seen_cancelled[before:] == [1, 1]


def test_cancel_message_is_checked_and_nothing_is_cancelled(ctx: Ctx, staff: FlaskClient,
                                                           mailbox: Mailbox) -> None:
    with ctx():
        uuid = add_event("Atelier", visibility="public").uuid
    for bad in ("x" * 2001, "Désolés \u202e!sruoj sed"):
        response = staff.post(f"/admin/rencontres/{uuid}/annuler", data={"message": bad})
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert "2000 caractères" in page or "caractère invisible interdit" in page
        with ctx():
            assert not db.session.scalars(db.select(Event)).one().cancelled
    assert mailbox.messages == []


def test_attendance_is_marked_with_checkboxes(ctx: Ctx, staff: FlaskClient) -> None:
    with ctx():
        event = add_event("Hier soir", starts=local_in(-1))
        uuid = event.uuid
        came = Rsvp(event=event, occurrence_at=event.starts_at, status=RsvpStatus.GOING,
                    member=member_by_email(MEMBER_EMAIL))
        absent = Rsvp(event=event, occurrence_at=event.starts_at, status=RsvpStatus.GOING,
                      guest_name="Jo Passant", guest_email="jo@example.net")
        db.session.add_all([came, absent])
        db.session.commit()
        came_id, absent_id = came.id, absent.id
    page = staff.get(f"/admin/rencontres/{uuid}/presences").get_data(as_text=True)
    assert "Camille Testeuse" in page and "Jo Passant" in page
    action = re.search(r'<form method="post" action="([^"]+)" id="attendance-form"', page)
    assert action is not None
    staff.post(html.unescape(action.group(1)),
               data={"shown": [str(came_id), str(absent_id)], "attended": [str(came_id)]})
    with ctx():
        assert db.session.get(Rsvp, came_id).attended is True
        assert db.session.get(Rsvp, absent_id).attended is False


def test_attendance_cannot_be_marked_before_the_start(ctx: Ctx, staff: FlaskClient) -> None:
    with ctx():
        event = add_event("Demain")
        uuid = event.uuid
        answer = respond_now(event, event.starts_at, "going",
                               member=member_by_email(MEMBER_EMAIL)).rsvp.id
    page = staff.get(f"/admin/rencontres/{uuid}/presences").get_data(as_text=True)
    assert 'name="attended"' not in page
    action = re.search(r'<form method="post" action="([^"]+)" id="attendance-form"', page)
    assert action is not None
    staff.post(html.unescape(action.group(1)),
               data={"shown": [str(answer)], "attended": [str(answer)]})
    with ctx():
        assert db.session.get(Rsvp, answer).attended is None


def test_one_date_of_a_series_is_cancelled_and_shared_as_an_excluded_date(
        ctx: Ctx, staff: FlaskClient, mailbox: Mailbox) -> None:
    """Issue 15, fix 3: an organiser cancels one date of a monthly series; that date only is
    cancelled (the others stay open), the people expected that day are told, and the
    shared record carries the date in ``exdates``."""
    from node.models import FeedEntry
    from node.services import calendar, events

    with ctx():
        first = local_in(3)
        event = add_event("Rencontre du mois", starts=first, visibility="public",
                          rrule=calendar.nth_weekday_rule(first.date()))
        dates = events.occurrences(event, event.starts_at, event.starts_at + (
            calendar.SERIES_HORIZON))
        second = dates[1]
        respond_now(event, second.starts_at, "going", guest_name="Jo",
                      guest_email="jo@example.net")
        respond_now(event, dates[2].starts_at, "going", guest_name="Lu",
                      guest_email="lu@example.net")
        uuid, stamp = event.uuid, second.stamp
    mailbox.wait_for(2)
    listing = html.unescape(staff.get("/admin/rencontres").get_data(as_text=True))
    assert f"/admin/rencontres/{uuid}/annuler?quand={stamp}" in listing
    page = html.unescape(staff.get(f"/admin/rencontres/{uuid}/annuler?quand={stamp}")
                         .get_data(as_text=True))
    assert "Cette date seulement" in page and "1 personne attendue à cette date" in page
    done = staff.post(f"/admin/rencontres/{uuid}/annuler?quand={stamp}",
                      data={"scope": "date"}, follow_redirects=True)
    assert "1 personne prévenue" in html.unescape(done.get_data(as_text=True))
    told = [m for m in mailbox.wait_for(3)[2:] if "annulée" in m["Subject"]]
    assert [str(m["To"]) for m in told] == ["jo@example.net"]
    with ctx():
        event = db.session.scalars(db.select(Event)).one()
        assert not event.cancelled and event.cancelled_dates == [stamp]
        assert events.occurrence_at(event, second.starts_at).cancelled  # type: ignore[union-attr]
        assert not events.occurrence_at(event, dates[2].starts_at).cancelled  # type: ignore[union-attr]
        with pytest.raises(rsvps.RsvpError):
            respond_now(event, second.starts_at, "going", guest_name="Al",
                          guest_email="al@example.net")
        payload = db.session.scalars(db.select(FeedEntry).where(
            FeedEntry.record_uuid == uuid)).one().envelope["payload"]
        expected = second.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert payload["exdates"] == [expected] and payload["rrule"]
    page = html.unescape(staff.get(f"/rencontres/{uuid}?quand={stamp}").get_data(as_text=True))
    assert "Cette date est annulée ; les autres dates de la série sont maintenues." in page
    assert "Enregistrer ma réponse" not in page  # no answer to a cancelled date
    other = html.unescape(staff.get(f"/rencontres/{uuid}?quand={dates[2].stamp}")
                          .get_data(as_text=True))
    assert "Enregistrer ma réponse" in other and 'class="cancelled"' in other
    ics = icalendar_exdates(staff.get(f"/rencontres/{uuid}.ics").data)
    assert ics == [second.starts_at]


def icalendar_exdates(body: bytes) -> list[datetime]:
    import icalendar

    vevent = next(iter(icalendar.Calendar.from_ical(body).walk("VEVENT")))
    exdate = vevent.get("exdate")
    found = exdate if isinstance(exdate, list) else [exdate]
    return [item.dt.astimezone(UTC) for entry in found for item in entry.dts]
