"""Decisions between villages: which villages can be invited, and offering them a decision.

The villages a node can address are those of the network list the Pays directory signs
(:mod:`node.sharing.network_copy`, section ``nodes``).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from node.extensions import db
from node.models import Audience, Decision, NetworkCopy, NodeIdentity
from node.services.decisions import DecisionError


def known_villages() -> list[dict[str, Any]]:
    """The other admitted villages in the last network list, by name."""
    row = db.session.get(NetworkCopy, 1)
    nodes = (row.data or {}).get("nodes", []) if row is not None else []
    own = db.session.scalars(db.select(NodeIdentity.node_id).limit(1)).first()
    return sorted((node for node in nodes if node.get("node_id") != own),
                  key=lambda node: str(node.get("name", "")))


def invitable() -> list[tuple[str, str]]:
    return [(str(node["node_id"]), str(node.get("name") or node["node_id"]))
            for node in known_villages()]


def offer(decision: Decision) -> None:
    """Offer a network decision to the villages it names (refused until they are known)."""
    if decision.audience != Audience.NETWORK:
        return
    known = {node_id for node_id, _name in invitable()}
    unknown = sorted(set(decision.villages) - known)
    if unknown or not decision.villages:
        raise DecisionError(_("Village inconnu du réseau : %(ids)s.", ids=", ".join(unknown)),
                            "villages")
    raise DecisionError(_("Les décisions entre villages arrivent bientôt."), "villages")
