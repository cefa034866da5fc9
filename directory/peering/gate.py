"""The directory's federation gate: the shared web edge with its key, registry and nonces.

See :mod:`webui.federation_edge` for what the gate checks; ``guarded`` alone serves the join
endpoint, whose signer is not a stored key yet.
"""

from __future__ import annotations

from directory.extensions import limiter
from directory.peering.identity import signing_key
from directory.peering.trust import nonce_store, resolve_peer_key
from webui.federation_edge import FederationGate, peer_json, raw_body, refusal_response

gate = FederationGate(limiter, signing_key, resolve_peer_key, nonce_store)
guarded = gate.guarded
signed_by_peer = gate.signed_by_peer
signed_json = gate.signed_json

__all__ = ["gate", "guarded", "peer_json", "raw_body", "refusal_response", "signed_by_peer",
           "signed_json"]
