"""The decision pages as a member uses them: plain HTML forms, no JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import Decision, DecisionOption, utcnow
from node.services import calendar
from tests.conftest import AuthActions


def _closes() -> dict[str, str]:
    later = calendar.to_local(utcnow() + timedelta(days=5))
    return {"closes_date": later.date().isoformat(), "closes_time": "20:00"}


def _open(client: FlaskClient, kind: str, **fields: str) -> str:
    data = {"title": f"Essai {kind}", "audience": "community", "results_shown": "during",
            **_closes(), **fields}
    response = client.post(f"/decisions/nouvelle/{kind}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response.headers["Location"]


def _option_ids(app: Flask, url: str) -> list[int]:
    uuid = url.rsplit("/", 1)[1]
    with app.app_context():
        decision = db.session.scalars(db.select(Decision).where(Decision.uuid == uuid)).one()
        return [o.id for o in decision.current_options]


def test_every_kind_opens_answers_and_shows_results(app: Flask, client: FlaskClient,
                                                    auth: AuthActions) -> None:
    auth.login()
    later = calendar.to_local(utcnow() + timedelta(days=9)).date().isoformat()
    cases = {
        "judgment": ({"options": "Fournil\nJardin\nAtelier vélo"}, "4"),
        "points": ({"options": "Site web\nSalon", "points_budget": "10"}, "5"),
        "question": ({"options": "Un café d'accueil"}, "1"),
        "dates": ({"slot-1-date": later, "slot-1-start": "18:30", "slot-1-end": "20:00",
                   "slot-2-date": later, "slot-2-start": "09:00", "slot-2-end": "11:00"}, "2"),
        "consent": ({"description": "On range le local à chaque fin de rencontre."}, "2"),
    }
    for kind, (fields, value) in cases.items():
        url = _open(client, kind, **fields)
        page = client.get(url)
        assert page.status_code == 200 and "<script" not in page.get_data(as_text=True)
        ids = _option_ids(app, url)
        answer = {f"option-{i}": value for i in ids}
        response = client.post(url + "/reponse", data=answer)
        assert response.status_code == 302, (kind, response.get_data(as_text=True)[:2000])
        shown = client.get(url).get_data(as_text=True)
        assert "Votre réponse (vous pouvez la changer)" in shown, kind
        assert "Résultats provisoires" in shown, kind
        if kind == "judgment":
            assert "<svg" in shown and "Profils de mérite" in shown and "<table" in shown
    listing = client.get("/decisions/").get_data(as_text=True)
    assert listing.count("/decisions/") >= 5


def test_a_refused_answer_is_a_clear_french_error(app: Flask, client: FlaskClient,
                                                  auth: AuthActions) -> None:
    auth.login()
    url = _open(client, "points", options="A\nB", points_budget="3")
    ids = _option_ids(app, url)
    response = client.post(url + "/reponse", data={f"option-{ids[0]}": "3",
                                                   f"option-{ids[1]}": "2"})
    assert response.status_code == 400
    assert "Vous avez réparti 5 points sur 3." in response.get_data(as_text=True)
    garbage = client.post(url + "/reponse", data={f"option-{ids[0]}": "9" * 40})
    assert garbage.status_code == 400
    bad_close = client.post("/decisions/nouvelle/judgment", data={
        "title": "X", "audience": "community", "results_shown": "during",
        "closes_date": "2001-01-01", "closes_time": "10:00", "options": "A\nB"})
    assert bad_close.status_code == 400
    assert "La clôture doit être dans le futur" in bad_close.get_data(as_text=True)


def test_consent_page_shows_objections_and_refuses_adoption(app: Flask, client: FlaskClient,
                                                             auth: AuthActions) -> None:
    auth.login()
    url = _open(client, "consent", description="Une cotisation de 10 euros par an.")
    [version] = _option_ids(app, url)
    client.post(url + "/reponse", data={f"option-{version}": "0",
                                        "reason": "Trop pour les jeunes installés."})
    page = client.get(url).get_data(as_text=True)
    assert "1 objection ouverte" in page and "Trop pour les jeunes installés." in page
    refused = client.post(url + "/adopter")
    assert refused.status_code == 409
    assert "ne peut pas être adoptée" in refused.get_data(as_text=True)
    ref = re.search(r'name="integration-([0-9a-f]{16})"', page)
    assert ref is not None
    amended = client.post(url + "/amender", data={
        "text": "Une cotisation libre, 10 euros conseillés.",
        f"integration-{ref.group(1)}": "Le montant devient libre."})
    assert amended.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Version 2" in page and "Le montant devient libre." in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(DecisionOption)) == 2


def test_pages_need_a_member(client: FlaskClient) -> None:
    for path in ("/decisions/", "/decisions/registre", "/decisions/actions",
                 "/decisions/gouvernance", "/mon-agenda", "/decisions/nouvelle"):
        response = client.get(path)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert client.get("/mon-agenda.ics?jeton=1-abc").status_code == 404
