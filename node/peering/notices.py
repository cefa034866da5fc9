"""What the directory may tell a node through the node's inbox.

A notice is a JSON object with exactly one known key; each kind has one handler in
:data:`NOTICE_HANDLERS`. Today there is one kind: the directory's updated node document
(key rotation), which must be signed by a key the node already trusts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from federation.errors import FederationRefusal, RecordRefused
from federation.keys import KeyStatus
from federation.nodedoc import validate_node_document
from federation.records import parse_utc
from federation.verification import VerifiedPeer
from node.extensions import db
from node.models import Peer, PeerKey
from node.peering import contact_notices, question_notices, rsvp_notices, village_notices
from node.peering.membership import registered_directory


class NoticeRefused(FederationRefusal):
    """The body is not a notice this node understands."""


def apply_node_document(peer: VerifiedPeer, document: Any) -> dict[str, Any]:
    """Store the directory's new key list: new keys active, dropped keys revoked."""
    document = validate_node_document(document)
    stored = db.session.scalars(db.select(Peer).where(Peer.node_id == peer.node_id)).one()
    if document["node_id"] != peer.node_id:
        raise RecordRefused("origin_mismatch", "a peer may only update its own node document")
    if document["base_url"] != stored.base_url or document["role"] != "directory":
        raise RecordRefused("node_document_invalid", "base_url and role may not change")
    listed = {key["keyid"]: key for key in document["keys"]}
    if peer.keyid not in listed:
        raise RecordRefused("node_document_invalid", "the document must list the signing key")
    for row in db.session.scalars(db.select(PeerKey).where(PeerKey.node_id == peer.node_id)):
        if row.keyid not in listed:
            row.status = KeyStatus.REVOKED.value
    for keyid, key in listed.items():
        row = db.session.get(PeerKey, keyid) or PeerKey(keyid=keyid, node_id=peer.node_id,
                                                        public_key=key["public_key"])
        if row.public_key != key["public_key"]:
            raise RecordRefused("node_document_invalid", f"{keyid} changed its public key")
        if row.status in (KeyStatus.REVOKED.value, KeyStatus.SUSPENDED.value):
            continue
        row.status = key["status"]
        row.grace_until = parse_utc(key["grace_until"]) if key.get("grace_until") else None
        db.session.add(row)
    stored.document = document
    db.session.commit()
    return {"applied": "node_document", "keys": sorted(listed)}


NOTICE_HANDLERS: dict[str, Callable[[VerifiedPeer, Any], dict[str, Any]]] = {
    "node_document": apply_node_document,
    "decision_offer": village_notices.receive_offer,
    "decision_tally": village_notices.receive_tally,
    "decision_result": village_notices.receive_result,
    "rsvp_state": rsvp_notices.receive_rsvp_state,
    "rsvp_withdrawn": rsvp_notices.receive_rsvp_withdrawn,
    question_notices.ANSWER: question_notices.receive_answer,
    question_notices.REPORT: question_notices.receive_report,
    "contact_message": contact_notices.receive_message,
    "contact_reply": contact_notices.receive_reply,
}
#: Notices only the Pays directory may send; every other one comes from a village.
FROM_DIRECTORY = frozenset({"node_document"})


def handle_notice(peer: VerifiedPeer, body: dict[str, Any]) -> dict[str, Any]:
    if len(body) != 1 or next(iter(body)) not in NOTICE_HANDLERS:
        raise NoticeRefused("notice_unknown",
                            "body must be one of: " + ", ".join(sorted(NOTICE_HANDLERS)))
    kind, value = next(iter(body.items()))
    directory = registered_directory()
    from_directory = directory is not None and directory.node_id == peer.node_id
    if (kind in FROM_DIRECTORY) != from_directory:
        raise RecordRefused("origin_mismatch", f"{peer.node_id!r} may not send {kind}")
    return NOTICE_HANDLERS[kind](peer, value)
