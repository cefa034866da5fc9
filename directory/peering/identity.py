"""The directory's identity on the network: node id, signing key, node document.

Created once by ``python -m directory init --node-id``. The private key lives only in
``instance/keys/<keyid>.pem`` (mode 0600, never overwritten); the database keeps the key id
and the public half, so the document and the fingerprint never touch private material.
Nothing runs at import time: every function reads the current app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from directory.extensions import db
from directory.models import Coordinator, DirectoryIdentity, DirectoryKey
from federation.keys import (
    SigningKey,
    fingerprint,
)
from federation.nodedoc import PublishedKey, build_node_document
from webui.network_identity import IdentityError, IdentityStore, software_version

__all__ = ["IdentityError"]  # re-exported: callers import it from here


STORE = IdentityStore(
    db, DirectoryIdentity, DirectoryKey, who="l'annuaire",
    missing="l'annuaire n'a pas encore d'identité réseau : lancez "
            "« python -m directory init --node-id ... ».")


def key_path(keyid: str) -> Path:
    return STORE.key_path(keyid)


def current_identity() -> DirectoryIdentity | None:
    return STORE.current()


def require_identity() -> DirectoryIdentity:
    return STORE.require()


def create_identity(node_id: str) -> str:
    """Generate key k1, store the identity (the caller commits); return the fingerprint."""
    return fingerprint(STORE.create(node_id).public_key)


def signing_key() -> SigningKey:
    """The current private key, read from its 0600 file (refused if others can read it)."""
    return STORE.signing_key()


def current_fingerprint() -> str:
    return STORE.current_fingerprint()


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
        software_version=software_version(),
    )
