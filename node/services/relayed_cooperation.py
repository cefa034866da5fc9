"""« Nous avons travaillé ensemble » for a conversation relayed between villages
(docs/federation.md § 8.7): a message answered through the relay (§ 8.6).

Each side says it on their own home node, which tells the other side's node with a signed
``cooperation_said`` notice. The rule is :mod:`node.services.cooperation`'s: one side alone
counts nothing, both count **once**, for the village of the owner. The owner is the member
who was written to (the author of the listing the message is about): their node keeps the
counted row (key ``contact:<message id>``); the sender's node keeps a mirror
(``elsewhere:contact:<message id>``) only to show the button's state, never counted there.
Sides named elsewhere are ``<node id>:<member id>``; no name, no address travels.

Every function flushes; the caller (view or notice handler) commits.
"""

from __future__ import annotations

from sqlalchemy import select

from node.extensions import db
from node.models import ContactReceived, ContactSent
from node.services import cooperation
from node.services.cooperation import Conversation, Said
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


def receive_said(node_id: str, message_uuid: str) -> Said | None:
    """The other side's village says its member worked with ours. None when this node
    holds no answered conversation with that village under that id."""
    received = db.session.scalars(select(ContactReceived).where(
        ContactReceived.uuid == message_uuid, ContactReceived.from_node == node_id)).first()
    if received is not None:
        found = of_received(received)
        return cooperation.confirm(found, found.other) if found is not None else None
    sent = db.session.scalars(select(ContactSent).where(
        ContactSent.uuid == message_uuid, ContactSent.to_node == node_id)).first()
    mirror = of_sent(sent) if sent is not None else None
    return cooperation.confirm(mirror, mirror.owner) if mirror is not None else None
