"""Rencontres that lead somewhere: agenda, « Clore la rencontre », actions; and the register,
roles and charter pages, the personal calendar feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import Action, Decision, Event, MeetingRecord, Rsvp, utcnow
from node.services import calendar, decision_answers, meetings
from node.services.decision_closing import close
from tests.conftest import MEMBER_EMAIL, AuthActions, member_by_email
from tests.node.decisions.conftest import opened


def _event(app: Flask, starts: datetime) -> tuple[str, str]:
    with app.app_context():
        event = Event(title="Café des indépendants", starts_at=starts,
                      ends_at=starts + timedelta(hours=2), visibility="community")
        db.session.add(event)
        db.session.commit()
        return event.uuid, calendar.as_utc_stamp(starts)


def test_agenda_is_added_to_and_prioritised(app: Flask, client: FlaskClient,
                                           auth: AuthActions) -> None:
    starts = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=6)
    event_uuid, stamp = _event(app, starts)
    auth.login()
    page = client.get(f"/rencontres/{event_uuid}/ordre-du-jour?quand={stamp}")
    assert page.status_code == 200 and "Ouvrir l'ordre du jour" in page.get_data(as_text=True)
    opened_agenda = client.post(f"/rencontres/{event_uuid}/ordre-du-jour?quand={stamp}")
    url = opened_agenda.headers["Location"]
    for topic in ("Le site web commun", "Les tarifs de la salle"):
        assert client.post(url + "/idee", data={"idea": topic}).status_code == 302
    with app.app_context():
        agenda = db.session.scalars(db.select(Decision)).one()
        assert agenda.subject == "agenda" and agenda.closes_at == starts
        ids = [o.id for o in agenda.options]
    client.post(url + "/reponse", data={f"option-{ids[0]}": "3", f"option-{ids[1]}": "7"})
    shown = client.get(url).get_data(as_text=True)
    assert shown.index("Les tarifs de la salle") < shown.rindex("Le site web commun")
    # the agenda is not a decision of the community page
    assert "Ordre du jour" not in client.get("/decisions/").get_data(as_text=True)


def test_closing_a_rencontre_keeps_minutes_decisions_and_actions(
        app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    starts = datetime.now(UTC).replace(microsecond=0, second=0) - timedelta(hours=3)
    event_uuid, stamp = _event(app, starts)
    with app.test_request_context():
        event = db.session.scalars(db.select(Event)).one()
        camille = member_by_email(MEMBER_EMAIL)
        db.session.add(Rsvp(event=event, occurrence_at=starts, member=camille, status="going",
                            attended=True))
        linked = opened("question", options=["Oui"], event=event, occurrence_at=starts)
        linked_uuid = linked.uuid
        db.session.commit()
        camille_uuid = camille.uuid
    auth.login()  # a member may not close it
    assert client.get(f"/rencontres/{event_uuid}/clore?quand={stamp}").status_code == 403
    auth.logout()
    auth.login_admin()
    form = client.get(f"/rencontres/{event_uuid}/clore?quand={stamp}").get_data(as_text=True)
    assert "Camille Testeuse" in form and linked_uuid in form
    due = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    done = client.post(f"/rencontres/{event_uuid}/clore?quand={stamp}", data={
        "minutes": "Nous avons parlé du site commun.",
        "action-1-title": "Demander un devis", "action-1-owner": camille_uuid,
        "action-1-due": due, "action-2-title": ""})
    assert done.status_code == 302
    minutes = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Nous avons parlé du site commun." in minutes and "Demander un devis" in minutes
    assert "Camille Testeuse" in minutes and linked_uuid in minutes
    board = client.get("/decisions/actions").get_data(as_text=True)
    assert "Demander un devis" in board
    with app.app_context():
        action = db.session.scalars(db.select(Action)).one()
        assert action.owner.uuid == camille_uuid and action.meeting_id is not None
        assert db.session.scalars(db.select(MeetingRecord)).one().minutes
        action_id = action.id
    client.post(f"/decisions/actions/{action_id}/faite")
    client.get("/decisions/actions")  # the flash message names it once
    assert "Demander un devis" not in client.get("/decisions/actions").get_data(as_text=True)
    # the decision left open is still open to the absent
    with app.test_request_context():
        decision = db.session.scalars(db.select(Decision).where(
            Decision.uuid == linked_uuid)).one()
        assert decision.state == "open"


def test_register_governance_and_calendar(app: Flask, client: FlaskClient,
                                          auth: AuthActions) -> None:
    with app.test_request_context():
        done = opened("question", options=["Un café d'accueil"], title="Accueillir")
        camille = member_by_email(MEMBER_EMAIL)
        decision_answers.answer(done, camille, {done.options[0].id: "1"})
        close(done)
        opened("judgment", options=["A", "B"], title="Encore ouverte")
        meetings.add_action(meetings.ActionInput("Réserver la salle", camille,
                                                 (utcnow() + timedelta(days=3)).date()))
        db.session.commit()
    auth.login()
    register = client.get("/decisions/registre").get_data(as_text=True)
    assert "Accueillir" in register and "Encore ouverte" not in register
    csv_body = client.get("/decisions/registre.csv").get_data(as_text=True)
    assert "Accueillir" in csv_body and "Un café d'accueil" in csv_body
    assert "Aucun mandat en cours." in client.get("/decisions/gouvernance").get_data(
        as_text=True)
    page = client.get("/mon-agenda").get_data(as_text=True)
    feed = page.split('id="feed" type="text" readonly value="', 1)[1].split('"', 1)[0]
    path = feed.removeprefix(app.config["PUBLIC_URL"]).replace("&amp;", "&")
    anonymous = app.test_client()
    ics = anonymous.get(path)
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    body = ics.get_data(as_text=True)
    assert "Clôture : Encore ouverte" in body and "Échéance : Réserver la salle" in body
    client.post("/mon-agenda/nouvelle-adresse")
    assert anonymous.get(path).status_code == 404


def test_example_data_holds_a_decision_of_each_kind(app: Flask) -> None:
    from node.models import CharterVersion, Mandate
    from node.services.example_data import load_example_data

    with app.test_request_context():
        load_example_data(members=12, seed=1)
        db.session.commit()
        rows = db.session.scalars(db.select(Decision)).all()
        assert {d.kind for d in rows} == {"dates", "consent", "judgment", "points",
                                          "question"}
        assert {d.state for d in rows} == {"open", "closed"}
        assert any(d.subject == "agenda" for d in rows)
        assert any(len(d.options) == 2 and d.kind == "consent" for d in rows)  # amended
        assert db.session.scalars(db.select(Mandate)).all()
        assert not db.session.scalars(db.select(CharterVersion)).all()  # still under consent
        assert len(db.session.scalars(db.select(Action)).all()) == 2
