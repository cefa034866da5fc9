"""Listings people can use: five kinds, skills read from the vocabulary, a commune and a
radius, 60 days of life, a reminder mail (real SMTP) whose one click renews, a state, and an
audience that never goes wider than the member's skills."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask

from node import due_work
from node.extensions import db
from node.models import FieldGroup, Listing, ListingKind, ListingState, Visibility, utcnow
from node.services.listings import ListingInput, clean_listing, post_listing, renew_token
from node.services.visibility import Viewer, can_see_listing, visible_profile
from node.sharing.payloads import shared_payload
from tests.conftest import MEMBER_EMAIL, member_by_email
from tests.node.members.people import create_person, sign_in
from tests.support.smtp import Mailbox


def test_clean_listing_reads_skills_from_the_text_and_refuses_bad_values(app: Flask) -> None:
    with app.test_request_context():
        data, errors = clean_listing({"kind": "tender", "title": "Cherche un Schreiner",
                                      "details": "et un expert-comptable", "skills": ["velo"],
                                      "commune_code": "67475", "radius_km": "30"})
        assert errors == {} and data is not None
        assert data.kind == ListingKind.TENDER and data.kind.side == "need"
        assert data.skills == ["velo", "menuiserie", "comptabilite"]
        assert (data.commune_code, data.radius_km) == ("67475", 30)
        _, errors = clean_listing({"kind": "troc", "title": " ", "skills": ["jonglage"],
                                   "commune_code": "99999", "radius_km": "7",
                                   "visibility": "everyone"})
        assert set(errors) == {"kind", "title", "skills", "commune_code", "radius_km",
                               "visibility"}


def test_the_form_posts_each_kind_with_its_skills(app: Flask) -> None:
    client = sign_in(app, MEMBER_EMAIL)
    for kind in ListingKind:
        answer = client.post("/mon-profil/offres", data={
            "kind": kind.value, "title": f"Annonce {kind.value}", "skills": ["couture"],
            "commune_code": "Sparsbach", "radius_km": "10", "visibility": ""})
        assert answer.status_code == 302
    refused = client.post("/mon-profil/offres", data={"kind": "offer", "title": "Vélo",
                                                        "radius_km": "1000"})
    assert refused.status_code == 422 and "Choisissez une distance" in refused.text
    with app.app_context():
        listings = member_by_email(MEMBER_EMAIL).listings
        assert sorted(item.kind for item in listings) == sorted(k.value for k in ListingKind)
        assert all(item.skills == ["couture"] and item.commune_code == "67475"
                   and item.radius_km == 10 for item in listings)
        days = (listings[0].expires_at - listings[0].created_at).days
        assert days in (59, 60)
    page = client.get("/mon-profil/offres")
    assert "Couture, retouches" in page.text and "Sparsbach" in page.text


def test_reminder_mail_then_one_click_renews_then_expiry(app: Flask, mailbox: Mailbox) -> None:
    with app.test_request_context():
        member = member_by_email(MEMBER_EMAIL)
        posted = utcnow() - timedelta(days=54)
        listing = post_listing(member, ListingInput(ListingKind.LOAN, "Prête une bétonnière"),
                               now=posted)
        db.session.commit()
        listing_id, first_expiry = listing.id, listing.expires_at
        assert due_work.run_due_work(posted).listing_reminders == 0  # 60 days: nothing yet
        assert due_work.run_due_work().listing_reminders == 1  # a week before: remind
        assert due_work.run_due_work().sent == 0  # planned once, sent once
    [mail] = mailbox.wait_for(1)
    assert mail["To"] == MEMBER_EMAIL and "Prête une bétonnière" in mail["Subject"]
    link = re.search(r"https?://\S+/annonces/prolonger/\S+", mail.get_content())
    assert link is not None
    client = app.test_client()  # not signed in: the link is the proof
    answer = client.get("/annonces/prolonger/" + link.group().rsplit("/", 1)[1])
    assert answer.status_code == 200 and "Annonce prolongée" in answer.text
    with app.test_request_context():
        listing = db.session.get(Listing, listing_id)
        assert listing is not None and listing.expires_at > first_expiry + timedelta(days=5)
        assert client.get("/annonces/prolonger/faux-jeton").status_code == 404
        later = listing.expires_at + timedelta(minutes=1)
        assert due_work.run_due_work(later).listings_expired == 1
        db.session.refresh(listing)
        assert listing.state == ListingState.EXPIRED
        assert shared_payload(listing) is None  # an expired listing leaves the network


def test_a_listing_never_shows_wider_than_its_member_allows(app: Flask) -> None:
    with app.test_request_context():
        author = create_person("jo@example.org", "Jo Partage", level=Visibility.NETWORK,
                               commune_code="67475")
        reader = member_by_email(MEMBER_EMAIL)
        wide = post_listing(author, ListingInput(ListingKind.OFFER, "Cours d'alsacien"))
        narrow = post_listing(author, ListingInput(ListingKind.NEED, "Un local",
                                                   visibility=Visibility.COMMUNITY.value))
        db.session.commit()
        payload = shared_payload(wide)
        assert payload is not None and payload["skills"] == ["alsacien"]
        assert payload["commune_code"] == "67475" and payload["kind"] == "offer"
        assert shared_payload(narrow) is None
        village = Viewer(Visibility.COMMUNITY, reader.id)
        assert can_see_listing(village, narrow)
        author.set_visibility(FieldGroup.SKILLS, Visibility.COMMUNITY)
        db.session.flush()
        assert shared_payload(wide) is None  # the skills group caps the listing
        wide.state = ListingState.FULFILLED.value
        profile = visible_profile(village, author)
        assert profile is not None
        assert [item["title"] for item in profile["listings"]] == ["Un local"]
        assert can_see_listing(Viewer(Visibility.COMMUNITY, author.id), wide)  # mine: yes


def test_fulfilled_then_back_online_renews(app: Flask) -> None:
    client = sign_in(app, MEMBER_EMAIL)
    with app.app_context():
        member = member_by_email(MEMBER_EMAIL)
        listing = post_listing(member, ListingInput(ListingKind.HELP, "Un coup de main"),
                               now=utcnow() - timedelta(days=59))
        db.session.commit()
        uuid, old = listing.uuid, listing.expires_at
    assert client.post(f"/mon-profil/offres/{uuid}/etat/fulfilled").status_code == 302
    assert client.post(f"/mon-profil/offres/{uuid}/etat/supprime").status_code == 404
    with app.app_context():
        assert db.session.scalars(db.select(Listing.state).where(
            Listing.uuid == uuid)).one() == ListingState.FULFILLED
    assert client.post(f"/mon-profil/offres/{uuid}/etat/active").status_code == 302
    with app.app_context():
        listing = db.session.scalars(db.select(Listing).where(Listing.uuid == uuid)).one()
        assert listing.state == ListingState.ACTIVE and listing.expires_at > old
        assert renew_token(listing)
