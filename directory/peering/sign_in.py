"""The Pays site as a relying party of its villages (webui/village_sign_in.py): which
villages sign their members in, and with which keys — the directory's own admitted nodes
and their keys, checked at admission and rotation, never fetched from elsewhere."""

from __future__ import annotations

from sqlalchemy import select

from directory.extensions import db
from directory.models import Peer, PeerKey
from directory.peering.identity import require_identity, signing_key
from directory.peering.trust import key_record, nonce_store
from directory.services.network import shown
from federation.keys import KeyStatus, SigningKey
from webui.village_sign_in import RelyingParty, Village

USABLE = (KeyStatus.ACTIVE, KeyStatus.RETIRING)


def villages() -> list[Village]:
    """The admitted nodes with at least one usable key."""
    found = []
    for peer in db.session.scalars(select(Peer).where(shown(Peer.id))):
        keys = tuple((row.keyid, row.public_key) for row in db.session.scalars(
            select(PeerKey).where(PeerKey.peer_id == peer.id))
            if key_record(row, peer).status in USABLE)
        if keys and peer.base_url:
            found.append(Village(peer.node_id, peer.name or peer.node_id, peer.base_url, keys))
    return found


def remember_jti(village: str, jti: str, expires_at: int) -> bool:
    import time

    return bool(nonce_store(int(time.time())).remember(f"oidc:{village}"[:80], jti[:128],
                                                       expires_at))


def client_id() -> str:
    return require_identity().node_id


def key() -> SigningKey:
    return signing_key()


def relying_party() -> RelyingParty:
    return RelyingParty(villages=villages, client_id=client_id, signing_key=key,
                        remember_jti=remember_jti, layout="directory/layout.html",
                        home="site.home")
