"""A site's own identity on the network, the same way for a node and for the directory.

Created once by ``init``: key k1 is generated, its private half written to
``instance/keys/<keyid>.pem`` (mode 0600, ``O_EXCL``, never overwritten), and the database
keeps the key id and the public half, so documents and fingerprints never touch private
material. Each app makes one :class:`IdentityStore` over its own tables
(:mod:`webui.federation_tables`) and its own French wording; nothing runs at import time.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any, Generic, TypeVar

from flask import current_app
from flask_sqlalchemy import SQLAlchemy

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
from webui.federation_tables import OwnIdentityColumns, PublicKeyColumns

Identity = TypeVar("Identity", bound=OwnIdentityColumns)


class IdentityError(RuntimeError):
    """The identity cannot be created or used; the message says what to do (French)."""


def software_version() -> str:
    """The installed Chaleur version, for the ``software`` member of a node document."""
    try:
        return metadata.version("chaleur")
    except metadata.PackageNotFoundError:
        return "0.1.0"


class IdentityStore(Generic[Identity]):
    """The identity row, the own-key rows and the key files of one app.

    ``missing`` is the French sentence telling the operator how to create the identity;
    ``who`` names the site in the other messages (« ce nœud », « l'annuaire »).
    """

    def __init__(self, db: SQLAlchemy, identity_model: type[Identity],
                 key_model: type[PublicKeyColumns], *, missing: str, who: str) -> None:
        self.db, self.identity_model, self.key_model = db, identity_model, key_model
        self.missing, self.who = missing, who

    def keys_dir(self) -> Path:
        return Path(current_app.instance_path) / "keys"

    def key_path(self, keyid: str) -> Path:
        return self.keys_dir() / f"{keyid}.pem"

    def current(self) -> Identity | None:
        found: Identity | None = self.db.session.scalars(
            self.db.select(self.identity_model).limit(1)).first()
        return found

    def require(self) -> Identity:
        identity = self.current()
        if identity is None:
            raise IdentityError(self.missing)
        return identity

    def create(self, node_id: str, **columns: Any) -> SigningKey:
        """Generate key k1 and add the identity and key rows (the caller commits).

        Refuses an invalid node id, an existing identity, and a key file already there."""
        if not is_node_id(node_id):
            raise IdentityError(f"identifiant de nœud invalide : {node_id!r} (lettres "
                                "minuscules, chiffres et tirets, 63 caractères au plus).")
        if self.current() is not None:
            raise IdentityError(f"{self.who} a déjà une identité réseau.")
        keyid = make_keyid(node_id, 1)
        path = self.key_path(keyid)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path.exists():
            raise IdentityError(f"la clé {path} existe déjà ; elle n'est jamais écrasée.")
        key = generate_signing_key(keyid)
        save_private_key(key, path)
        self.db.session.add(self.key_model(keyid=keyid,  # type: ignore[call-arg]
                                           public_key=public_key_b64(key.public_key),
                                           status="active"))
        self.db.session.add(self.identity_model(  # type: ignore[call-arg]
            node_id=node_id, current_keyid=keyid, **columns))
        return key

    def signing_key(self) -> SigningKey:
        """The current private key, read from its 0600 file (refused if others can read it)."""
        identity = self.require()
        return load_private_key(self.key_path(identity.current_keyid), identity.current_keyid)

    def current_fingerprint(self) -> str:
        identity = self.require()
        key = self.db.session.get(self.key_model, identity.current_keyid)
        if key is None:
            raise IdentityError(f"clé {identity.current_keyid} absente de la base.")
        return fingerprint(load_public_key_b64(key.public_key))
