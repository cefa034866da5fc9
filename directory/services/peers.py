"""Admission of nodes: join requests, the coordinator's decisions and their log.

The federation wiring calls :func:`register_join_request` when a node asks to join; the
coordinator then admits or refuses it from the admin pages or the CLI, and may later suspend
and reinstate it. Every decision is logged with who took it, when and why.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from directory.extensions import db
from directory.models import AdmissionDecision, Peer, PeerStatus, utcnow
from directory.services.wording import _

log = logging.getLogger("chaleur.directory.peers")

# decision -> (statuses it applies to, resulting status)
TRANSITIONS: dict[str, tuple[tuple[PeerStatus, ...], PeerStatus]] = {
    "admit": ((PeerStatus.PENDING, PeerStatus.REFUSED), PeerStatus.ADMITTED),
    "refuse": ((PeerStatus.PENDING,), PeerStatus.REFUSED),
    "suspend": ((PeerStatus.ADMITTED,), PeerStatus.SUSPENDED),
    "reinstate": ((PeerStatus.SUSPENDED,), PeerStatus.ADMITTED),
}


class PeerError(ValueError):
    """A join request or a decision was refused; the message says why (French)."""


def find_peer(node_id: str) -> Peer | None:
    return db.session.scalars(select(Peer).where(Peer.node_id == node_id)).first()


def register_join_request(node_document: dict[str, Any], fingerprint: str) -> Peer:
    """Record a node's request to join (or refresh a pending one); returns the peer.

    A node already admitted or suspended may refresh its document but not change its key:
    a new key needs the coordinator, so such a request is refused.
    """
    node_id = str(node_document.get("id") or node_document.get("node_id") or "").strip()
    if not node_id or len(node_id) > 255:
        raise PeerError(_("Le document du nœud n'indique pas d'identifiant valide."))
    if not fingerprint or len(fingerprint) > 128:
        raise PeerError(_("L'empreinte de clé est manquante ou invalide."))
    peer = find_peer(node_id)
    if peer is None:
        peer = Peer(node_id=node_id, status=PeerStatus.PENDING)
        db.session.add(peer)
    elif peer.status in (PeerStatus.ADMITTED, PeerStatus.SUSPENDED):
        if peer.key_fingerprint != fingerprint:
            raise PeerError(_("Ce nœud est déjà connu avec une autre clé : la coordination "
                              "doit traiter ce changement."))
    else:
        peer.status = PeerStatus.PENDING
        peer.requested_at = utcnow()
    peer.document = dict(node_document)
    peer.key_fingerprint = fingerprint
    peer.name = str(node_document.get("name") or peer.name or "")[:200]
    peer.base_url = str(node_document.get("url") or node_document.get("base_url")
                        or peer.base_url or "")[:255]
    db.session.commit()
    log.info("join request node=%s status=%s", node_id, peer.status)
    return peer


def decide(node_id: str, decision: str, by: str, reason: str = "") -> Peer:
    """Apply one decision to a node, log it, and commit; PeerError if it does not apply."""
    peer = find_peer(node_id)
    if peer is None:
        raise PeerError(_("Nœud inconnu : %(node)s", node=node_id))
    allowed, outcome = TRANSITIONS[decision]
    if peer.status not in allowed:
        raise PeerError(_("Décision impossible : le nœud est « %(status)s ».",
                          status=peer.status))
    peer.status = outcome
    if decision == "admit":
        peer.admitted_at = utcnow()
    db.session.add(AdmissionDecision(peer=peer, decision=decision, by=by[:254],
                                     reason=reason.strip()[:2000]))
    if decision in ("suspend", "reinstate"):
        from directory.fediverse.publishing import republish_village

        republish_village(peer)  # its public rencontres leave the fediverse, or come back
    db.session.commit()
    log.info("decision node=%s decision=%s", node_id, decision)
    return peer


def fingerprint_matches(peer: Peer, heard: str) -> bool:
    """Whether the fingerprint the village read on the phone is this node's key's.

    Spaces, dashes and case do not count: people type what they hear in groups."""
    def compact(text: str) -> str:
        return "".join(ch for ch in text.upper() if ch.isalnum())
    return bool(peer.key_fingerprint) and compact(heard) == compact(peer.key_fingerprint)


def admit_node(node_id: str, by: str, reason: str = "") -> Peer:
    """Admit a pending (or previously refused) node: its records start to be accepted."""
    return decide(node_id, "admit", by, reason)


def refuse_node(node_id: str, by: str, reason: str = "") -> Peer:
    """Refuse a pending node's request to join."""
    return decide(node_id, "refuse", by, reason)


def suspend_node(node_id: str, by: str, reason: str = "") -> Peer:
    """Suspend an admitted node: its records vanish from every page at once."""
    return decide(node_id, "suspend", by, reason)


def reinstate_node(node_id: str, by: str, reason: str = "") -> Peer:
    """Reinstate a suspended node: its records are shown again."""
    return decide(node_id, "reinstate", by, reason)


def record_attempt(node_id: str, ok: bool) -> None:
    """Note an exchange attempt (for the wiring's pull loop and the health table)."""
    peer = find_peer(node_id)
    if peer is None:
        return
    peer.last_attempt_at = utcnow()
    if ok:
        peer.last_success_at = peer.last_attempt_at
        peer.failures = 0
    else:
        peer.failures += 1
    db.session.commit()


def pending_peers() -> list[Peer]:
    return list(db.session.scalars(select(Peer).where(Peer.status == PeerStatus.PENDING)
                                   .order_by(Peer.requested_at)))


def all_peers() -> list[Peer]:
    return list(db.session.scalars(select(Peer).order_by(Peer.status, Peer.name)))


def recent_decisions(limit: int = 200) -> list[AdmissionDecision]:
    return list(db.session.scalars(select(AdmissionDecision)
                                   .order_by(AdmissionDecision.at.desc()).limit(limit)))
