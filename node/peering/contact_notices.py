"""What another village may relay to this node about its members' messages (docs/federation.md
§ 8.6): ``contact_message`` (one of its members writes to one of ours) and ``contact_reply``
(one of ours answered one of its members, and the answer carries our member's address);
``cooperation_said`` (§ 8.7: its member says they worked with ours after such a conversation).

The signer is the village: a village speaks only for its own members, and an answer comes
only from the village the message was sent to. The shape is checked here; the rules (the
recipient, blocks, rate limits) in :mod:`node.services.contact_relay`. Each handler commits
once, so the notices worker mails after the commit.
"""

from __future__ import annotations

import re
from typing import Any

from federation.notice_fields import invalid
from federation.verification import VerifiedPeer
from node.extensions import db
from node.services import contact_relay, relayed_cooperation
from node.services.contact_relay import ContactRefused, Incoming
from webui.unsafe_text import first_unsafe

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}$")


def _object(value: Any, name: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != keys:
        raise invalid(f"{name}: an object with exactly {', '.join(sorted(keys))}")
    return value


def _uuid(value: Any, name: str) -> str:
    if not isinstance(value, str) or not UUID.match(value):
        raise invalid(f"{name}: a lowercase UUID")
    return value


def _text(value: Any, name: str, limit: int) -> str:
    if (not isinstance(value, str) or not value.strip() or len(value) > limit
            or first_unsafe(value) is not None):
        raise invalid(f"{name}: a non-empty string of at most {limit} characters, "
                       "without control characters")
    return value.strip()


def _name(value: Any, name: str) -> str:
    """A person's name: one line (it goes into mail subjects)."""
    text = _text(value, name, 120)
    if "\n" in text or "\r" in text:
        raise invalid(f"{name}: one line")
    return text


def _incoming(data: Any) -> Incoming:
    body = _object(data, "contact_message", {"id", "to", "from", "about", "text"})
    sender = _object(body["from"], "from", {"member", "name"})
    about_uuid = about_title = ""
    if body["about"] is not None:
        about = _object(body["about"], "about", {"listing", "title"})
        about_uuid = _uuid(about["listing"], "about/listing")
        about_title = _text(about["title"], "about/title", 200)
    return Incoming(_uuid(body["id"], "id"), _uuid(body["to"], "to"),
                    _uuid(sender["member"], "from/member"), _name(sender["name"], "from/name"),
                    about_uuid, about_title, _text(body["text"], "text", contact_relay.MAX_TEXT))


def receive_message(peer: VerifiedPeer, data: Any) -> dict[str, Any]:
    """Keep the message for our member and plan their mail; 200 also for a retry."""
    row, new = contact_relay.receive(peer.node_id, _incoming(data))
    db.session.commit()
    return {"applied": contact_relay.MESSAGE, "id": row.uuid, "new": new}


def receive_reply(peer: VerifiedPeer, data: Any) -> dict[str, Any]:
    """One of our members gets the answer, with the address of the one who answered."""
    body = _object(data, "contact_reply", {"id", "text", "from"})
    who = _object(body["from"], "from", {"name", "email"})
    _name(who["name"], "from/name")
    email = _text(who["email"], "from/email", 254)
    if not EMAIL.match(email):
        raise invalid("from/email: an e-mail address")
    row = contact_relay.receive_reply(peer.node_id, _uuid(body["id"], "id"),
                                      _text(body["text"], "text", contact_relay.MAX_TEXT), email)
    db.session.commit()
    return {"applied": contact_relay.REPLY, "id": row.uuid}


def receive_said(peer: VerifiedPeer, data: Any) -> dict[str, Any]:
    """The peer's member says they worked with ours after a relayed conversation (§ 8.7):
    counted here once both said it, if our member is the owner."""
    body = _object(data, "cooperation_said", {"conversation"})
    kind, _, ident = str(body["conversation"]).partition(":")
    if kind not in ("contact", "answer"):
        raise invalid("conversation: contact:<message id> or answer:<answer id>")
    said = relayed_cooperation.receive_said(
        peer.node_id, f"{kind}:{_uuid(ident, 'conversation')}")
    if said is None:
        raise ContactRefused("conversation_unknown",
                             "no answered conversation with this village by that id", 404)
    db.session.commit()
    return {"applied": relayed_cooperation.SAID, "conversation": body["conversation"],
            "state": str(said)}
