"""Verifying a join request: a node nobody knows yet proves it holds its keys.

The key cannot come from a store (the node is new), so it comes from the node document
in the body, which is why this is the one place that parses JSON before the signature
holds: the digest is still checked on the raw bytes first, and the strict parser
bounds the work an anonymous sender can cause.
"""

from __future__ import annotations

from typing import Any

from federation.digest import verify_content_digest
from federation.jsonbody import JsonLimits, parse_json_body
from federation.keys import KeyRecord, KeyStatus
from federation.nodedoc import document_keys, validate_node_document
from federation.nonces import NonceStore
from federation.policy import JOIN_POLICY
from federation.signatures import FieldLines, HeaderInput
from federation.verification import VerifiedPeer, verify_signed_request

JOIN_LIMITS = JsonLimits(max_bytes=64 * 1024)


def verify_join_request(
    method: str,
    target: str,
    headers: HeaderInput,
    body: bytes,
    *,
    public_origin: str,
    nonces: NonceStore,
    now: int,
) -> tuple[VerifiedPeer, dict[str, Any]]:
    """Return the signer and its validated node document; the app then stores the node
    as PENDING. Its keys stay unusable (key_not_usable) until an operator approves."""
    verify_content_digest(FieldLines(headers).get("Content-Digest"), body)
    document = validate_node_document(parse_json_body(body, JOIN_LIMITS))
    keys = {key.keyid: key for key in document_keys(document, KeyStatus.PENDING)}

    def resolve(keyid: str) -> KeyRecord | None:
        return keys.get(keyid)

    peer = verify_signed_request(method, target, headers, body, public_origin=public_origin,
                                 resolve_key=resolve, nonces=nonces, now=now, policy=JOIN_POLICY)
    return peer, document
