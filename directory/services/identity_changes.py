"""An admitted node's identity changes, held for the coordinator.

A node's document says where the directory reaches it (``base_url``, ``endpoints``) and how
the Pays presents it (``name``, ``contact``). The coordinator admitted *that* node after
comparing a fingerprint by phone; an admitted node that re-posts its document with another
address must not quietly become someone else, with the directory pulling from the new host
at once. So these fields are held: the new document waits beside the current one, shown
side by side, and only the coordinator's approval applies it. The current document keeps
serving meanwhile (pulls, the network list, the Pays pages).

Keys are not held: a rotation signed by a key the directory stored is the protocol's own
proof (docs/federation.md § 8), so the keys of the new document apply at once, as do the
fields that do not name the node (communes, territory, software).

Services flush; the caller commits.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select

from directory.extensions import db
from directory.models import AdmissionDecision, IdentityChange, Peer
from directory.services.wording import _

log = logging.getLogger("chaleur.directory.identity")

#: The fields that name a node or say where to reach it.
IDENTITY_FIELDS = ("base_url", "endpoints", "name", "contact")


class IdentityChangeError(ValueError):
    """The coordinator's decision cannot apply; the message says why (French)."""


def changed_fields(current: dict[str, Any], proposed: dict[str, Any]) -> list[str]:
    """The identity fields whose value differs between two documents."""
    return [name for name in IDENTITY_FIELDS if current.get(name) != proposed.get(name)]


def held_change(peer: Peer) -> IdentityChange | None:
    return db.session.get(IdentityChange, peer.id)


def receive_document(peer: Peer, document: dict[str, Any], fingerprint: str) -> list[str]:
    """An admitted node's verified document: apply what may change at once, hold the rest.

    Returns the identity fields held for the coordinator (empty when none changed; a
    document that goes back to the current identity withdraws a held change).
    """
    current = dict(peer.document or {})
    held = changed_fields(current, document)
    serving = dict(document)
    for name in IDENTITY_FIELDS:
        if name in current:
            serving[name] = current[name]
    peer.document = serving
    peer.key_fingerprint = fingerprint
    waiting = held_change(peer)
    if held and (waiting is None or waiting.document != document):
        if waiting is not None:
            db.session.delete(waiting)
            db.session.flush()
        db.session.add(IdentityChange(peer_id=peer.id, document=dict(document)))
        log.info("identity change held node=%s fields=%s", peer.node_id, ",".join(held))
    elif not held and waiting is not None:
        db.session.delete(waiting)
    db.session.flush()
    return held


def side_by_side(peer: Peer) -> list[tuple[str, Any, Any]]:
    """(field, current value, proposed value) for each held field, for the coordinator."""
    waiting = held_change(peer)
    if waiting is None:
        return []
    current = peer.document or {}
    return [(name, current.get(name), waiting.document.get(name))
            for name in changed_fields(current, waiting.document)]


def held_changes() -> list[tuple[Peer, IdentityChange]]:
    """Nodes with an identity change waiting, oldest first."""
    rows = db.session.execute(select(Peer, IdentityChange).join(
        IdentityChange, IdentityChange.peer_id == Peer.id).order_by(IdentityChange.received_at))
    return [(row[0], row[1]) for row in rows]


def _held(node_id: str) -> tuple[Peer, IdentityChange]:
    peer = db.session.scalars(select(Peer).where(Peer.node_id == node_id)).first()
    waiting = None if peer is None else held_change(peer)
    if peer is None or waiting is None:
        raise IdentityChangeError(_("Aucun changement en attente pour ce nœud."))
    return peer, waiting


def approve_change(node_id: str, by: str, reason: str = "") -> Peer:
    """Apply a held identity change: from now on the node is reached and shown as it asks."""
    peer, waiting = _held(node_id)
    proposed = dict(waiting.document)
    name = str(proposed.get("name") or "").strip()
    clash = db.session.scalars(select(Peer.id).where(
        func.lower(Peer.name) == name.lower(), Peer.id != peer.id)).first()
    if clash is not None:
        raise IdentityChangeError(_("Un autre nœud porte déjà ce nom."))
    document = dict(peer.document or {})
    for field in IDENTITY_FIELDS:
        if field in proposed:
            document[field] = proposed[field]
    peer.document = document
    peer.name = name[:200] or peer.name
    peer.base_url = str(proposed.get("base_url") or peer.base_url)[:255]
    db.session.delete(waiting)
    _log(peer, "approve_change", by, reason)
    return peer


def refuse_change(node_id: str, by: str, reason: str = "") -> Peer:
    """Drop a held identity change: the node keeps the identity it was admitted with."""
    peer, waiting = _held(node_id)
    db.session.delete(waiting)
    _log(peer, "refuse_change", by, reason)
    return peer


def _log(peer: Peer, decision: str, by: str, reason: str) -> None:
    db.session.add(AdmissionDecision(peer=peer, decision=decision, by=by[:254],
                                     reason=reason.strip()[:2000]))
    db.session.flush()
    log.info("identity change node=%s decision=%s", peer.node_id, decision)

