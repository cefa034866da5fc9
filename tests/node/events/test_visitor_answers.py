"""A member of another village answers one of our rencontres (a visitor): capacity,
waitlist, promotion, reminders, moves and cancellations work as for our members, this node
mails them nothing and holds no address, and every change plans one signed ``rsvp_state``
notice to their village (node.sharing.visitor_answers)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from node.extensions import db
from node.models import Member, Rsvp, RsvpStatus, VillageMessage, Visibility, utcnow
from node.services import event_notices, events, rsvps
from node.services.rsvps import RsvpError, Visitor
from tests.conftest import respond_now
from tests.node.events.support import add_event, add_venue, local_in
from tests.support.smtp import Mailbox

SPARS = "sparsbach"
HELENE = Visitor(SPARS, "6f1c2a9e-0000-4000-8000-00000000e1e2", "Hélène P.")
MakeMember = Callable[[str], Member]


def _notices() -> list[dict[str, Any]]:
    db.session.expire_all()
    rows = db.session.scalars(db.select(VillageMessage).order_by(VillageMessage.id)).all()
    assert {(row.node_id, row.kind) for row in rows} <= {(SPARS, "rsvp_state")}
    return [row.body["rsvp_state"] for row in rows]


def _news() -> list[str]:
    return [body["news"] for body in _notices()]


def test_a_visitor_is_waitlisted_then_promoted_and_only_their_village_is_told(
        app_ctx: Flask, new_member: MakeMember, mailbox: Mailbox) -> None:
    event = add_event(capacity=1, visibility=Visibility.NETWORK, venue_id=add_venue().id)
    ana = new_member("Ana Bois")
    respond_now(event, event.starts_at, "going", member=ana)
    answer = respond_now(event, event.starts_at, "going", visitor=HELENE)
    assert answer.rsvp.status == RsvpStatus.WAITLISTED
    assert answer.rsvp.person_name == f"Hélène P. ({SPARS})"
    [waitlisted] = _notices()
    assert waitlisted["news"] == "waitlisted" and waitlisted["position"] == 1
    assert waitlisted["member"] == HELENE.member_uuid
    assert waitlisted["answer"] == str(answer.rsvp.id)
    assert waitlisted["url"].startswith(f"http://node.test/rencontres/{event.uuid}?quand=")
    assert "La Grange" in waitlisted["place"]

    respond_now(event, event.starts_at, "not_going", member=ana)
    first, promoted = _notices()
    assert promoted["news"] == "promoted" and promoted["status"] == "going"
    assert promoted["sequence"] > first["sequence"]
    mailbox.wait_for(2, timeout=1)
    assert {str(m["To"]) for m in mailbox.messages} == {"ana.bois@example.org"}
    stored = db.session.get(Rsvp, answer.rsvp.id)
    assert stored is not None and stored.guest_email is None and stored.member_id is None


def test_answering_again_updates_the_same_answer(app_ctx: Flask) -> None:
    event = add_event(visibility=Visibility.PUBLIC)
    first = respond_now(event, event.starts_at, "maybe", visitor=HELENE).rsvp
    again = respond_now(event, event.starts_at, "not_going", visitor=HELENE).rsvp
    assert again.id == first.id
    assert _news() == ["maybe", "not_going"]


def test_a_community_rencontre_refuses_visitors(app_ctx: Flask) -> None:
    event = add_event(visibility=Visibility.COMMUNITY)
    with pytest.raises(RsvpError):
        rsvps.respond(event, event.starts_at, "going", visitor=HELENE)
    db.session.rollback()
    assert _notices() == []


def test_reminder_move_cancellation_and_removal_reach_the_village(app_ctx: Flask) -> None:
    event = add_event(starts=local_in(1, hour=23), visibility=Visibility.NETWORK)
    rsvp = respond_now(event, event.starts_at, "going", visitor=HELENE).rsvp
    assert rsvps.send_reminders(window=timedelta(days=2)) == 1  # told by their village
    assert rsvps.send_reminders(window=timedelta(days=2)) == 0  # once
    assert _news() == ["going", "reminder"]

    change = events.update_event(event, events.EventInput(
        title=event.title, starts_local=local_in(2, hour=20),
        ends_local=local_in(2, hour=22), visibility=Visibility.NETWORK))
    db.session.commit()
    event_notices.after_update(change)
    assert _news()[-1] == "moved"
    assert _notices()[-1]["starts_at"].startswith(
        (utcnow() + timedelta(days=2)).strftime("%Y-%m-"))

    events.cancel_event(event)
    db.session.commit()
    assert _notices()[-1]["news"] == "cancelled" and _notices()[-1]["status"] == "cancelled"

    other = add_event(title="Atelier compta", visibility=Visibility.PUBLIC)
    removed = respond_now(other, other.starts_at, "going", visitor=HELENE).rsvp
    rsvps.remove_answer(removed)
    db.session.commit()
    assert _news()[-2:] == ["going", "removed"]
    assert rsvp.id != removed.id


def test_attendance_is_told_without_a_mail_word(app_ctx: Flask) -> None:
    event = add_event(visibility=Visibility.NETWORK)
    rsvp = respond_now(event, event.starts_at, "going", visitor=HELENE).rsvp
    rsvp.occurrence_at = utcnow() - timedelta(hours=1)  # as if it had started
    db.session.commit()
    rsvps.mark_attendance(rsvp, True)
    db.session.commit()
    last = _notices()[-1]
    assert last["news"] == "attendance" and last["attended"] is True


def _as_visitor(client: Any, village: str = SPARS) -> None:
    with client.session_transaction() as session:
        session["network_member"] = {"village": village, "village_name": "Tiers-lieu de "
                                     "Sparsbach", "subject": HELENE.member_uuid,
                                     "name": HELENE.name, "signed_at": int(time.time())}


def test_the_rencontre_page_lets_a_visitor_answer(app: Flask) -> None:
    with app.test_request_context():
        event = add_event(capacity=0, visibility=Visibility.NETWORK)
        private = add_event(title="Entre nous", visibility=Visibility.COMMUNITY)
        uuid, private_uuid = event.uuid, private.uuid
        stamp = events.occurrence_at(event, event.starts_at).stamp  # type: ignore[union-attr]
    client = app.test_client()
    anonymous = client.post(f"/rencontres/{uuid}/reponse",
                            data={"occurrence": stamp, "status": "going"})
    assert anonymous.status_code == 302 and "/connexion" in anonymous.headers["Location"]
    assert client.get(f"/rencontres/{uuid}").status_code == 404  # « Réseau » only

    _as_visitor(client)
    page = client.get(f"/rencontres/{uuid}").get_data(as_text=True)
    assert "Vous répondez en tant que Hélène P. — Tiers-lieu de Sparsbach" in page
    assert "Enregistrer ma réponse (liste d" in page
    answered = client.post(f"/rencontres/{uuid}/reponse",
                           data={"occurrence": stamp, "status": "going"})
    assert answered.status_code == 302
    page = client.get(answered.headers["Location"]).get_data(as_text=True)
    assert "Vous êtes n° 1 sur la liste d" in page
    assert client.get(f"/rencontres/{private_uuid}").status_code == 404
    assert client.post(f"/rencontres/{private_uuid}/reponse",
                       data={"occurrence": stamp, "status": "going"}).status_code == 404
    with app.app_context():
        [rsvp] = db.session.scalars(db.select(Rsvp)).all()
        assert (rsvp.home_village, rsvp.home_member, rsvp.visitor_name, rsvp.status) == (
            SPARS, HELENE.member_uuid, "Hélène P.", RsvpStatus.WAITLISTED)
        assert _news() == ["waitlisted"]


def test_one_cancelled_date_of_a_series_is_told_for_that_date_only(app_ctx: Flask) -> None:
    event = add_event(rrule="FREQ=WEEKLY;COUNT=3", visibility=Visibility.NETWORK)
    first, second = events.occurrences(event, utcnow(), utcnow() + timedelta(days=30))[:2]
    respond_now(event, first.starts_at, "going", visitor=HELENE)
    respond_now(event, second.starts_at, "maybe", visitor=HELENE)
    events.cancel_occurrence(event, second.starts_at)
    db.session.commit()
    *_, last = _notices()
    assert _news() == ["going", "maybe", "cancelled"]
    assert last["starts_at"] == second.starts_at.isoformat().replace("+00:00", "Z")


def test_two_visitors_count_as_two_people_in_the_shared_figures(app_ctx: Flask) -> None:
    from node.models import Community
    from node.services import shared_figures

    event = add_event(visibility=Visibility.NETWORK)
    other = Visitor(SPARS, "6f1c2a9e-0000-4000-8000-00000000e1e3", "Paul R.")
    for who in (HELENE, other):
        rsvp = respond_now(event, event.starts_at, "going", visitor=who).rsvp
        rsvp.occurrence_at = rsvp.occurrence_at - timedelta(days=5)  # as if it were held
        rsvp.attended = True
    event.starts_at -= timedelta(days=5)
    event.ends_at -= timedelta(days=5)
    db.session.commit()
    community = db.session.scalars(db.select(Community)).one()
    [held] = shared_figures.compute(community)["occurrences"]
    assert (held["participants"], held["first_time"], held["from_elsewhere"]) == (2, 2, 2)


def test_a_visitor_who_left_their_village_is_forgotten_and_their_place_given(
        app_ctx: Flask, new_member: MakeMember) -> None:
    from federation.errors import FederationRefusal
    from federation.keys import KeyStatus
    from federation.verification import VerifiedPeer
    from node.peering.notices import handle_notice

    event = add_event(capacity=1, visibility=Visibility.NETWORK)
    held = respond_now(event, event.starts_at, "going", visitor=HELENE).rsvp
    waiting = respond_now(event, event.starts_at, "going", member=new_member("Ana Bois")).rsvp
    body = {"answer": str(held.id), "member": HELENE.member_uuid}

    def peer(node_id: str) -> VerifiedPeer:
        return VerifiedPeer(node_id, f"{node_id}:k1", KeyStatus.ACTIVE, 0, None, "n" * 22)
    for node_id, bad in (("dettwiller", body), (SPARS, {**body, "member": "x"}),
                         (SPARS, {**body, "answer": "999"})):
        with pytest.raises(FederationRefusal) as refused:
            handle_notice(peer(node_id), {"rsvp_withdrawn": bad})
        assert (refused.value.code, refused.value.status) == ("answer_unknown", 404)
    before = len(_notices())
    assert handle_notice(peer(SPARS), {"rsvp_withdrawn": body}) == {
        "applied": "rsvp_withdrawn", "answer": str(held.id)}
    assert db.session.get(Rsvp, held.id) is None
    assert db.session.get(Rsvp, waiting.id).status == RsvpStatus.GOING  # type: ignore[union-attr]
    assert len(_notices()) == before  # nothing told back about a forgotten answer


def _known_village() -> None:
    from node.models import NetworkCopy

    db.session.add(NetworkCopy(id=1, last_error="", data={"generated": "x", "nodes": [
        {"node_id": SPARS, "name": "Tiers-lieu de Sparsbach",
         "base_url": "https://sparsbach.example", "keys": []}]}))
    db.session.commit()


def test_a_visitor_whose_sign_in_lapsed_is_sent_through_their_village_not_to_our_login(
        app: Flask) -> None:
    """The page was shown while signed in; « Je viens » is sent five minutes later: the
    answer is not saved (a POST is never replayed after a detour), the member goes through
    their village without a screen and comes back to the same date of the rencontre, told
    to send it again; never to this node's own login, where they have no account."""
    from urllib.parse import parse_qs, urlsplit

    with app.test_request_context():
        _known_village()
        event = add_event(visibility=Visibility.NETWORK)
        uuid = event.uuid
        stamp = events.occurrence_at(event, event.starts_at).stamp  # type: ignore[union-attr]
    client = app.test_client()
    _as_visitor(client)
    shown = client.get(f"/rencontres/{uuid}")
    # Its form may end at her village (CSP form-action also governs the redirects).
    assert "form-action 'self' https://sparsbach.example;" in \
        shown.headers["Content-Security-Policy"]
    with client.session_transaction() as session:
        session["network_member"] = {**session["network_member"],
                                     "signed_at": int(time.time()) - 301}
    sent = client.post(f"/rencontres/{uuid}/reponse",
                       data={"occurrence": stamp, "status": "going"})
    assert sent.status_code == 302
    assert urlsplit(sent.headers["Location"]).path == f"/connexion/village/{SPARS}"
    asked = client.get(sent.headers["Location"])
    authorize = urlsplit(asked.headers["Location"])
    assert authorize.netloc == "sparsbach.example"
    query = parse_qs(authorize.query)
    assert query["prompt"] == ["none"]
    with app.app_context():
        assert db.session.scalars(db.select(Rsvp)).all() == []
    # The village no longer knows them (signed out at home): back to the page, told why.
    back = client.get("/connexion/village/retour", query_string={
        "state": query["state"][0], "iss": "https://sparsbach.example",
        "error": "login_required"})
    assert back.headers["Location"] == f"/rencontres/{uuid}?quand={stamp}"
    page = client.get(back.headers["Location"]).get_data(as_text=True)
    assert "reconnectez-vous, puis envoyez à nouveau votre réponse" in page


def test_a_form_sent_without_any_sign_in_still_goes_to_our_login(app: Flask) -> None:
    with app.test_request_context():
        _known_village()
        event = add_event(visibility=Visibility.PUBLIC)
        uuid = event.uuid
    sent = app.test_client().post(f"/rencontres/{uuid}/reponse",
                                  data={"occurrence": "x", "status": "going"})
    assert sent.status_code == 302 and "/connexion?" in sent.headers["Location"]
