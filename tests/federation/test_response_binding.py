"""Responses bound to the request they answer (RFC 9421 section 2.4, the `req` parameter).

A response covers the request's method, target URI and signature: a genuine answer to one
request never verifies as the answer to another, even to the same URL. Checked with our
verifier and, for interoperability, with pyauth's RFC 9421 verifier used directly.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from http_message_signatures import HTTPMessageVerifier, MappingKeyResolver, algorithms
from http_message_signatures.exceptions import InvalidSignature

from federation.digest import make_content_digest
from federation.errors import SignatureRefused
from federation.keys import KeyRecord, SigningKey
from federation.signatures import (
    RequestView,
    ResponseView,
    request_signature_label,
    sign_message,
    sign_request,
    sign_response,
)
from federation.verification import utc_now, verify_signed_response
from tests.federation.conftest import NOW, ORIGIN, fixed_key, record_for

Resolve = Callable[[str], KeyRecord | None]
URL = ORIGIN + "/federation/inbox"
ANSWER = b'{"applied":1,"ignored":0}'


def request(key: SigningKey, body: bytes = b'{"records":[]}', nonce: str = "A" * 32,
            now: int = NOW) -> dict[str, str]:
    return sign_request("POST", URL, {"Content-Type": "application/json"}, body, key=key,
                        now=now, nonce=nonce)


def answer(server: SigningKey, request_headers: dict[str, str],
           now: int = NOW + 1) -> dict[str, str]:
    return sign_response(202, {"Content-Type": "application/json"}, ANSWER,
                         request_method="POST", request_url=URL,
                         request_headers=request_headers, key=server, now=now)


def check(response: dict[str, str], request_headers: dict[str, str], resolve: Resolve,
          *, url: str = URL, status: int = 202, body: bytes = ANSWER) -> str:
    try:
        verify_signed_response(status, response, body, request_method="POST", request_url=url,
                               request_headers=request_headers, resolve_key=resolve,
                               now=NOW + 2)
    except SignatureRefused as refused:
        return refused.code
    return "ok"


@pytest.fixture
def server() -> SigningKey:
    return fixed_key("annuaire")


@pytest.fixture
def server_keys(server: SigningKey) -> Resolve:
    return {server.keyid: record_for(server)}.get


def test_an_answer_verifies_for_its_own_request(node_key: SigningKey, server: SigningKey,
                                                server_keys: Resolve) -> None:
    sent = request(node_key)
    response = answer(server, sent)
    assert '"signature";req;key="sig1"' in response["Signature-Input"]
    assert check(response, sent, server_keys) == "ok"


def test_an_answer_replayed_for_another_request_to_the_same_url_is_refused(
        node_key: SigningKey, server: SigningKey, server_keys: Resolve) -> None:
    first, second = request(node_key, nonce="A" * 32), request(node_key, nonce="B" * 32)
    genuine = answer(server, first)
    assert check(genuine, second, server_keys) == "signature_invalid"


def test_status_target_and_body_stay_covered(node_key: SigningKey, server: SigningKey,
                                             server_keys: Resolve) -> None:
    sent = request(node_key)
    response = answer(server, sent)
    assert check(response, sent, server_keys, status=200) == "signature_invalid"
    assert check(response, sent, server_keys, url=URL + "?x") == "signature_invalid"
    assert check(response, sent, server_keys, body=b'{"applied":0}') == "digest_mismatch"


def test_an_answer_that_does_not_cover_the_request_signature_is_refused(
        node_key: SigningKey, server: SigningKey, server_keys: Resolve) -> None:
    """What the first version of the profile signed: method and target only."""
    sent = request(node_key)
    old = {"Content-Type": "application/json", "Content-Digest": make_content_digest(ANSWER)}
    message = ResponseView(202, old, RequestView("POST", URL, sent))
    sign_message(message, key=server, created=NOW + 1, expires=NOW + 61, nonce="C" * 32,
                 tag="chaleur", components=("@status", "content-digest", '"@method";req',
                                            '"@target-uri";req'))
    assert check(old, sent, server_keys) == "component_missing"


def test_component_parameters_may_come_in_any_order(node_key: SigningKey, server: SigningKey,
                                                    server_keys: Resolve) -> None:
    """`"signature";key="sig1";req` is the same component as `"signature";req;key="sig1"`."""
    sent = request(node_key)
    headers = {"Content-Type": "application/json", "Content-Digest": make_content_digest(ANSWER)}
    sign_message(ResponseView(202, headers, RequestView("POST", URL, sent)), key=server,
                 created=NOW + 1, expires=NOW + 61, nonce="D" * 32, tag="chaleur",
                 components=("@status", "content-digest", '"@method";req', '"@target-uri";req',
                             '"signature";key="sig1";req'))
    assert check(headers, sent, server_keys) == "ok"


def test_the_binding_follows_the_label_of_a_foreign_signer(node_key: SigningKey,
                                                           server: SigningKey) -> None:
    """Another implementation may label its request signature differently."""
    sent = request(node_key)
    relabelled = {**sent, "Signature-Input": sent["Signature-Input"].replace("sig1=", "req-a="),
                  "Signature": sent["Signature"].replace("sig1=", "req-a=")}
    assert request_signature_label(relabelled) == "req-a"
    response = answer(server, relabelled)
    assert '"signature";req;key="req-a"' in response["Signature-Input"]


def test_an_unsigned_request_gets_an_answer_bound_to_method_and_target_only(
        server: SigningKey) -> None:
    response = answer(server, {"Accept": "application/json"})
    assert "signature" not in response["Signature-Input"].split(");")[0].replace(
        "Signature", "")
    assert '"@target-uri";req' in response["Signature-Input"]


def test_pyauth_verifies_the_binding_on_its_own(node_key: SigningKey, server: SigningKey) -> None:
    """Interop: the RFC 9421 library, without our profile code, accepts the bound answer for
    its request and refuses it for another request to the same URL (pyauth reads the wall
    clock, so these are signed now)."""
    sent = request(node_key, now=utc_now())
    response = answer(server, sent, now=utc_now())
    verifier = HTTPMessageVerifier(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(public_keys={server.keyid: server.public_key},
                                        private_keys={}))
    (result,) = verifier.verify(ResponseView(202, response, RequestView("POST", URL, sent)),
                                max_age=None)
    assert '"signature";req;key="sig1"' in str(result.covered_components)
    other = request(node_key, nonce="E" * 32, now=utc_now())
    with pytest.raises(InvalidSignature):
        verifier.verify(ResponseView(202, response, RequestView("POST", URL, other)),
                        max_age=None)
