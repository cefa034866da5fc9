"""The sites that may ask this node to sign a member in: registered by the signed federation.

No site is registered by hand and no secret is shared. A client is the Pays directory this
node joined (its document and keys, checked by fingerprint at ``join``) or another admitted
village (the network list the directory signed). Its client id is its node id; its only
redirect URI is its base URL plus the ``sign_in`` path of that signed data; it proves who it
is at the token endpoint with a ``private_key_jwt`` assertion signed by one of those keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from node.extensions import db
from node.models import Admission, NetworkCopy, Peer, PeerKey, utcnow


@dataclass(frozen=True)
class Site:
    """A relying party of the network, as the signed federation data describes it."""

    client_id: str
    name: str
    base_url: str
    redirect_uri: str
    keys: tuple[tuple[str, str], ...]  # (key id, base64url Ed25519 public key)


def find_site(client_id: str) -> Site | None:
    """The directory or admitted village with this node id, if it can receive sign-ins."""
    return _directory(client_id) or _village(client_id)


def _directory(client_id: str) -> Site | None:
    peer = db.session.scalars(select(Peer).where(Peer.node_id == client_id)).first()
    if peer is None or peer.status == "suspended" or peer.admission != Admission.ADMITTED:
        return None
    sign_in = str((peer.document or {}).get("endpoints", {}).get("sign_in", ""))
    now = utcnow()
    keys = tuple((row.keyid, row.public_key) for row in db.session.scalars(
        select(PeerKey).where(PeerKey.node_id == client_id))
        if row.status == "active" or (row.status == "retiring" and row.grace_until is not None
                                      and row.grace_until > now))
    if not sign_in.startswith("/") or not keys:
        return None
    name = str((peer.document or {}).get("name", client_id))
    return Site(client_id, name, peer.base_url, peer.base_url + sign_in, keys)


def _village(client_id: str) -> Site | None:
    copy = db.session.get(NetworkCopy, 1)
    for item in (copy.data or {}).get("nodes", []) if copy is not None else []:
        if item.get("node_id") != client_id or not item.get("sign_in"):
            continue
        keys = tuple((str(key["keyid"]), str(key["public_key"])) for key in item["keys"])
        return Site(client_id, str(item.get("name") or client_id), str(item["base_url"]),
                    str(item["base_url"]) + str(item["sign_in"]), keys)
    return None


def returning_site_origin(next_path: str | None) -> str | None:
    """The origin of the site a sign-in page will send the member back to, when its
    ``next`` is this node's authorization endpoint for a known site (so the page's form may
    end there: CSP ``form-action``)."""
    from urllib.parse import parse_qs, urlsplit

    from federation.identity import AUTHORIZE_PATH

    parts = urlsplit(next_path or "")
    if parts.scheme or parts.netloc or parts.path != AUTHORIZE_PATH:
        return None
    client_id = parse_qs(parts.query).get("client_id", [""])[0]
    site = find_site(client_id) if client_id else None
    return site.base_url if site is not None else None
