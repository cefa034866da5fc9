"""RFC 9530 Content-Digest for request and response bodies.

The signature covers the Content-Digest header, and this module binds that header to
the raw body bytes. Receivers call verify_content_digest on the bytes exactly as they
arrived, before any JSON parsing, so nothing unauthenticated is ever interpreted.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import http_sf

from federation.errors import DigestRefused

DIGEST_ALGORITHMS: dict[str, Callable[[bytes], hashlib._Hash]] = {
    "sha-256": hashlib.sha256,
    "sha-512": hashlib.sha512,
}
MAX_DIGEST_HEADER = 512


def make_content_digest(body: bytes, algorithm: str = "sha-256") -> str:
    """The Content-Digest header value for `body` (an empty body has a digest too)."""
    if algorithm not in DIGEST_ALGORITHMS:
        raise ValueError(f"unsupported digest algorithm {algorithm!r}")
    digest = DIGEST_ALGORITHMS[algorithm](body).digest()
    return http_sf.ser({algorithm: (digest, {})})


def _refuse_duplicate(key: str, context: str) -> None:
    raise DigestRefused("digest_malformed", f"duplicate Content-Digest member {key!r}")


def parse_content_digest(header: str) -> dict[str, bytes]:
    """Parse the header into {algorithm: digest}; refuse anything outside the profile."""
    if len(header) > MAX_DIGEST_HEADER:
        raise DigestRefused("digest_malformed", "Content-Digest is too long")
    try:
        parsed = http_sf.parse(
            header.encode("ascii"), tltype="dictionary", on_duplicate_key=_refuse_duplicate
        )
    except (http_sf.StructuredFieldError, UnicodeEncodeError) as exc:
        raise DigestRefused("digest_malformed", "Content-Digest is not a dictionary") from exc
    if not isinstance(parsed, dict) or not parsed:
        raise DigestRefused("digest_malformed", "Content-Digest is empty")
    digests: dict[str, bytes] = {}
    for algorithm, member in parsed.items():
        if algorithm not in DIGEST_ALGORITHMS:
            raise DigestRefused("digest_unsupported", f"digest {algorithm!r} is not accepted")
        value, params = member if isinstance(member, tuple) else (member, {})
        expected_size = DIGEST_ALGORITHMS[algorithm](b"").digest_size
        if not isinstance(value, bytes) or params or len(value) != expected_size:
            raise DigestRefused("digest_malformed", f"{algorithm} member is not a digest")
        digests[algorithm] = value
    return digests


def verify_content_digest(header: str | None, body: bytes) -> None:
    """Raise DigestRefused unless every member of `header` matches the raw `body`."""
    if header is None:
        raise DigestRefused("digest_missing", "Content-Digest header is required")
    for algorithm, expected in parse_content_digest(header).items():
        actual = DIGEST_ALGORITHMS[algorithm](body).digest()
        if not hmac.compare_digest(actual, expected):
            raise DigestRefused("digest_mismatch", f"body does not match its {algorithm} digest")
