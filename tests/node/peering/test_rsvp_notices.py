"""The home village's side of answering elsewhere: ``rsvp_state`` notices from a host village
are checked, kept (newest only), mailed to the member in French, and shown in « Mes
rencontres » and the personal calendar feed; the refusals are the protocol's JSON errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import icalendar
import pytest
from flask import Flask

from federation.errors import FederationRefusal
from federation.keys import KeyStatus
from federation.verification import VerifiedPeer
from node.extensions import db
from node.models import AnswerElsewhere, NetworkCopy, utcnow
from node.peering.notices import handle_notice
from node.peering.rsvp_notices import receive_rsvp_state
from node.services import personal_calendar
from node.services.personal_data import export_member_data
from tests.conftest import MEMBER_EMAIL, member_by_email, respond_now
from tests.node.events.support import add_event, local_in
from tests.support.smtp import Mailbox

WEST = "westhouse-marmoutier"
WEST_URL = "http://west.test"


def _peer(node_id: str = WEST) -> VerifiedPeer:
    return VerifiedPeer(node_id, f"{node_id}:k1", KeyStatus.ACTIVE, 0, None, "n" * 22)


def _stamp(days: float) -> str:
    return (utcnow() + timedelta(days=days)).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")


@pytest.fixture
def home(app: Flask) -> Iterator[Flask]:
    with app.test_request_context():
        db.session.add(NetworkCopy(id=1, last_error="", data={"generated": "x", "nodes": [
            {"node_id": WEST, "name": "Tiers-lieu de Westhouse-Marmoutier",
             "base_url": WEST_URL, "inbox": "/federation/inbox", "keys": []}]}))
        db.session.commit()
        yield app


def state(**changes: Any) -> dict[str, Any]:
    body = {"answer": "42", "member": member_by_email(MEMBER_EMAIL).uuid, "sequence": 10,
            "news": "waitlisted", "status": "waitlisted", "position": 2, "attended": None,
            "event": "0b7e1d1c-0000-4000-8000-0000000000aa", "title": "Atelier vannerie",
            "starts_at": _stamp(3), "ends_at": _stamp(3.1),
            "place": "La Grange, 3 rue de l'Église, Westhouse",
            "url": f"{WEST_URL}/rencontres/0b7e1d1c-0000-4000-8000-0000000000aa"}
    body.update(changes)
    return body


def _refused(body: Any, node_id: str = WEST) -> FederationRefusal:
    with pytest.raises(FederationRefusal) as refused:
        receive_rsvp_state(_peer(node_id), body)
    db.session.rollback()
    return refused.value


def test_a_waitlist_then_a_promotion_are_kept_and_mailed(home: Flask, mailbox: Mailbox
                                                          ) -> None:
    answer = handle_notice(_peer(), {"rsvp_state": state()})
    assert answer == {"applied": "rsvp_state", "answer": "42", "sequence": 10}
    handle_notice(_peer(), {"rsvp_state": state(sequence=11, news="promoted",
                                                status="going", position=None)})
    [row] = db.session.scalars(db.select(AnswerElsewhere)).all()
    assert (row.village, row.status, row.village_name) == (
        WEST, "going", "Tiers-lieu de Westhouse-Marmoutier")
    messages = mailbox.wait_for(2)
    assert [str(m["To"]) for m in messages] == [MEMBER_EMAIL, MEMBER_EMAIL]
    assert messages[0]["Subject"] == "Votre réponse : Atelier vannerie"
    assert "n° 2 sur la liste d'attente" in messages[0].get_content()
    assert messages[1]["Subject"] == "Une place s'est libérée : Atelier vannerie"
    text = messages[1].get_content()
    assert "Bonjour Camille Testeuse" in text and f"{WEST_URL}/rencontres/" in text
    assert "http://node.test/mes-rencontres" in text


def test_attendance_changes_the_record_without_a_mail(home: Flask, mailbox: Mailbox) -> None:
    receive_rsvp_state(_peer(), state(news="attendance", status="going", attended=True))
    assert db.session.scalars(db.select(AnswerElsewhere)).one().attended is True
    assert mailbox.wait_for(1, timeout=0.5) == []
    [kept] = export_member_data(member_by_email(MEMBER_EMAIL))["rsvps_elsewhere"]
    assert (kept["village"], kept["event_title"], kept["attended"]) == (
        WEST, "Atelier vannerie", True)


def test_refusals(home: Flask) -> None:
    receive_rsvp_state(_peer(), state())
    assert (_refused(state()).code, _refused(state()).status) == ("answer_outdated", 409)
    assert _refused(state(sequence=9)).code == "answer_outdated"
    unknown = _refused(state(member="00000000-0000-4000-8000-000000000000", answer="7"))
    assert (unknown.code, unknown.status) == ("member_unknown", 404)
    elsewhere = _refused(state(url="https://evil.example/phish", answer="8"))
    assert (elsewhere.code, elsewhere.status) == ("origin_mismatch", 403)
    assert _refused(state(url=WEST_URL + ".evil.example/x", answer="8")).code == \
        "origin_mismatch"
    assert _refused(state(), node_id="dettwiller").code == "origin_mismatch"
    for bad in ([], state(news="hacked"), state(sequence="11"), state(sequence=True),
                state(starts_at="demain"), state(ends_at=_stamp(2)), state(title=""),
                state(title="x" * 161), state(attended="oui"), state(position=0)):
        refused = _refused(bad)
        assert (refused.code, refused.status) == ("notice_invalid", 400), bad
    admin_uuid = member_by_email("admin@example.org").uuid
    taken = _refused(state(member=admin_uuid, sequence=50))
    assert taken.code == "origin_mismatch"  # answer 42 is Camille's
    assert db.session.scalars(db.select(AnswerElsewhere)).one().sequence == 10


def test_mes_rencontres_and_the_calendar_feed_show_answers_elsewhere(home: Flask) -> None:
    receive_rsvp_state(_peer(), state())
    here = add_event(title="Café des indépendants", starts=local_in(5))
    respond_now(here, here.starts_at, "going", member=member_by_email(MEMBER_EMAIL))
    client = home.test_client()
    client.post("/connexion", data={"email": MEMBER_EMAIL,
                                    "password": "correct-horse-battery"})
    page = client.get("/mes-rencontres").get_data(as_text=True)
    assert "Atelier vannerie" in page and "Tiers-lieu de Westhouse-Marmoutier" in page
    assert page.index("Atelier vannerie") < page.index("Café des indépendants")
    assert "Dans votre village" in page
    assert "liste d&#39;attente, n° 2" in page or "liste d'attente, n° 2" in page
    assert 'href="/mes-rencontres"' in page  # in the members' menu
    token = personal_calendar.token_for(member_by_email(MEMBER_EMAIL).account)
    db.session.commit()
    feed = client.get(f"/mon-agenda.ics?jeton={token}")
    entry, local = icalendar.Calendar.from_ical(feed.data).walk("VEVENT")
    assert str(local["summary"]) == "Café des indépendants"
    assert str(entry["summary"]).startswith("Atelier vannerie (Tiers-lieu de Westhouse")
    assert str(entry["location"]).startswith("La Grange")
    assert str(entry["url"]).startswith(WEST_URL)
    receive_rsvp_state(_peer(), state(sequence=11, news="cancelled", status="cancelled"))
    feed = client.get(f"/mon-agenda.ics?jeton={token}")
    assert [str(e["summary"]) for e in icalendar.Calendar.from_ical(feed.data).walk(
        "VEVENT")] == ["Café des indépendants"]


def test_a_member_who_leaves_is_withdrawn_from_the_other_villages(home: Flask) -> None:
    from node.models import VillageMessage
    from node.services.members import delete_member

    receive_rsvp_state(_peer(), state(news="going", status="going", position=None))
    receive_rsvp_state(_peer(), state(answer="43", news="not_going", status="not_going",
                                      position=None))
    member = member_by_email(MEMBER_EMAIL)
    member_uuid = member.uuid
    after = delete_member(member)
    db.session.commit()
    after()
    [message] = db.session.scalars(db.select(VillageMessage)).all()
    assert (message.node_id, message.kind) == (WEST, "rsvp_withdrawn")
    assert message.body == {"rsvp_withdrawn": {"answer": "42", "member": member_uuid}}
    assert db.session.scalars(db.select(AnswerElsewhere)).all() == []


def test_a_member_deactivated_here_gives_up_their_places_elsewhere(home: Flask) -> None:
    """Deactivated (not deleted): they can no longer sign in with their village to come or
    to change their answer, so the hosts are asked to give their coming places away."""
    from node.models import AccountStatus, VillageMessage
    from node.services import accounts

    receive_rsvp_state(_peer(), state(news="going", status="going", position=None))
    receive_rsvp_state(_peer(), state(answer="43", news="not_going", status="not_going",
                                      position=None))
    receive_rsvp_state(_peer(), state(answer="44", news="going", status="going",
                                      position=None, starts_at=_stamp(-2),
                                      ends_at=_stamp(-1.9)))
    member = member_by_email(MEMBER_EMAIL)
    accounts.set_status(member.account, AccountStatus.DISABLED)
    db.session.commit()
    [message] = db.session.scalars(db.select(VillageMessage)).all()
    assert (message.node_id, message.kind) == (WEST, "rsvp_withdrawn")
    assert message.body == {"rsvp_withdrawn": {"answer": "42", "member": member.uuid}}
    assert sorted(r.answer for r in db.session.scalars(db.select(AnswerElsewhere))) == [
        "43", "44"]
    accounts.set_status(member.account, AccountStatus.ACTIVE)
    accounts.set_status(member.account, AccountStatus.ACTIVE)
    db.session.commit()
    assert len(db.session.scalars(db.select(VillageMessage)).all()) == 1
