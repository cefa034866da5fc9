"""This node's identity on the network: node id, signing keys, feed secret, node document.

Created once by ``chaleur init``. The private key lives only in ``instance/keys/<keyid>.pem``
(mode 0600, never overwritten); the database holds the key ids and public halves, so the
node document and the fingerprint can be produced without touching private material.
Nothing here runs at import time: every function reads the current app.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app

import communes
from federation.keys import (
    SigningKey,
    fingerprint,
    generate_signing_key,
    next_keyid,
    public_key_b64,
    save_private_key,
)
from federation.nodedoc import PublishedKey, build_node_document
from node.extensions import db
from node.models import Account, NodeIdentity, NodeKey, Role, utcnow
from node.services.community import current_community
from webui.network_identity import IdentityError, IdentityStore, software_version

__all__ = ["IdentityError", "software_version"]  # re-exported: callers import them from here

FEED_SECRET_FILE = "feed_secret"
#: A node document lists at most this many keys (schema: 1-4).
MAX_PUBLISHED_KEYS = 4


STORE = IdentityStore(
    db, NodeIdentity, NodeKey, who="ce nœud",
    missing="ce nœud n'a pas encore d'identité réseau : lancez « chaleur init ».")


def keys_dir() -> Path:
    return STORE.keys_dir()


def key_path(keyid: str) -> Path:
    return STORE.key_path(keyid)


def current_identity() -> NodeIdentity | None:
    return STORE.current()


def require_identity() -> NodeIdentity:
    return STORE.require()


def node_id_from_name(name: str) -> str:
    """Default node id: the community name as a DNS-label slug ("Tiers-lieu de Sparsbach"
    -> "tiers-lieu-de-sparsbach"); may be invalid (empty), which the caller reports."""
    slug = re.sub(r"[^a-z0-9]+", "-", communes.fold(name)).strip("-")
    return slug[:63].rstrip("-")


def _write_secret_file(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def create_identity(node_id: str) -> str:
    """Generate key k1 and the feed secret, store the identity; return the fingerprint.

    The caller commits. Refuses an invalid node id or an existing identity."""
    key = STORE.create(node_id)
    secret_path = Path(current_app.instance_path) / FEED_SECRET_FILE
    if not secret_path.exists():
        _write_secret_file(secret_path, secrets.token_bytes(32))
    return fingerprint(key.public_key)


def signing_key() -> SigningKey:
    """The current private key, read from its 0600 file (refused if others can read it)."""
    return STORE.signing_key()


def feed_secret() -> bytes:
    path = Path(current_app.instance_path) / FEED_SECRET_FILE
    if not path.exists():
        raise IdentityError(f"secret du fil de changements absent ({path}) : "
                            "lancez « chaleur init ».")
    return path.read_bytes()


def current_fingerprint() -> str:
    return STORE.current_fingerprint()


@dataclass(frozen=True)
class Rotation:
    previous: SigningKey
    current: SigningKey
    grace_until: datetime


def rotate_key(now: datetime | None = None) -> Rotation:
    """Create key N+1, mark key N retiring with the configured grace; the caller commits.

    The previous key is returned so the caller can announce the new document signed with
    it (a peer accepts a rotation only when the key it already trusts signs it)."""
    identity = require_identity()
    now = now or utcnow()
    previous = signing_key()
    new_keyid = next_keyid(identity.current_keyid)
    if key_path(new_keyid).exists():
        raise IdentityError(f"la clé {key_path(new_keyid)} existe déjà ; rotation annulée.")
    current = generate_signing_key(new_keyid)
    save_private_key(current, key_path(new_keyid))
    grace_until = now + timedelta(days=int(current_app.config["FEDERATION_KEY_GRACE_DAYS"]))
    old = db.session.get(NodeKey, previous.keyid)
    if old is not None:
        old.status, old.grace_until = "retiring", grace_until
    db.session.add(NodeKey(keyid=new_keyid, public_key=public_key_b64(current.public_key),
                           status="active"))
    identity.current_keyid = new_keyid
    return Rotation(previous, current, grace_until)


def _rfc3339(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def published_keys(now: datetime | None = None) -> list[PublishedKey]:
    """Active and still-valid retiring keys, newest first (retired ones drop out)."""
    now = now or utcnow()
    rows = db.session.scalars(db.select(NodeKey).order_by(NodeKey.created_at.desc())).all()
    keys = []
    for row in rows:
        if row.status == "active":
            keys.append(PublishedKey(row.keyid, row.public_key))
        elif row.status == "retiring" and row.grace_until and row.grace_until > now:
            keys.append(PublishedKey(row.keyid, row.public_key, "retiring",
                                     _rfc3339(row.grace_until)))
    return keys[:MAX_PUBLISHED_KEYS]


def _contact() -> dict[str, str]:
    """The community contact; the first admin's address stands in for a missing e-mail."""
    community = current_community()
    name = (community.contact_name if community else "") or (community.name if community else "")
    email = community.contact_email if community else ""
    if not email:
        admin = db.session.scalars(db.select(Account).where(Account.role == Role.ADMIN)
                                   .order_by(Account.id)).first()
        email = admin.email if admin else ""
    contact = {"name": name or "Chaleur", "email": email}
    if community and community.contact_phone:
        contact["phone"] = community.contact_phone
    return contact


def node_document() -> dict[str, Any]:
    """The document served at /.well-known/chaleur-node and sent with a join or rotation."""
    identity = require_identity()
    community = current_community()
    return build_node_document(
        base_url=str(current_app.config["PUBLIC_URL"]),
        node_id=identity.node_id,
        name=community.name if community else identity.node_id,
        role="node",
        territory=str(current_app.config["FEDERATION_TERRITORY"]),
        communes=list(community.communes or []) if community else [],
        contact=_contact(),
        keys=published_keys(),
        software_version=software_version(),
    )
