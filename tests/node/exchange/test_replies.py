"""Answering a listing through the site (real SMTP): the author is mailed the message without
the sender's address; the sender never sees the author's; once the author answers, each
learns the other's address. Nobody else opens the message; nobody answers their own."""

from __future__ import annotations

import re

from flask import Flask

from node import due_work
from node.extensions import db
from node.models import ListingKind, Visibility
from node.services.listings import ListingInput, post_listing
from tests.conftest import MEMBER_EMAIL, member_by_email
from tests.node.members.people import create_person, sign_in
from tests.support.smtp import Mailbox

SENDER = "jo@example.org"


def test_addresses_stay_hidden_until_the_author_answers(app: Flask, mailbox: Mailbox) -> None:
    with app.test_request_context():
        need = post_listing(member_by_email(MEMBER_EMAIL),
                            ListingInput(ListingKind.NEED, "Cherche un menuisier"))
        create_person(SENDER, "Jo Menuisier", level=Visibility.COMMUNITY)
        create_person("autre@example.org", "Autre Membre", level=Visibility.COMMUNITY)
        db.session.commit()
        need_uuid = need.uuid
    author, sender = sign_in(app, MEMBER_EMAIL), sign_in(app, SENDER)
    assert author.get(f"/annonces/{need_uuid}/repondre").status_code == 404  # my own
    form = sender.get(f"/annonces/{need_uuid}/repondre")
    assert form.status_code == 200 and MEMBER_EMAIL not in form.text
    assert sender.post(f"/annonces/{need_uuid}/repondre", data={
        "body": "Je peux passer jeudi voir le chantier."}).status_code == 302
    with app.app_context():
        assert due_work.run_due_work().sent == 1
    [told] = mailbox.wait_for(1)
    text = told.get_content()
    assert told["To"] == MEMBER_EMAIL and "Jo Menuisier" in told["Subject"]
    assert "jeudi voir le chantier" in text and SENDER not in text
    path = re.search(r"/messages/[0-9a-f-]{36}", text)
    assert path is not None
    assert sign_in(app, "autre@example.org").get(path.group()).status_code == 404
    assert SENDER not in author.get(path.group()).text
    assert author.post(path.group(), data={"body": "Avec plaisir, à jeudi."}).status_code == 302
    with app.app_context():
        assert due_work.run_due_work().sent == 1
    answer = mailbox.wait_for(2)[1]
    assert answer["To"] == SENDER and answer["Reply-To"] == MEMBER_EMAIL
    assert "à jeudi" in answer.get_content() and MEMBER_EMAIL in answer.get_content()
    assert SENDER in author.get(path.group()).text  # both addresses known now
