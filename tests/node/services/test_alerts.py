"""Being told without being flooded (real SMTP, frozen clock): a match on my need is mailed
once, only to those who asked; the weekly round-up leaves only when there is something new,
at most once a week, plain text and HTML, and its one-click unsubscribe works."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from node import due_work
from node.extensions import db
from node.models import ListingKind, Visibility, utcnow
from node.services import alerts
from node.services.listings import ListingInput, post_listing
from tests.conftest import MEMBER_EMAIL, member_by_email
from tests.node.members.people import create_person
from tests.support.smtp import Mailbox


def test_a_match_on_my_need_is_mailed_once_to_those_who_asked(app: Flask,
                                                              mailbox: Mailbox) -> None:
    with app.test_request_context():
        me = member_by_email(MEMBER_EMAIL)
        alerts.choose(me.account, match_alerts=True, weekly=False)
        post_listing(me, ListingInput(ListingKind.NEED, "Je cherche un menusier"))
        quiet = create_person("calme@example.org", "Cal Calme", level=Visibility.COMMUNITY)
        post_listing(quiet, ListingInput(ListingKind.NEED, "Cherche un ébéniste aussi"))
        joiner = create_person("eric@example.org", "Éric Bois", level=Visibility.COMMUNITY,
                               commune_code="67475")
        post_listing(joiner, ListingInput(ListingKind.OFFER, "Ébéniste, meubles sur mesure"))
        db.session.commit()
        assert due_work.run_due_work().match_alerts == 1
        [mail] = mailbox.wait_for(1)
        assert mail["To"] == MEMBER_EMAIL and "Je cherche un menusier" in mail["Subject"]
        body = mail.get_content()
        assert "Ébéniste, meubles sur mesure (ce village)" in body
        assert "compétence : Menuiserie, ébénisterie, agencement" in body
        assert mail["List-Unsubscribe"].startswith("<http")
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert due_work.run_due_work().match_alerts == 0  # nothing changed
        post_listing(joiner, ListingInput(ListingKind.LOAN, "Je prête un établi de menuisier"))
        db.session.commit()
        assert due_work.run_due_work().match_alerts == 1
        second = mailbox.wait_for(2)[1].get_content()
        assert "établi" in second and "meubles sur mesure" not in second  # only what is new
        assert len(mailbox.messages) == 2  # the member who did not ask got nothing


def test_weekly_roundup_only_when_new_at_most_weekly_then_unsubscribed(
        app: Flask, mailbox: Mailbox) -> None:
    start = utcnow()
    with app.test_request_context():
        me = member_by_email(MEMBER_EMAIL)
        me.trade, me.commune_code = "Comptable", "67475"
        alerts.choose(me.account, match_alerts=False, weekly=True)
        db.session.commit()
        assert due_work.run_due_work(start).weekly == 0  # nothing new: no mail
        other = create_person("paul@example.org", "Paul Patron", level=Visibility.COMMUNITY)

        def post(title: str, days: float) -> None:
            listing = post_listing(other, ListingInput(ListingKind.NEED, title))
            listing.created_at = start + timedelta(days=days)
            db.session.commit()

        post("Cherche un expert-comptable pour mon bilan", 1)
        assert due_work.run_due_work(start + timedelta(days=1)).weekly == 1
        [mail] = mailbox.wait_for(1)
        assert mail["Subject"] == "Cette semaine dans le réseau"
        assert mail.get_content_type() == "multipart/alternative"
        text = mail.get_body(("plain",)).get_content()
        html = mail.get_body(("html",)).get_content()
        assert "expert-comptable pour mon bilan" in text and "expert-comptable" in html
        post("Tenue de comptabilité pour une association", 2)
        assert due_work.run_due_work(start + timedelta(days=3)).weekly == 0  # one a week
        assert due_work.run_due_work(start + timedelta(days=8)).weekly == 1
        assert len(mailbox.wait_for(2)) == 2
        link = mail["List-Unsubscribe"].strip("<>")
    client = app.test_client()
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert "Me désabonner" in client.get(path).text  # GET only asks
    with app.test_request_context():
        assert alerts.settings_for(member_by_email(MEMBER_EMAIL).account).weekly is True
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert client.post("/alertes/desabonnement/faux").status_code == 404
    with app.test_request_context():
        late = post_listing(member_by_email("paul@example.org"),
                            ListingInput(ListingKind.NEED, "Cherche un Buchhalter"))
        late.created_at = start + timedelta(days=15)
        db.session.commit()
        assert due_work.run_due_work(start + timedelta(days=16)).weekly == 0
    assert len(mailbox.messages) == 2
