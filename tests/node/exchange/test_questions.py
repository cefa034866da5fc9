"""Questions au réseau in the village: a member asks, peers answer, the asker marks what
helped (nobody else may), a report reaches the staff by mail (real SMTP), the staff hide an
answer members then no longer see, and the weekly round-up offers the question to those
whose trade answers it."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask

from node import due_work
from node.extensions import db
from node.models import Answer, Question, utcnow
from node.services import alerts
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL, member_by_email
from tests.node.members.people import create_person, sign_in
from tests.support.smtp import Mailbox


def test_ask_answer_helped_report_hide(app: Flask, mailbox: Mailbox) -> None:
    with app.app_context():
        create_person("jo@example.org", "Jo Comptable", trade="Comptable")
    asker, peer, admin = (sign_in(app, MEMBER_EMAIL), sign_in(app, "jo@example.org"),
                          sign_in(app, ADMIN_EMAIL))
    refused = asker.post("/questions", data={"title": " ", "audience": "community"})
    assert refused.status_code == 422 and "Posez votre question" in refused.text
    asked = asker.post("/questions", data={
        "title": "Quelqu'un a déjà eu un client qui ne paie pas ?", "audience": "network",
        "details": "Facture de 800 € en retard de trois mois."})
    assert asked.status_code == 302
    uuid = asked.headers["Location"].rsplit("/", 1)[1]
    assert peer.post(f"/questions/{uuid}", data={
        "body": "Une mise en demeure par lettre recommandée, puis l'injonction de payer."
    }).status_code == 302
    with app.app_context():
        answer_id = db.session.scalars(db.select(Answer.id)).one()
    url = f"/questions/{uuid}/reponses/{answer_id}"
    assert peer.post(f"{url}/utile").status_code == 403  # only the asker says what helped
    assert asker.post(f"{url}/utile").status_code == 302
    page = asker.get(f"/questions/{uuid}").text
    assert "injonction de payer" in page and "Cette réponse a aidé" in page
    assert "au réseau du Pays" in page
    assert asker.post(f"{url}/signaler").status_code == 302
    with app.app_context():
        assert due_work.run_due_work().sent == 2
    mails = {mail["Subject"]: mail for mail in mailbox.wait_for(2)}
    told = mails["Nouvelle réponse à votre question « Quelqu'un a déjà eu un client qui ne "
                 "paie pas ? »"]
    assert told["To"] == MEMBER_EMAIL and "injonction de payer" in told.get_content()
    report = next(mail for subject, mail in mails.items() if "Réponse signalée" in subject)
    assert report["To"] == ADMIN_EMAIL
    assert peer.get("/questions/signalements").status_code == 403
    listed = admin.get("/questions/signalements")
    assert listed.status_code == 200 and "injonction de payer" in listed.text
    assert "1 signalement" in listed.text
    assert peer.post(f"{url}/masquer").status_code == 403
    assert admin.post(f"{url}/masquer").status_code == 302
    assert "masquée" in admin.get("/questions/signalements").text
    assert "injonction de payer" not in asker.get(f"/questions/{uuid}").text
    assert "injonction de payer" in admin.get(f"/questions/{uuid}").text  # staff still see


def test_only_the_asker_says_the_question_is_resolved(app: Flask) -> None:
    asker, peer = sign_in(app, MEMBER_EMAIL), sign_in(app, ADMIN_EMAIL)
    asked = asker.post("/questions", data={"title": "Un bon expert-comptable ?",
                                           "audience": "network"})
    uuid = asked.headers["Location"].rsplit("/", 1)[1]
    assert peer.post(f"/questions/{uuid}/resolue").status_code == 403
    assert asker.post(f"/questions/{uuid}/resolue").status_code == 302
    assert "Résolue" in peer.get(f"/questions/{uuid}").text
    with app.app_context():
        assert db.session.scalars(db.select(Question.state)).one() == "resolved"
    assert asker.post(f"/questions/{uuid}/resolue").status_code == 302  # open again
    with app.app_context():
        assert db.session.scalars(db.select(Question.state)).one() == "open"


def test_the_round_up_offers_questions_my_trade_answers(app: Flask, mailbox: Mailbox) -> None:
    start = utcnow()
    with app.test_request_context():
        me = member_by_email(MEMBER_EMAIL)
        me.trade = "Expert-comptable"
        alerts.choose(me.account, match_alerts=False, weekly=True)
        other = create_person("paul@example.org", "Paul Patron")
        db.session.add(Question(member=other, title="Quel logiciel de comptabilité choisir ?",
                                created_at=start + timedelta(hours=1)))
        db.session.add(Question(member=other, title="Où acheter du bois sec ?",
                                created_at=start + timedelta(hours=1)))
        db.session.commit()
        assert due_work.run_due_work(start + timedelta(days=1)).weekly == 1
    [mail] = mailbox.wait_for(1)
    text = mail.get_body(("plain",)).get_content()
    assert "Quel logiciel de comptabilité choisir ?" in text and "bois sec" not in text
    assert re.search(r"/questions/[0-9a-f-]{36}", text)


def test_the_link_from_the_pays_chooses_the_network(app: Flask) -> None:
    """« Poser une question au réseau » on the Pays site leads here with ?audience=network."""
    asker = sign_in(app, MEMBER_EMAIL)
    chosen = asker.get("/questions?audience=network").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="network"|<input[^>]*value="network"'
                     r'[^>]*checked', chosen)
    plain = asker.get("/questions").get_data(as_text=True)
    assert re.search(r'<input[^>]*value="community"[^>]*checked|<input[^>]*checked[^>]*'
                     r'value="community"', plain)
    assert 'id="poser"' in plain
