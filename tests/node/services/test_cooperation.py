"""« Mise en relation réussie » (issue 13): both sides must say it; it counts once, in the
month of the second word, for the village's funders; one side alone counts nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from node.extensions import db
from node.models import Cooperation, ListingKind, ListingReply
from node.services import cooperation, questions, replies
from node.services.cooperation import Said
from node.services.listings import ListingInput, post_listing
from tests.conftest import MEMBER_EMAIL, member_by_email
from tests.node.members.people import create_person

MARCH = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # already 1 April in Paris (CEST)
APRIL = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)


def _answered_reply() -> ListingReply:
    need = post_listing(member_by_email(MEMBER_EMAIL),
                        ListingInput(ListingKind.NEED, "Cherche un menuisier"))
    jo = create_person("jo@example.org", "Jo Menuisier")
    reply = replies.send(need, jo, "Je peux passer jeudi.")
    assert reply is not None and replies.answer(reply, "Avec plaisir.")
    return reply


def test_both_must_say_it_and_it_counts_once_in_the_month_of_the_second(app: Flask) -> None:
    with app.test_request_context():
        reply = _answered_reply()
        conversation = cooperation.of_reply(reply)
        assert conversation is not None
        author, sender = conversation.owner, conversation.other
        assert cooperation.confirm(conversation, author, MARCH) is Said.WAITING
        assert cooperation.monthly_counts() == []  # one side alone counts nothing
        assert cooperation.confirm(conversation, author, APRIL) is Said.WAITING  # twice: same
        assert cooperation.monthly_counts() == []
        assert cooperation.state(conversation, author) is Said.WAITING
        assert cooperation.state(conversation, sender) is Said.NOT_YET
        assert cooperation.confirm(conversation, sender, APRIL) is Said.CONFIRMED
        assert cooperation.monthly_counts() == [("2026-04", 1)]
        later = datetime(2026, 5, 2, tzinfo=UTC)
        assert cooperation.confirm(conversation, sender, later) is Said.CONFIRMED
        assert cooperation.confirm(conversation, author, later) is Said.CONFIRMED
        assert cooperation.monthly_counts() == [("2026-04", 1)]  # no double counting
        assert cooperation.state(conversation, author) is Said.CONFIRMED


def test_only_the_two_sides_may_say_it(app: Flask) -> None:
    with app.test_request_context():
        reply = _answered_reply()
        conversation = cooperation.of_reply(reply)
        assert conversation is not None
        stranger = cooperation.party(create_person("x@example.org", "Xavier Autre"))
        assert cooperation.confirm(conversation, stranger, APRIL) is None
        assert cooperation.confirm(conversation, conversation.owner, APRIL) is Said.WAITING
        assert cooperation.confirm(conversation, stranger, APRIL) is None
        assert cooperation.monthly_counts() == []


def test_a_message_not_answered_yet_is_no_mise_en_relation(app: Flask) -> None:
    with app.test_request_context():
        need = post_listing(member_by_email(MEMBER_EMAIL),
                            ListingInput(ListingKind.NEED, "Cherche un menuisier"))
        reply = replies.send(need, create_person("jo@example.org", "Jo Menuisier"), "Bonjour")
        assert reply is not None
        assert cooperation.of_reply(reply) is None
        assert cooperation.find(f"reply:{reply.uuid}") is None
        assert cooperation.find("reply:nothing") is None and cooperation.find("x") is None


def test_an_answer_to_a_question_counts_for_the_asker_and_the_answerer(app: Flask) -> None:
    with app.test_request_context():
        asker = member_by_email(MEMBER_EMAIL)
        peer = create_person("lea@example.org", "Léa Comptable")
        asked = questions.ask(asker, "Un client ne paie pas ?", "", "community")
        found = questions.answer(asked, peer, "Une mise en demeure d'abord.")
        own = questions.answer(asked, asker, "Merci !")
        assert found is not None and own is not None
        assert cooperation.of_answer(own) is None  # nobody works with themselves
        conversation = cooperation.of_answer(found)
        assert conversation is not None
        assert conversation.owner == cooperation.party(asker)
        assert cooperation.find(conversation.key) == (conversation, found)
        cooperation.confirm(conversation, cooperation.party(peer), MARCH)
        cooperation.confirm(conversation, cooperation.party(asker), MARCH)
        assert cooperation.monthly_counts() == [("2026-04", 1)]  # Paris time
        assert [(t.subject, t.with_name, t.said) for t in cooperation.threads_of(peer)] == [
            ("Un client ne paie pas ?", asker.display_name, Said.CONFIRMED)]
        questions.hide(found)
        assert cooperation.of_answer(found) is None  # a hidden answer offers no button


def test_the_count_carries_no_name(app: Flask) -> None:
    with app.test_request_context():
        reply = _answered_reply()
        conversation = cooperation.of_reply(reply)
        assert conversation is not None
        cooperation.confirm(conversation, conversation.owner, APRIL)
        cooperation.confirm(conversation, conversation.other, APRIL)
        db.session.commit()
        [row] = db.session.scalars(db.select(Cooperation)).all()
        assert row.conversation == f"reply:{reply.uuid}"
        assert set(Cooperation.__table__.columns.keys()) == {
            "id", "conversation", "owner_said_at", "other_said_at", "confirmed_at"}
