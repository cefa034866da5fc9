"""« Nous avons travaillé ensemble » for a conversation between villages (docs/federation.md
§ 8.7): a message answered through the relay (§ 8.6), or an answer from another village to a
network question (§ 8.4).

Each side says it on their own home node, which tells the other side's node with a signed
``cooperation_said`` notice. The rule is :mod:`node.services.cooperation`'s: one side alone
counts nothing, both count **once**, for the village of the owner. The owner is the member
who was written to (the author of the listing the message is about): their node keeps the
counted row (key ``contact:<message id>``); the sender's node keeps a mirror
(``elsewhere:contact:<message id>``) only to show the button's state, never counted there.
For a question the owner is the asker: their node counts ``answer:<answer id>``, the
answerer's node keeps ``elsewhere:answer:<answer id>``.
Sides named elsewhere are ``<node id>:<member id>``; no name, no address travels.

Every function flushes; the caller (view or notice handler) commits.
"""

from __future__ import annotations

from sqlalchemy import select

from node.extensions import db
from node.models import Answer, ContactReceived, ContactSent, Member, VillageMessage
from node.services import cooperation
from node.services.cooperation import Conversation, Said
from node.services.network_questions import ANSWER
from node.services.villages import plan

SAID = "cooperation_said"
ELSEWHERE = cooperation.ELSEWHERE


def of_received(received: ContactReceived) -> Conversation | None:
    """At the owner's node: the conversation, once our member answered (before that they
    have not been put in touch)."""
    if received.answered_at is None:
        return None
    return Conversation(f"contact:{received.uuid}", cooperation.party(received.recipient),
                        f"{received.from_node}:{received.from_member}")


def of_sent(sent: ContactSent) -> Conversation | None:
    """At the sender's node: the mirror of the conversation, once the answer came back."""
    if sent.answered_at is None:
        return None
    return Conversation(f"{ELSEWHERE}contact:{sent.uuid}", f"{sent.to_node}:{sent.to_member}",
                        cooperation.party(sent.sender))


def state_received(received: ContactReceived) -> Said | None:
    found = of_received(received)
    return cooperation.state(found, found.owner) if found is not None else None


def state_sent(sent: ContactSent) -> Said | None:
    found = of_sent(sent)
    return cooperation.state(found, found.other) if found is not None else None


def say_received(received: ContactReceived) -> Said | None:
    """Our member, written to, says it: counted here once both said it; the sender's
    village is told. None before the answer."""
    found = of_received(received)
    if found is None:
        return None
    said = cooperation.confirm(found, found.owner)
    plan(received.from_node, SAID, f"said:{received.uuid}",
         {"conversation": f"contact:{received.uuid}"})
    return said


def say_sent(sent: ContactSent) -> Said | None:
    """Our member, who wrote, says it: the owner's village is told (it counts there)."""
    found = of_sent(sent)
    if found is None:
        return None
    said = cooperation.confirm(found, found.other)
    plan(sent.to_node, SAID, f"said:{sent.uuid}", {"conversation": f"contact:{sent.uuid}"})
    return said


def tell_elsewhere(conversation: Conversation) -> None:
    """After the owner said it here about a conversation whose other side lives in another
    village (an answer from elsewhere): that village is told."""
    node_id, _, _ = conversation.other.partition(":")
    if node_id and node_id != "member":
        plan(node_id, SAID, f"said:{conversation.key.partition(':')[2]}",
             {"conversation": conversation.key})


def _sent_answer(node_id: str, answer_uuid: str) -> Member | None:
    """Our member who sent this answer to that village's question (its notice's row)."""
    row = db.session.scalars(select(VillageMessage).where(
        VillageMessage.node_id == node_id, VillageMessage.kind == ANSWER,
        VillageMessage.topic == answer_uuid)).first()
    author = row.body.get(ANSWER, {}).get("author", {}) if row is not None else {}
    return db.session.scalars(select(Member).where(
        Member.uuid == str(author.get("member", "")))).first() if author else None


def of_sent_answer(node_id: str, answer_uuid: str, member: Member) -> Conversation | None:
    """At the answerer's node: the mirror of an answer ``member`` sent to ``node_id``'s
    question; None when it is not theirs."""
    author = _sent_answer(node_id, answer_uuid)
    if author is None or author.id != member.id:
        return None
    return Conversation(f"{ELSEWHERE}answer:{answer_uuid}", f"{node_id}:question",
                        cooperation.party(member))


def states_of_sent_answers(node_id: str, answer_uuids: list[str],
                           member: Member) -> dict[str, Said]:
    """For the answers shown under another village's question: where each of ``member``'s
    own stands (the others are left out: no button under someone else's answer)."""
    found = {}
    for answer_uuid in answer_uuids:
        mirror = of_sent_answer(node_id, answer_uuid, member)
        if mirror is not None:
            found[answer_uuid] = cooperation.state(mirror, mirror.other)
    return found


def say_sent_answer(node_id: str, answer_uuid: str, member: Member) -> Said | None:
    """Our member, who answered another village's question, says it: the asker's village
    is told (it counts there). None when the answer is not theirs."""
    found = of_sent_answer(node_id, answer_uuid, member)
    if found is None:
        return None
    said = cooperation.confirm(found, found.other)
    plan(node_id, SAID, f"said:{answer_uuid}", {"conversation": f"answer:{answer_uuid}"})
    return said


def _receive_answer_said(node_id: str, answer_uuid: str) -> Said | None:
    answer = db.session.scalars(select(Answer).where(
        Answer.uuid == answer_uuid, Answer.author_village == node_id)).first()
    if answer is not None:
        found = cooperation.of_answer(answer)
        return cooperation.confirm(found, found.other) if found is not None else None
    author = _sent_answer(node_id, answer_uuid)
    mirror = of_sent_answer(node_id, answer_uuid, author) if author is not None else None
    return cooperation.confirm(mirror, mirror.owner) if mirror is not None else None


def receive_said(node_id: str, key: str) -> Said | None:
    """The other side's village says its member worked with ours (``key`` is
    ``contact:<id>`` or ``answer:<id>``). None when this node holds no such conversation
    with that village (or not answered yet)."""
    kind, _, message_uuid = key.partition(":")
    if kind == "answer":
        return _receive_answer_said(node_id, message_uuid)
    received = db.session.scalars(select(ContactReceived).where(
        ContactReceived.uuid == message_uuid, ContactReceived.from_node == node_id)).first()
    if received is not None:
        found = of_received(received)
        return cooperation.confirm(found, found.other) if found is not None else None
    sent = db.session.scalars(select(ContactSent).where(
        ContactSent.uuid == message_uuid, ContactSent.to_node == node_id)).first()
    mirror = of_sent(sent) if sent is not None else None
    return cooperation.confirm(mirror, mirror.owner) if mirror is not None else None
