"""The Chaleur signature profile as data: what a verifier demands of a signature.

Keeping the rules in one frozen value (instead of `if` branches spread over the verifier)
leaves production code no way to loosen a single rule by accident: this module holds only
the production policies (the lenient one the RFC 9421 vectors need lives with the tests).
Replay protection is no policy switch: `verify_signed_request` requires a nonce store by
its signature.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

SIGNATURE_LABEL = "sig1"
SIGNATURE_TAG = "chaleur"
SIGNATURE_ALG = "ed25519"
#: Lifetime the signer gives a signature (`expires - created`).
DEFAULT_LIFETIME = 60
#: Longest lifetime a verifier accepts, and the oldest `created` it accepts.
MAX_LIFETIME = 300
MAX_AGE = 300
MAX_FUTURE_SKEW = 30
#: 128 bits of randomness in base64url is 22 characters.
MIN_NONCE_LENGTH = 22
MAX_NONCE_LENGTH = 128

REQUEST_COMPONENTS = ("@method", "@target-uri", "@authority", "content-digest")


def response_components(request_label: str) -> tuple[str, ...]:
    """What a response signature covers: its status and digest, and the request it answers
    (RFC 9421 section 2.4, `;req`): that request's method, target URI and **signature**.

    Covering the request's own signature (the member `request_label` of its `Signature`
    field) is what binds an answer to one request: two POSTs to the same inbox share method
    and target, never a signature, so a genuine answer captured from one cannot be replayed
    as the answer to another.
    """
    return ("@status", "content-digest", '"@method";req', '"@target-uri";req',
            f'"signature";req;key="{request_label}"')


#: Our signers always use SIGNATURE_LABEL, so this is what our client demands of answers.
RESPONSE_COMPONENTS = response_components(SIGNATURE_LABEL)
#: An answer to an unsigned request (a public node document fetched by a browser or a
#: crawler) has no request signature to cover.
UNSIGNED_REQUEST_RESPONSE_COMPONENTS = RESPONSE_COMPONENTS[:4]
REQUIRED_PARAMS = ("alg", "created", "expires", "nonce", "keyid", "tag")


@dataclass(frozen=True)
class SignaturePolicy:
    """Everything the verifier checks beyond the Ed25519 maths."""

    components: tuple[str, ...] = REQUEST_COMPONENTS
    params: tuple[str, ...] = REQUIRED_PARAMS
    tag: str | None = SIGNATURE_TAG
    max_age: int | None = MAX_AGE
    max_future_skew: int = MAX_FUTURE_SKEW
    max_lifetime: int | None = MAX_LIFETIME
    min_nonce_length: int = MIN_NONCE_LENGTH
    #: Only the join endpoint accepts a key the operator has not approved yet.
    accept_pending: bool = False


REQUEST_POLICY = SignaturePolicy()
RESPONSE_POLICY = SignaturePolicy(components=RESPONSE_COMPONENTS)
JOIN_POLICY = replace(REQUEST_POLICY, accept_pending=True)
