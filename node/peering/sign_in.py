"""This node as a relying party of the other villages (webui/village_sign_in.py): members of
another admitted village sign in here with their village and see « Réseau » fields.

The villages and their keys come from the network list the directory signed (the same list
that carries decisions between villages); nothing is fetched from the village itself but its
token answer. Imports stay inside the functions: a node nobody signs in to never loads the
signing stack (docs/architecture.md, « The serving process stays small »).
"""

from __future__ import annotations

import time
from typing import Any

from node.extensions import db
from node.models import NetworkCopy, NodeIdentity
from webui.village_sign_in import RelyingParty, Village


def _own_id() -> str:
    identity = db.session.get(NodeIdentity, 1) or db.session.scalars(
        db.select(NodeIdentity)).first()
    return identity.node_id if identity is not None else ""


def villages() -> list[Village]:
    """The other admitted villages of the signed network list, with their keys."""
    copy = db.session.get(NetworkCopy, 1)
    own = _own_id()
    return [Village(str(item["node_id"]), str(item.get("name") or item["node_id"]),
                    str(item["base_url"]),
                    tuple((str(k["keyid"]), str(k["public_key"])) for k in item["keys"]))
            for item in ((copy.data or {}).get("nodes", []) if copy is not None else [])
            if item.get("node_id") != own]


def remember_jti(village: str, jti: str, expires_at: int) -> bool:
    from node.peering.trust import DatabaseNonceStore

    return bool(DatabaseNonceStore(int(time.time())).remember(f"oidc:{village}"[:80],
                                                              jti[:128], expires_at))


def client_id() -> str:
    return _own_id()


def key() -> Any:
    from node.peering.identity import signing_key

    return signing_key()


def relying_party() -> RelyingParty:
    return RelyingParty(villages=villages, client_id=client_id, signing_key=key,
                        remember_jti=remember_jti, layout="node/layout.html",
                        home="public.home")
