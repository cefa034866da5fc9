"""The node document: what a node says about itself at /.well-known/chaleur-node.

It is the unit of admission (a join request carries it) and of key distribution (the
directory learns keys from it, then stores them; it never re-fetches a key id).
Endpoints are paths on base_url, so a document cannot point peers at another host.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Re-exported: the document names these, and peers have long imported them from here.
from federation.endpoints import DEFAULT_ENDPOINTS as DEFAULT_ENDPOINTS
from federation.endpoints import NODE_MEDIA_TYPE as NODE_MEDIA_TYPE
from federation.endpoints import WELL_KNOWN_PATH as WELL_KNOWN_PATH
from federation.errors import RecordRefused
from federation.keys import (
    KeyRecord,
    KeyStatus,
    load_public_key_b64,
    parse_keyid,
    public_key_b64,
)
from federation.schemas import first_error


@dataclass(frozen=True)
class PublishedKey:
    """One key as a node document lists it."""

    keyid: str
    public_key: str  # base64url raw
    status: str = "active"  # "active" or "retiring"
    grace_until: str | None = None  # RFC 3339 UTC, for "retiring"


def build_node_document(
    *,
    base_url: str,
    node_id: str,
    name: str,
    role: str,
    territory: str,
    communes: Sequence[str],
    contact: Mapping[str, str],
    keys: Sequence[PublishedKey],
    software_version: str,
    endpoints: Mapping[str, str] = DEFAULT_ENDPOINTS,
) -> dict[str, Any]:
    """Build and validate the document a node serves (raises if it would be refused)."""
    document = {
        "protocol": "1",
        "base_url": base_url,
        "node_id": node_id,
        "name": name,
        "role": role,
        "territory": territory,
        "communes": list(communes),
        "contact": dict(contact),
        "keys": [_key_json(key) for key in keys],
        "endpoints": dict(endpoints),
        "software": {"name": "chaleur", "version": software_version},
    }
    validate_node_document(document)
    return document


def _key_json(key: PublishedKey) -> dict[str, str]:
    data = {"keyid": key.keyid, "alg": "ed25519", "public_key": key.public_key,
            "status": key.status}
    if key.grace_until is not None:
        data["grace_until"] = key.grace_until
    return data


def published(keyid: str, public_key: Any, status: str = "active",
              grace_until: str | None = None) -> PublishedKey:
    """Shortcut from a cryptography public key."""
    return PublishedKey(keyid, public_key_b64(public_key), status, grace_until)


def validate_node_document(data: Any) -> dict[str, Any]:
    """Schema + the rules a schema cannot say (key ids belong to this node, decodable keys)."""
    error = first_error("node", data)
    if error is not None:
        raise RecordRefused("node_document_invalid", error)
    seen = set()
    for key in data["keys"]:
        if parse_keyid(key["keyid"]).node_id != data["node_id"] or key["keyid"] in seen:
            raise RecordRefused("node_document_invalid", f"key id {key['keyid']!r} is not ours")
        seen.add(key["keyid"])
        try:
            load_public_key_b64(key["public_key"])
        except ValueError as exc:
            raise RecordRefused("node_document_invalid", f"{key['keyid']}: bad key") from exc
    document: dict[str, Any] = data
    return document


def document_keys(document: Mapping[str, Any], status: KeyStatus) -> list[KeyRecord]:
    """KeyRecords from a validated document, all with the receiver-side `status`
    (PENDING while a join is not approved)."""
    return [
        KeyRecord(key["keyid"], document["node_id"], load_public_key_b64(key["public_key"]), status)
        for key in document["keys"]
    ]
