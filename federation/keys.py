"""Ed25519 node keys, versioned key ids and human fingerprints.

Key ids are `<node-id>:k<N>` (N = 1, 2, ... incremented at each rotation). The node id
prefix lets a receiver see at a glance which node a signature claims to come from, and
the version makes rotation explicit: `lutzelbourg:k2` replaces `lutzelbourg:k1`, and both
are listed in the node document while k1 is in its grace period. Key ids are opaque
labels for look-up only: they are never fetched as URLs.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

NODE_ID_PATTERN = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_KEYID = re.compile(rf"(?P<node>{NODE_ID_PATTERN}):k(?P<version>[1-9][0-9]{{0,5}})")
_NODE_ID = re.compile(NODE_ID_PATTERN)


@dataclass(frozen=True)
class KeyId:
    """A parsed key id: which node, which key generation."""

    node_id: str
    version: int

    def __str__(self) -> str:
        return f"{self.node_id}:k{self.version}"


def make_keyid(node_id: str, version: int = 1) -> str:
    """Key id for generation `version` of `node_id`'s key; refuses ids peers would refuse."""
    keyid = f"{node_id}:k{version}"
    parse_keyid(keyid)
    return keyid


def parse_keyid(keyid: str) -> KeyId:
    """Split `node:kN`; raise ValueError on anything else so no odd id enters a database."""
    match = _KEYID.fullmatch(keyid)
    if match is None:
        raise ValueError(f"not a Chaleur key id: {keyid!r}")
    return KeyId(match["node"], int(match["version"]))


def next_keyid(keyid: str) -> str:
    """The key id a rotation introduces: same node, version + 1."""
    current = parse_keyid(keyid)
    return make_keyid(current.node_id, current.version + 1)


def is_node_id(text: str) -> bool:
    """Node ids are DNS-label-like slugs, so they are safe in key ids, URLs and logs."""
    return _NODE_ID.fullmatch(text) is not None


class SigningKey:
    """A node's private key together with its key id.

    The class deliberately has no dataclass repr and no way to print the private
    bytes: logs, tracebacks and debuggers show only the key id and the fingerprint.
    """

    __slots__ = ("_private", "keyid")

    def __init__(self, private_key: Ed25519PrivateKey, keyid: str) -> None:
        parse_keyid(keyid)
        self._private = private_key
        self.keyid = keyid

    @property
    def private_key(self) -> Ed25519PrivateKey:
        """The raw key object, for the signer only."""
        return self._private

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._private.public_key()

    def __repr__(self) -> str:
        return f"<SigningKey {self.keyid} {fingerprint(self.public_key)}>"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("SigningKey is not picklable: private key material stays in its file")


def generate_signing_key(keyid: str) -> SigningKey:
    """A fresh Ed25519 key (for first start and for each rotation)."""
    return SigningKey(Ed25519PrivateKey.generate(), keyid)


def save_private_key(key: SigningKey, path: Path) -> None:
    """Write the key as PKCS#8 PEM to a NEW file readable by its owner only.

    O_EXCL: never overwrite an existing key (a lost key means re-admission); mode 0600
    from the first byte, so there is no window in which the file is world-readable.
    """
    pem = key.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)


def load_private_key(path: Path, keyid: str) -> SigningKey:
    """Read a PEM private key; refuse a file group/world can read (like ssh does)."""
    mode = os.stat(path).st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PermissionError(f"{path} is readable by others (mode {oct(mode & 0o777)}); chmod 600")
    private = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return SigningKey(private, keyid)


def public_key_raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_b64(public_key: Ed25519PublicKey) -> str:
    """base64url of the 32 raw bytes, no padding: the form the node document carries."""
    return base64.urlsafe_b64encode(public_key_raw(public_key)).rstrip(b"=").decode("ascii")


def public_key_pem(public_key: Ed25519PublicKey) -> str:
    """SubjectPublicKeyInfo PEM, for operators and other tooling."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_public_key_b64(text: str) -> Ed25519PublicKey:
    """Strict inverse of public_key_b64: exactly 43 base64url characters, 32 bytes."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]", text):
        raise ValueError("public key must be 43 base64url characters (32 raw bytes)")
    try:
        raw = base64.urlsafe_b64decode(text + "=")
    except binascii.Error as exc:
        raise ValueError("public key is not base64url") from exc
    return Ed25519PublicKey.from_public_bytes(raw)


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """Short human fingerprint both operators read aloud before approving a node.

    SHA-256 of the raw key, base32, first 20 characters in groups of 4
    (100 bits: enough to notice a substituted key, short enough to compare by phone).
    """
    digest = hashlib.sha256(public_key_raw(public_key)).digest()
    text = base64.b32encode(digest).decode("ascii")[:20]
    return "-".join(text[i : i + 4] for i in range(0, 20, 4))


class KeyStatus(enum.StrEnum):
    """Lifecycle of a peer key as the receiver stores it."""

    PENDING = "pending"  # join requested, operator has not approved yet
    ACTIVE = "active"
    RETIRING = "retiring"  # replaced by a rotation; valid until grace_until
    SUSPENDED = "suspended"  # operator suspended the node
    REVOKED = "revoked"  # never valid again


@dataclass(frozen=True)
class KeyRecord:
    """What a receiver knows about one peer key; returned by the injected resolver."""

    keyid: str
    node_id: str
    public_key: Ed25519PublicKey
    status: KeyStatus
    grace_until: int | None = None  # unix time; only meaningful for RETIRING

    def __reduce__(self) -> tuple[Any, ...]:
        """Picklable (a feed reader process verifies with it): the public key travels as its
        raw 32 bytes."""
        return (_key_record, (self.keyid, self.node_id, public_key_raw(self.public_key),
                              self.status, self.grace_until))

    def usable_at(self, now: int, *, accept_pending: bool = False) -> bool:
        """Whether a signature made with this key may be accepted at `now`."""
        if self.status is KeyStatus.ACTIVE:
            return True
        if self.status is KeyStatus.RETIRING:
            return self.grace_until is not None and now <= self.grace_until
        return accept_pending and self.status is KeyStatus.PENDING


def _key_record(keyid: str, node_id: str, raw: bytes, status: KeyStatus,
                grace_until: int | None) -> KeyRecord:
    return KeyRecord(keyid, node_id, Ed25519PublicKey.from_public_bytes(raw), status,
                     grace_until)
