"""The directory's identity on the network: node id, signing key, node document.

Created once by ``python -m directory init --node-id``. The private key lives only in
``instance/keys/<keyid>.pem`` (mode 0600, never overwritten); the database keeps the key id
and the public half, so the document and the fingerprint never touch private material.
Nothing runs at import time: every function reads the current app.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from directory.extensions import db
from directory.models import Coordinator, DirectoryIdentity, DirectoryKey
from federation.keys import (
    SigningKey,
    fingerprint,
    generate_signing_key,
    is_node_id,
    load_private_key,
    load_public_key_b64,
    make_keyid,
    public_key_b64,
    save_private_key,
)
from federation.nodedoc import PublishedKey, build_node_document


class IdentityError(RuntimeError):
    """The directory identity cannot be created or used; the message says what to do."""


def key_path(keyid: str) -> Path:
    return Path(current_app.instance_path) / "keys" / f"{keyid}.pem"


def current_identity() -> DirectoryIdentity | None:
    return db.session.scalars(select(DirectoryIdentity).limit(1)).first()


def require_identity() -> DirectoryIdentity:
    identity = current_identity()
    if identity is None:
        raise IdentityError("l'annuaire n'a pas encore d'identité réseau : lancez "
                            "« python -m directory init --node-id ... ».")
    return identity


def create_identity(node_id: str) -> str:
    """Generate key k1, store the identity (the caller commits); return the fingerprint."""
    if not is_node_id(node_id):
        raise IdentityError(f"identifiant invalide : {node_id!r} (lettres minuscules, chiffres "
                            "et tirets, 63 caractères au plus).")
    if current_identity() is not None:
        raise IdentityError("l'annuaire a déjà une identité réseau.")
    keyid = make_keyid(node_id, 1)
    path = key_path(keyid)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists():
        raise IdentityError(f"la clé {path} existe déjà ; elle n'est jamais écrasée.")
    key = generate_signing_key(keyid)
    save_private_key(key, path)
    db.session.add(DirectoryKey(keyid=keyid, public_key=public_key_b64(key.public_key)))
    db.session.add(DirectoryIdentity(node_id=node_id, current_keyid=keyid))
    return fingerprint(key.public_key)


def signing_key() -> SigningKey:
    """The current private key, read from its 0600 file (refused if others can read it)."""
    identity = require_identity()
    return load_private_key(key_path(identity.current_keyid), identity.current_keyid)


def current_fingerprint() -> str:
    identity = require_identity()
    key = db.session.get(DirectoryKey, identity.current_keyid)
    if key is None:
        raise IdentityError(f"clé {identity.current_keyid} absente de la base.")
    return fingerprint(load_public_key_b64(key.public_key))


def _software_version() -> str:
    try:
        return metadata.version("chaleur")
    except metadata.PackageNotFoundError:
        return "0.1.0"


def _contact() -> dict[str, str]:
    email = str(current_app.config["FEDERATION_CONTACT_EMAIL"])
    if not email:
        first = db.session.scalars(select(Coordinator).order_by(Coordinator.id)).first()
        email = first.email if first else "coordination@invalid.example"
    return {"name": str(current_app.config["SITE_NAME"])[:120], "email": email}


def node_document() -> dict[str, Any]:
    """Served at /.well-known/chaleur-node: role "directory", its active keys."""
    identity = require_identity()
    rows = db.session.scalars(select(DirectoryKey).where(DirectoryKey.status == "active")
                              .order_by(DirectoryKey.created_at.desc())).all()
    return build_node_document(
        base_url=str(current_app.config["PUBLIC_URL"]),
        node_id=identity.node_id,
        name=str(current_app.config["SITE_NAME"]),
        role="directory",
        territory=str(current_app.config["FEDERATION_TERRITORY"]),
        communes=[],
        contact=_contact(),
        keys=[PublishedKey(row.keyid, row.public_key) for row in rows][:4],
        software_version=_software_version(),
    )
