"""Signing and verification: RFC 9421 B.2.6 vector, then one test per refusal code."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from federation.errors import REFUSAL_STATUS, SIGNATURE_STATUS, SignatureRefused
from federation.keys import KeyRecord, KeyStatus, SigningKey, public_key_b64
from federation.nonces import MemoryNonceStore
from federation.policy import REQUEST_POLICY, SignaturePolicy
from federation.signatures import RequestView, sign_message, sign_request
from federation.verification import verify_signed_request
from tests.federation.conftest import DATA, NOW, ORIGIN, b26, fixed_key, record_for

Resolve = Callable[[str], KeyRecord | None]
BODY = b'{"records":[]}'
URL = ORIGIN + "/federation/inbox?batch=1"
TARGET = "/federation/inbox?batch=1"
NONCE = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


#: For the RFC 9421 Appendix B vectors only: no tag, no digest, no clock. It lives here, not
#: in federation/policy.py, so no app can import it.
LENIENT_TEST_POLICY = SignaturePolicy(
    components=(),
    params=("created", "keyid"),
    tag=None,
    max_age=None,
    max_lifetime=None,
)


# --- RFC 9421 Appendix B.2.6 -------------------------------------------------------------

def b26_key() -> SigningKey:
    private = load_pem_private_key((DATA / "rfc9421-test-key-ed25519.pem").read_bytes(), None)
    key = SigningKey.__new__(SigningKey)  # the RFC key id is not a Chaleur key id
    object.__setattr__(key, "_private", private)
    object.__setattr__(key, "keyid", "test-key-ed25519")
    return key


def b26_resolver(key: SigningKey) -> Resolve:
    record = KeyRecord("test-key-ed25519", "rfc9421-example", key.public_key, KeyStatus.ACTIVE)
    return {"test-key-ed25519": record}.get


def b26_headers(vector: dict[str, Any]) -> list[tuple[str, str]]:
    return [*map(tuple, vector["headers"]), ("Signature-Input", vector["signature_input"]),
            ("Signature", vector["signature"])]


def verify_b26(headers: list[tuple[str, str]], policy: Any = LENIENT_TEST_POLICY) -> Any:
    vector = b26()
    return verify_signed_request(
        vector["method"], vector["target"], headers, vector["body"].encode(),
        public_origin=vector["origin"], resolve_key=b26_resolver(b26_key()),
        nonces=MemoryNonceStore(), now=vector["created"] + 1, policy=policy)


def corrupt(signature_header: str) -> str:
    label, value = signature_header.split("=", 1)
    raw = bytearray(base64.b64decode(value.strip(":")))
    raw[10] ^= 0x01
    return f"{label}=:{base64.b64encode(bytes(raw)).decode()}:"


def test_rfc9421_b26_test_key_matches_vector() -> None:
    assert public_key_b64(b26_key().public_key) == b26()["public_key_b64url"]


def test_rfc9421_b26_signer_reproduces_base_and_signature_byte_for_byte() -> None:
    vector = b26()
    headers = dict(vector["headers"])
    message = RequestView("POST", vector["origin"] + vector["target"], headers)
    sign_message(message, key=b26_key(), components=vector["components"],
                 created=vector["created"], label=vector["label"], include_alg=False)
    assert headers["Signature-Input"] == vector["signature_input"]
    assert headers["Signature"] == vector["signature"]
    base = (DATA / "rfc9421-b26-signature-base.txt").read_bytes()
    assert hashlib.sha256(base).hexdigest() == vector["signature_base_sha256"]
    raw = base64.b64decode(vector["signature"].split("=", 1)[1].strip(":"))
    assert b26_key().private_key.sign(base) == raw


def test_rfc9421_b26_verifies_with_lenient_policy() -> None:
    peer = verify_b26(b26_headers(b26()))
    assert (peer.node_id, peer.keyid, peer.created) == ("rfc9421-example", "test-key-ed25519",
                                                        1618884473)


def test_rfc9421_b26_corrupted_signature_refused_by_lenient_policy() -> None:
    headers = [(k, corrupt(v) if k == "Signature" else v) for k, v in b26_headers(b26())]
    with pytest.raises(SignatureRefused) as refused:
        verify_b26(headers)
    assert refused.value.code == "signature_invalid"


def test_rfc9421_b26_refused_by_production_policy() -> None:
    with pytest.raises(SignatureRefused) as refused:
        verify_b26(b26_headers(b26()), REQUEST_POLICY)
    assert refused.value.code == "tag_mismatch"


@pytest.mark.parametrize(("policy_change", "code"), [
    ({"components": ("content-digest",)}, "component_missing"),
    ({"max_age": 300}, "created_too_old"),
])
def test_rfc9421_b26_refused_by_each_production_rule(policy_change: dict[str, Any],
                                                     code: str) -> None:
    vector = b26()
    policy = replace(LENIENT_TEST_POLICY, **policy_change)
    with pytest.raises(SignatureRefused) as refused:
        verify_signed_request(
            "POST", vector["target"], b26_headers(vector), vector["body"].encode(),
            public_origin=vector["origin"], resolve_key=b26_resolver(b26_key()),
            nonces=MemoryNonceStore(), now=NOW, policy=policy)
    assert refused.value.code == code


# --- the Chaleur profile -----------------------------------------------------------------

def signed(key: SigningKey, *, method: str = "POST", url: str = URL, body: bytes = BODY,
           now: int = NOW, nonce: str = NONCE, lifetime: int = 60) -> dict[str, str]:
    return sign_request(method, url, {"Content-Type": "application/json"}, body, key=key,
                        now=now, nonce=nonce, lifetime=lifetime)


def verify(headers: Any, resolver: Resolve, *, body: bytes = BODY, now: int = NOW + 1,
           nonces: MemoryNonceStore | None = None, method: str = "POST",
           target: str = TARGET, origin: str = ORIGIN) -> Any:
    return verify_signed_request(method, target, headers, body, public_origin=origin,
                                 resolve_key=resolver, nonces=nonces or MemoryNonceStore(),
                                 now=now)


def refusal(headers: Any, resolver: Resolve, **kwargs: Any) -> str:
    with pytest.raises(SignatureRefused) as refused:
        verify(headers, resolver, **kwargs)
    return refused.value.code


def with_input(headers: dict[str, str], old: str, new: str) -> dict[str, str]:
    assert old in headers["Signature-Input"]
    return {**headers, "Signature-Input": headers["Signature-Input"].replace(old, new)}


def test_signed_post_verifies(node_key: SigningKey, resolver: Resolve) -> None:
    peer = verify(signed(node_key), resolver)
    assert (peer.node_id, peer.keyid, peer.nonce) == ("lutzelbourg", "lutzelbourg:k1", NONCE)
    assert peer.expires == NOW + 60


def test_signed_post_with_corrupted_signature_refused(node_key: SigningKey,
                                                      resolver: Resolve) -> None:
    headers = signed(node_key)
    headers["Signature"] = corrupt(headers["Signature"])
    assert refusal(headers, resolver) == "signature_invalid"


def test_signed_get_covers_empty_body_digest(node_key: SigningKey, resolver: Resolve) -> None:
    headers = signed(node_key, method="GET", body=b"")
    assert headers["Content-Digest"] == "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:"
    assert verify(headers, resolver, method="GET", body=b"").keyid == "lutzelbourg:k1"
    assert refusal(headers, resolver, method="GET", body=b"x") == "digest_mismatch"


def test_method_is_covered(node_key: SigningKey, resolver: Resolve) -> None:
    assert refusal(signed(node_key), resolver, method="PUT") == "signature_invalid"


def test_missing_signature_headers(node_key: SigningKey, resolver: Resolve) -> None:
    headers = signed(node_key)
    del headers["Signature"]
    assert refusal(headers, resolver) == "signature_missing"
    assert refusal({"Content-Type": "application/json"}, resolver) == "signature_missing"


def test_unparsable_signature_input(node_key: SigningKey, resolver: Resolve) -> None:
    headers = {**signed(node_key), "Signature-Input": "sig1=(\"@method\" garbage"}
    assert refusal(headers, resolver) == "signature_malformed"


def test_labels_must_match(node_key: SigningKey, resolver: Resolve) -> None:
    headers = signed(node_key)
    headers["Signature"] = headers["Signature"].replace("sig1=", "sig2=")
    assert refusal(headers, resolver) == "signature_malformed"


def test_second_signature_refused(node_key: SigningKey, resolver: Resolve) -> None:
    headers = signed(node_key)
    second = signed(node_key, nonce="B" * 32)
    both = {
        **headers,
        "Signature-Input": headers["Signature-Input"] + ", "
        + second["Signature-Input"].replace("sig1=", "sig2="),
        "Signature": headers["Signature"] + ", " + second["Signature"].replace("sig1=", "sig2="),
    }
    assert refusal(both, resolver) == "signature_multiple"


def test_untagged_second_signature_refused(node_key: SigningKey, resolver: Resolve) -> None:
    headers = signed(node_key)
    lines = list(headers.items()) + [
        ("Signature-Input", 'extra=("@method");created=1750000000;keyid="x"'),
        ("Signature", "extra=:AAAA:")]
    assert refusal(lines, resolver) == "signature_multiple"


def test_wrong_tag_refused(node_key: SigningKey, resolver: Resolve) -> None:
    headers = with_input(signed(node_key), 'tag="chaleur"', 'tag="other"')
    assert refusal(headers, resolver) == "tag_mismatch"


def test_wrong_alg_refused(node_key: SigningKey, resolver: Resolve) -> None:
    headers = with_input(signed(node_key), 'alg="ed25519"', 'alg="rsa-pss-sha512"')
    assert refusal(headers, resolver) == "alg_unsupported"


@pytest.mark.parametrize("component", ['"@method" ', '"@target-uri" ', '"@authority" ',
                                       ' "content-digest"'])
def test_each_required_component(node_key: SigningKey, resolver: Resolve,
                                 component: str) -> None:
    headers = with_input(signed(node_key), component, "")
    assert refusal(headers, resolver) == "component_missing"


@pytest.mark.parametrize("param", [";created=1750000000", ';keyid="lutzelbourg:k1"',
                                   ';alg="ed25519"', ";expires=1750000060",
                                   f';nonce="{NONCE}"'])
def test_each_required_param(node_key: SigningKey, resolver: Resolve, param: str) -> None:
    headers = with_input(signed(node_key), param, "")
    assert refusal(headers, resolver) == "param_missing"


def test_unknown_param_refused(node_key: SigningKey, resolver: Resolve) -> None:
    headers = with_input(signed(node_key), ';tag="chaleur"', ';tag="chaleur";extra=1')
    assert refusal(headers, resolver) == "signature_malformed"


def test_short_nonce_refused(node_key: SigningKey, resolver: Resolve) -> None:
    assert refusal(signed(node_key, nonce="short"), resolver) == "nonce_invalid"


def test_created_too_old(node_key: SigningKey, resolver: Resolve) -> None:
    headers = signed(node_key, lifetime=300)
    assert verify(headers, resolver, now=NOW + 300).created == NOW
    assert refusal(headers, resolver, now=NOW + 301) == "created_too_old"


def test_created_in_future(node_key: SigningKey, resolver: Resolve) -> None:
    headers = signed(node_key)
    assert verify(headers, resolver, now=NOW - 30).created == NOW
    assert refusal(headers, resolver, now=NOW - 31) == "created_in_future"


def test_expired(node_key: SigningKey, resolver: Resolve) -> None:
    headers = signed(node_key, lifetime=10)
    assert verify(headers, resolver, now=NOW + 10).expires == NOW + 10
    assert refusal(headers, resolver, now=NOW + 11) == "expired"


def test_expires_too_far_after_created(node_key: SigningKey, resolver: Resolve) -> None:
    headers = with_input(signed(node_key), "expires=1750000060", "expires=1750000301")
    assert refusal(headers, resolver) == "lifetime_too_long"


def test_signer_refuses_long_lifetime(node_key: SigningKey) -> None:
    with pytest.raises(ValueError):
        signed(node_key, lifetime=301)


def test_unknown_key(node_key: SigningKey) -> None:
    nobody: dict[str, KeyRecord] = {}
    assert refusal(signed(node_key), nobody.get) == "key_unknown"


@pytest.mark.parametrize("status", [KeyStatus.PENDING, KeyStatus.SUSPENDED, KeyStatus.REVOKED])
def test_key_not_usable(node_key: SigningKey, status: KeyStatus) -> None:
    resolver = {node_key.keyid: record_for(node_key, status)}.get
    assert refusal(signed(node_key), resolver) == "key_not_usable"


def test_retiring_key_valid_only_during_grace(node_key: SigningKey) -> None:
    in_grace = {node_key.keyid: record_for(node_key, KeyStatus.RETIRING, NOW + 1)}.get
    assert verify(signed(node_key), in_grace).key_status is KeyStatus.RETIRING
    past = {node_key.keyid: record_for(node_key, KeyStatus.RETIRING, NOW)}.get
    assert refusal(signed(node_key), past) == "key_not_usable"


def test_other_nodes_key_cannot_sign_as_us(node_key: SigningKey) -> None:
    other = fixed_key("sparsbach")
    forged = sign_request("POST", URL, {}, BODY, key=SigningKey(other.private_key, node_key.keyid),
                          now=NOW, nonce=NONCE)
    assert refusal(forged, {node_key.keyid: record_for(node_key)}.get) == "signature_invalid"


def test_body_digest_mismatch(node_key: SigningKey, resolver: Resolve) -> None:
    assert refusal(signed(node_key), resolver, body=b'{"records":[1]}') == "digest_mismatch"


def test_covered_digest_header_absent(node_key: SigningKey, resolver: Resolve) -> None:
    headers = signed(node_key)
    del headers["Content-Digest"]
    assert refusal(headers, resolver) == "digest_missing"


def test_target_must_match_public_origin(node_key: SigningKey, resolver: Resolve) -> None:
    headers = {**signed(node_key), "Host": "directory.example"}
    assert refusal(headers, resolver, origin="https://node.example") == "target_mismatch"
    assert refusal(headers, resolver, target="/federation/inbox") == "signature_invalid"


def test_host_header_is_never_trusted(node_key: SigningKey, resolver: Resolve) -> None:
    evil = sign_request("POST", "https://evil.example" + TARGET, {}, BODY, key=node_key,
                        now=NOW, nonce=NONCE)
    evil["Host"] = "evil.example"
    assert refusal(evil, resolver) == "target_mismatch"


def test_absolute_form_target_refused(node_key: SigningKey, resolver: Resolve) -> None:
    assert refusal(signed(node_key), resolver, target=URL) == "target_mismatch"


def test_replayed_nonce(node_key: SigningKey, resolver: Resolve) -> None:
    store = MemoryNonceStore()
    headers = signed(node_key)
    verify(headers, resolver, nonces=store)
    assert refusal(headers, resolver, nonces=store) == "nonce_replayed"


def test_every_refusal_code_has_a_status() -> None:
    assert set(SIGNATURE_STATUS.values()) <= {400, 401, 403}
    assert REFUSAL_STATUS["key_not_usable"] == 403
    assert REFUSAL_STATUS["origin_mismatch"] == 403
    assert REFUSAL_STATUS["payload_too_large"] == 413
    assert REFUSAL_STATUS["signature_invalid"] == 401
    assert SignatureRefused("nonce_replayed", "x").as_json() == {"error": "nonce_replayed",
                                                                 "message": "x"}


def test_production_policies_cannot_be_lenient() -> None:
    """The policies an app can import all demand the full profile; the lenient policy of
    the RFC vectors lives in this test module only."""
    import federation.policy as policy_module

    policies = [value for value in vars(policy_module).values()
                if isinstance(value, SignaturePolicy)]
    assert len(policies) >= 3 and not hasattr(policy_module, "LENIENT_TEST_POLICY")
    for policy in policies:
        assert policy.tag == "chaleur" and policy.max_age == 300 and policy.max_lifetime == 300
        assert {"nonce", "created", "expires", "keyid", "alg", "tag"} <= set(policy.params)
        assert {"@method", "@target-uri"} & {c.strip('"').split('"')[0]
                                             for c in policy.components}


def test_request_verification_requires_a_nonce_store_by_its_type() -> None:
    """Not a `None` check at run time: the signature of the function has no way to pass
    without a store (mypy refuses `nonces=None`), and responses take none at all."""
    import typing

    from federation.nonces import NonceStore
    from federation.verification import verify_signed_response

    hints = typing.get_type_hints(verify_signed_request)
    assert hints["nonces"] is NonceStore
    assert "nonces" not in typing.get_type_hints(verify_signed_response)
