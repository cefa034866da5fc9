"""draft-cavage HTTP signatures, the way Mastodon, Mobilizon and Gancio sign today.

Signing covers ``(request-target) host date digest`` on a POST and ``(request-target) host
date`` on a GET, with ``rsa-sha256`` under a 2048-bit RSA key. Verifying accepts
``rsa-sha256`` and ``hs2019`` (whose algorithm is the key's own: RSA PKCS#1 v1.5 over
SHA-256 here), checks that the signature covers the request target, the host and the date
(or ``(created)``), that a POST also covers its ``Digest`` and that the digest matches the
raw body, that the date is fresh, and returns the key's owner, which the caller compares
with the activity's actor. A key that fails is fetched once more (the sender may have
rotated it) before the request is refused.

Key lookup is injected (:class:`KeyFetcher`): this module never opens a database or a socket.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

RSA_BITS = 2048
#: A signed Date may be this far behind the receiver's clock (Mastodon accepts 12 h) …
MAX_AGE = 3600
#: … and this far ahead of it.
MAX_FUTURE = 300
ACCEPTED_ALGORITHMS = frozenset({"rsa-sha256", "hs2019"})
_PARAM = re.compile(r'\s*([a-zA-Z]+)\s*=\s*"([^"]*)"\s*(?:,|$)')


class SignatureRefused(Exception):
    """A request whose signature does not hold; ``code`` names the reason (for logs and the
    JSON error), never a secret."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class RemoteKey:
    """A public key as its owner publishes it (``publicKey`` of an actor)."""

    key_id: str
    owner: str
    public_key_pem: str


@dataclass(frozen=True)
class SignedBy:
    """Who signed a verified request: the key and the actor that owns it."""

    key_id: str
    owner: str


#: ``fetch(key_id, refresh)`` returns the key (from a cache unless ``refresh``) or raises
#: :class:`SignatureRefused` when it cannot be had.
KeyFetcher = Callable[[str, bool], RemoteKey]


# -- keys -------------------------------------------------------------------------------


def generate_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)


def private_key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def public_key_pem(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> str:
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def load_or_create_rsa_key(path: Path) -> rsa.RSAPrivateKey:
    """The actor's RSA key, created on first use with mode 0600 and never overwritten.

    A file that others may read is refused, like the node's Ed25519 key."""
    import os
    import stat

    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it meanwhile: read theirs
        else:
            try:
                os.write(fd, private_key_pem(generate_rsa_key()))
            finally:
                os.close(fd)
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SignatureRefused("key_file_open", f"{path} is readable by others (chmod 600)")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SignatureRefused("key_file_invalid", f"{path} is not an RSA private key")
    return key


# -- signing ----------------------------------------------------------------------------


def body_digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _target(method: str, url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return f"{method.lower()} {path}", parts.netloc


def _signing_string(names: list[str], values: Mapping[str, str]) -> bytes:
    return "\n".join(f"{name}: {values[name]}" for name in names).encode("utf-8")


def sign_request(method: str, url: str, body: bytes | None, key_id: str,
                 key: rsa.RSAPrivateKey, now: datetime) -> dict[str, str]:
    """The headers that sign this request: ``Host``, ``Date``, ``Digest`` (POST) and
    ``Signature``. The caller sends them unchanged."""
    request_target, host = _target(method, url)
    headers = {"Host": host, "Date": http_date(now)}
    names = ["(request-target)", "host", "date"]
    if body is not None:
        headers["Digest"] = body_digest(body)
        names.append("digest")
    values = {"(request-target)": request_target, "host": host, "date": headers["Date"],
              "digest": headers.get("Digest", "")}
    signature = key.sign(_signing_string(names, values), padding.PKCS1v15(), hashes.SHA256())
    headers["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode("ascii")}"')
    return headers


# -- verifying --------------------------------------------------------------------------


def parse_signature(value: str) -> dict[str, str]:
    """``keyId="…",algorithm="…",headers="…",signature="…"`` into a dict; strict."""
    text = value.strip()
    if text.lower().startswith("signature "):  # the Authorization form
        text = text[len("signature "):]
    params: dict[str, str] = {}
    position = 0
    while position < len(text):
        found = _PARAM.match(text, position)
        if found is None or found.start() != position:
            raise SignatureRefused("signature_malformed", "Signature header is not key=\"value\"")
        params[found.group(1)] = found.group(2)
        position = found.end()
    if "keyId" not in params or "signature" not in params:
        raise SignatureRefused("signature_malformed", "keyId and signature are required")
    return params


def _check_date(headers: Mapping[str, str], covered: list[str], now: datetime,
                created: str | None) -> None:
    if "(created)" in covered and created is not None:
        try:
            moment = datetime.fromtimestamp(int(created), UTC)
        except (ValueError, OverflowError) as error:
            raise SignatureRefused("date_invalid", "created is not a timestamp") from error
    else:
        if "date" not in covered:
            raise SignatureRefused("component_missing", "the signature must cover date")
        try:
            moment = parsedate_to_datetime(headers.get("date", ""))
        except (TypeError, ValueError) as error:
            raise SignatureRefused("date_invalid", "Date header unreadable") from error
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    age = (now - moment).total_seconds()
    if age > MAX_AGE:
        raise SignatureRefused("date_too_old", "the signed date is too old")
    if -age > MAX_FUTURE:
        raise SignatureRefused("date_in_future", "the signed date is in the future")


def check_digest(headers: Mapping[str, str], body: bytes) -> None:
    """The ``Digest`` header (SHA-256 or SHA-512) against the raw body bytes."""
    value = headers.get("digest", "")
    if not value:
        raise SignatureRefused("digest_missing", "a POST must carry a Digest")
    for member in value.split(","):
        name, _, encoded = member.strip().partition("=")
        algorithm = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}.get(name.lower())
        if algorithm is None:
            continue
        try:
            claimed = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as error:
            raise SignatureRefused("digest_malformed", "Digest is not base64") from error
        if claimed != algorithm(body).digest():
            raise SignatureRefused("digest_mismatch", "Digest does not match the body")
        return
    raise SignatureRefused("digest_unsupported", "Digest must be SHA-256 or SHA-512")


def _signature_holds(key: RemoteKey, message: bytes, signature: bytes) -> bool:
    try:
        public = serialization.load_pem_public_key(key.public_key_pem.encode("ascii"))
    except ValueError:
        return False
    if not isinstance(public, rsa.RSAPublicKey):
        return False  # only RSA keys are spoken here
    try:
        public.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def verify_request(method: str, path_and_query: str, headers: Mapping[str, str],
                   body: bytes, fetch: KeyFetcher, now: datetime,
                   host: str | None = None) -> SignedBy:
    """Check a request's signature; return who signed it or raise :class:`SignatureRefused`.

    ``path_and_query`` is the request's own path, as the receiver routed it; ``host`` is the
    receiver's public host from its configuration (a request signed for another host then
    fails), never the ``Host`` header."""
    lower = {name.lower(): value for name, value in headers.items()}
    raw = lower.get("signature") or lower.get("authorization", "")
    if not raw:
        raise SignatureRefused("signature_missing", "no Signature header")
    params = parse_signature(raw)
    algorithm = params.get("algorithm", "hs2019").lower()
    if algorithm not in ACCEPTED_ALGORITHMS:
        raise SignatureRefused("alg_unsupported", f"algorithm {algorithm!r} is not accepted")
    covered = params.get("headers", "date").lower().split()
    required = ["(request-target)", "host"] + (["digest"] if method.upper() == "POST" else [])
    missing = [name for name in required if name not in covered]
    if missing:
        raise SignatureRefused("component_missing", f"the signature must cover {missing[0]}")
    _check_date(lower, covered, now, params.get("created"))
    values: dict[str, str] = {"(request-target)": f"{method.lower()} {path_and_query}"}
    if host is not None:
        values["host"] = host
    for name in covered:
        if name == "(created)":
            values[name] = params.get("created", "")
        elif name == "(expires)":
            values[name] = params.get("expires", "")
        elif name not in values:
            if name not in lower:
                raise SignatureRefused("component_missing", f"signed header {name} is absent")
            values[name] = lower[name]
    if "expires" in params and params["expires"].isdigit() \
            and int(params["expires"]) < now.timestamp():
        raise SignatureRefused("expired", "the signature has expired")
    if method.upper() == "POST":
        check_digest(lower, body)
    try:
        signature = base64.b64decode(params["signature"], validate=True)
    except (binascii.Error, ValueError) as error:
        raise SignatureRefused("signature_malformed", "signature is not base64") from error
    message = _signing_string(covered, values)
    key = fetch(params["keyId"], False)
    if not _signature_holds(key, message, signature):
        key = fetch(params["keyId"], True)  # rotated since we cached it? one fresh look
        if not _signature_holds(key, message, signature):
            raise SignatureRefused("signature_invalid", "the signature does not verify")
    return SignedBy(key.key_id, key.owner)
