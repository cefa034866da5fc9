"""The node's federation gate: the shared web edge with the node's key, registry and nonces.

See :mod:`webui.federation_edge` for what the gate checks; views behind ``signed_by_peer``
trust ``g.peer`` and never look at signature headers again.
"""

from __future__ import annotations

from node.extensions import limiter
from node.peering.identity import signing_key
from node.peering.trust import DatabaseNonceStore, resolve_peer_key
from webui.federation_edge import FederationGate, peer_json, raw_body, refusal_response

gate = FederationGate(limiter, signing_key, resolve_peer_key, DatabaseNonceStore)
signed_by_peer = gate.signed_by_peer
signed_json = gate.signed_json

__all__ = ["gate", "peer_json", "raw_body", "refusal_response", "signed_by_peer",
           "signed_json"]
