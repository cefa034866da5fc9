"""« Nous avons travaillé ensemble » on the pages (issue 13): a button for each of the two
sides once the author answered (POST, no script), nothing for anyone else; the count shows
on the admins' figures page and in the monthly CSV."""

from __future__ import annotations

import html

from flask import Flask

from node.extensions import db
from node.models import ListingKind
from node.services import cooperation, questions, replies
from node.services.listings import ListingInput, post_listing
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL, member_by_email
from tests.node.members.people import create_person, sign_in

BUTTON = "Nous avons travaillé ensemble"


def _thread(app: Flask, answered: bool = True) -> str:
    with app.test_request_context():
        need = post_listing(member_by_email(MEMBER_EMAIL),
                            ListingInput(ListingKind.NEED, "Cherche un menuisier"))
        reply = replies.send(need, create_person("jo@example.org", "Jo Menuisier"),
                             "Je peux passer jeudi.")
        create_person("autre@example.org", "Autre Membre")
        assert reply is not None
        if answered:
            replies.answer(reply, "Avec plaisir.")
        db.session.commit()
        return reply.uuid


def test_each_side_says_it_once_and_the_month_counts_one(app: Flask) -> None:
    uuid = _thread(app)
    author, sender = sign_in(app, MEMBER_EMAIL), sign_in(app, "jo@example.org")
    page = sender.get(f"/messages/{uuid}")
    assert page.status_code == 200 and BUTTON in page.text
    assert MEMBER_EMAIL in page.text  # answered: the sender sees the author's address
    assert sender.post(f"/messages/{uuid}", data={"body": "x"}).status_code == 403
    key = f"reply:{uuid}"
    assert sign_in(app, "autre@example.org").post(
        "/mises-en-relation", data={"conversation": key}).status_code == 404
    done = sender.post("/mises-en-relation", data={"conversation": key}, follow_redirects=True)
    assert "quand l'autre personne le dira aussi" in html.unescape(done.text)
    assert BUTTON not in done.text
    with app.app_context():
        assert cooperation.monthly_counts() == []
    listed = author.get("/mises-en-relation")
    assert "Jo Menuisier" in listed.text and BUTTON in listed.text
    done = author.post("/mises-en-relation", data={"conversation": key, "back": "list"},
                       follow_redirects=True)
    assert "vous l'avez dit tous les deux" in html.unescape(done.text)
    sender.post("/mises-en-relation", data={"conversation": key})
    with app.app_context():
        [(month, count)] = cooperation.monthly_counts()
        assert count == 1
    admin = sign_in(app, ADMIN_EMAIL)
    figures = html.unescape(admin.get("/admin/exports").text)
    assert "Mises en relation réussies" in figures and f"<td>{month}</td><td>1</td>" in figures
    year = month[:4]
    sheet = admin.get(f"/admin/export/presences-par-mois.csv?start={year}-01-01"
                      f"&end={year}-12-31")
    assert sheet.status_code == 200
    body = sheet.data.decode("utf-8-sig")
    assert "Mises en relation réussies" in body and f"{month};0;0;0;0;1" in body


def test_no_button_before_the_author_answers(app: Flask) -> None:
    uuid = _thread(app, answered=False)
    sender = sign_in(app, "jo@example.org")
    page = sender.get(f"/messages/{uuid}")
    assert page.status_code == 200 and BUTTON not in page.text
    assert MEMBER_EMAIL not in page.text  # the author's address stays hidden
    assert sender.post("/mises-en-relation",
                       data={"conversation": f"reply:{uuid}"}).status_code == 404


def test_question_page_offers_the_button_to_the_asker_and_the_answerer_only(
        app: Flask) -> None:
    with app.test_request_context():
        asked = questions.ask(member_by_email(MEMBER_EMAIL), "Un client ne paie pas ?", "",
                              "community")
        found = questions.answer(asked, create_person("lea@example.org", "Léa Comptable"),
                                 "Une mise en demeure d'abord.")
        create_person("autre@example.org", "Autre Membre")
        assert found is not None
        db.session.commit()
        path, key = f"/questions/{asked.uuid}", f"answer:{found.uuid}"
    assert BUTTON in sign_in(app, MEMBER_EMAIL).get(path).text
    peer = sign_in(app, "lea@example.org")
    assert BUTTON in peer.get(path).text
    assert BUTTON not in sign_in(app, "autre@example.org").get(path).text
    answer = peer.post("/mises-en-relation", data={"conversation": key})
    assert answer.status_code == 302 and answer.location.endswith(path)
