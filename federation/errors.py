"""Protocol refusals with stable machine-readable codes.

Every refusal carries a `code` that is part of the wire protocol: the apps answer
`{"error": code, "message": text}` with the HTTP status from REFUSAL_STATUS, and peers
branch on the code, never on the message text.
"""

from __future__ import annotations

from typing import Any


class FederationRefusal(Exception):
    """Base of every refusal the protocol core raises about inbound data."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        """Picklable with its fields (a refusal can come back from a feed reader process)."""
        return (type(self), (self.code, self.message), self.__dict__)

    @property
    def status(self) -> int:
        """HTTP status the app answers with (400 for a code missing from the table)."""
        return REFUSAL_STATUS.get(self.code, 400)

    def as_json(self) -> dict[str, str]:
        """The JSON error body every Chaleur endpoint returns."""
        return {"error": self.code, "message": self.message}


class SignatureRefused(FederationRefusal):
    """The request or response signature does not satisfy the Chaleur profile."""


class DigestRefused(SignatureRefused):
    """Content-Digest is missing, malformed, of an unknown algorithm or does not match."""


class BodyRefused(FederationRefusal):
    """The raw body is not strict, bounded JSON."""


class PayloadTooLarge(BodyRefused):
    """The body is larger than the receiver accepts (HTTP 413)."""


class RecordRefused(FederationRefusal):
    """A record envelope or payload is invalid, or its origin is not the sender."""

    def __init__(self, code: str, message: str, index: int | None = None) -> None:
        super().__init__(code, message if index is None else f"records[{index}]: {message}")
        self.index = index


class CursorInvalid(FederationRefusal):
    """A feed cursor was not issued by this node (tampered, truncated, foreign)."""


class ResyncRequired(FederationRefusal):
    """The cursor predates what the feed still remembers; the peer must resync from zero."""


SIGNATURE_STATUS = {
    "signature_missing": 401,
    "signature_malformed": 401,
    "signature_multiple": 401,
    "tag_mismatch": 401,
    "alg_unsupported": 401,
    "component_missing": 401,
    "param_missing": 401,
    "nonce_invalid": 401,
    "created_too_old": 401,
    "created_in_future": 401,
    "expired": 401,
    "lifetime_too_long": 401,
    "target_mismatch": 401,
    "key_unknown": 401,
    "key_not_usable": 403,
    "signature_invalid": 401,
    "nonce_replayed": 401,
    "digest_missing": 400,
    "digest_malformed": 400,
    "digest_unsupported": 400,
    "digest_mismatch": 400,
}

BODY_STATUS = {
    "payload_too_large": 413,
    "json_invalid": 400,
    "json_duplicate_key": 400,
    "json_too_deep": 400,
    "json_constant": 400,
    "json_string_too_long": 400,
    "json_list_too_long": 400,
    "json_not_object": 400,
}

RECORD_STATUS = {
    "record_invalid": 400,
    "record_type_unknown": 400,
    "payload_invalid": 400,
    "batch_invalid": 400,
    "batch_too_large": 413,
    "origin_mismatch": 403,
    "node_document_invalid": 400,
    "cursor_invalid": 400,
    "resync_required": 410,
}

#: code -> HTTP status. The apps use this table; docs/federation.md prints it.
REFUSAL_STATUS: dict[str, int] = {**SIGNATURE_STATUS, **BODY_STATUS, **RECORD_STATUS}
