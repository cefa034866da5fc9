"""draft-cavage HTTP signatures: ours round-trip, refusals, and interop with httpsig (a
library nobody here wrote, on pycryptodome) in both directions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

import httpsig
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from federation.activitypub import signatures
from federation.activitypub.signatures import (
    RemoteKey,
    SignatureRefused,
    sign_request,
    verify_request,
)

NOW = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
ACTOR = "https://mastodon.example/users/ada"
KEY_ID = ACTOR + "#main-key"
INBOX = "https://sparsbach.example/ap/inbox"
BODY = b'{"type":"Follow","actor":"https://mastodon.example/users/ada"}'


@lru_cache(maxsize=2)
def key(n: int = 0) -> rsa.RSAPrivateKey:
    return signatures.generate_rsa_key()


def fetcher(*keys: rsa.RSAPrivateKey, owner: str = ACTOR) -> tuple[list[bool], object]:
    """A key fetcher handing out the given keys in turn (the last one stays)."""
    calls: list[bool] = []

    def fetch(key_id: str, refresh: bool) -> RemoteKey:
        calls.append(refresh)
        chosen = keys[min(len(calls) - 1, len(keys) - 1)]
        return RemoteKey(key_id, owner, signatures.public_key_pem(chosen))

    return calls, fetch


def signed(body: bytes | None = BODY, when: datetime = NOW, url: str = INBOX) -> dict[str, str]:
    return sign_request("POST" if body is not None else "GET", url, body, KEY_ID, key(), when)


def test_post_round_trip_names_the_owner() -> None:
    headers = signed()
    assert 'headers="(request-target) host date digest"' in headers["Signature"]
    assert 'algorithm="rsa-sha256"' in headers["Signature"]
    calls, fetch = fetcher(key())
    who = verify_request("POST", "/ap/inbox", headers, BODY, fetch, NOW,  # type: ignore[arg-type]
                         host="sparsbach.example")
    assert (who.key_id, who.owner) == (KEY_ID, ACTOR)
    assert calls == [False]


def test_get_signs_without_digest() -> None:
    headers = signed(None, url="https://sparsbach.example/ap/actor")
    assert 'headers="(request-target) host date"' in headers["Signature"]
    assert "Digest" not in headers
    _, fetch = fetcher(key())
    verify_request("GET", "/ap/actor", headers, b"", fetch, NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize("change, code", [
    (lambda h, b: (h, b + b" "), "digest_mismatch"),
    (lambda h, b: ({**h, "Digest": "MD5=abc"}, b), "digest_unsupported"),
    (lambda h, b: ({k: v for k, v in h.items() if k != "Digest"}, b), "component_missing"),
    (lambda h, b: ({**h, "Signature": h["Signature"].replace("rsa-sha256", "hmac-sha1")}, b),
     "alg_unsupported"),
    (lambda h, b: ({**h, "Signature": h["Signature"].replace(" digest", "")}, b),
     "component_missing"),
    (lambda h, b: ({k: v for k, v in h.items() if k != "Signature"}, b), "signature_missing"),
    (lambda h, b: ({**h, "Signature": "nonsense"}, b), "signature_malformed"),
])
def test_refusals(change: object, code: str) -> None:
    headers, body = change(signed(), BODY)  # type: ignore[operator]
    _, fetch = fetcher(key())
    with pytest.raises(SignatureRefused) as refused:
        verify_request("POST", "/ap/inbox", headers, body, fetch, NOW)  # type: ignore[arg-type]
    assert refused.value.code == code


def test_stale_or_future_date_is_refused() -> None:
    _, fetch = fetcher(key())
    for when, code in ((NOW - timedelta(hours=2), "date_too_old"),
                       (NOW + timedelta(minutes=10), "date_in_future")):
        with pytest.raises(SignatureRefused) as refused:
            verify_request("POST", "/ap/inbox", signed(when=when), BODY, fetch,  # type: ignore[arg-type]
                           NOW)
        assert refused.value.code == code


def test_signed_for_another_host_or_path_fails() -> None:
    _, fetch = fetcher(key())
    with pytest.raises(SignatureRefused, match="does not verify"):
        verify_request("POST", "/ap/inbox", signed(), BODY, fetch, NOW,  # type: ignore[arg-type]
                       host="westhouse.example")
    with pytest.raises(SignatureRefused, match="does not verify"):
        verify_request("POST", "/federation/inbox", signed(), BODY, fetch,  # type: ignore[arg-type]
                       NOW)


def test_a_rotated_key_is_refetched_once() -> None:
    calls, fetch = fetcher(key(1), key())  # the cache holds an old key; the fresh one works
    verify_request("POST", "/ap/inbox", signed(), BODY, fetch, NOW)  # type: ignore[arg-type]
    assert calls == [False, True]
    calls, fetch = fetcher(key(1))  # still wrong after the refetch: refused, no third look
    with pytest.raises(SignatureRefused):
        verify_request("POST", "/ap/inbox", signed(), BODY, fetch, NOW)  # type: ignore[arg-type]
    assert calls == [False, True]


def test_hs2019_is_accepted() -> None:
    headers = signed()
    headers["Signature"] = headers["Signature"].replace("rsa-sha256", "hs2019")
    _, fetch = fetcher(key())
    verify_request("POST", "/ap/inbox", headers, BODY, fetch, NOW)  # type: ignore[arg-type]


def test_httpsig_verifies_our_signature() -> None:
    """Our POST and GET, checked by httpsig's HeaderVerifier (pycryptodome underneath)."""
    public = signatures.public_key_pem(key())
    for method, body, url in (("POST", BODY, INBOX),
                              ("GET", None, "https://sparsbach.example/ap/outbox?page=true")):
        now = datetime.now(UTC)
        headers = sign_request(method, url, body, KEY_ID, key(), now)
        path = url.split("sparsbach.example", 1)[1]
        verifier = httpsig.HeaderVerifier(headers, public, method=method, path=path,
                                          host="sparsbach.example", sign_header="Signature",
                                          required_headers=["(request-target)", "host", "date"])
        assert verifier.verify()
        headers["Date"] = signatures.http_date(now + timedelta(seconds=1))
        broken = httpsig.HeaderVerifier(headers, public, method=method, path=path,
                                        host="sparsbach.example", sign_header="Signature")
        assert not broken.verify()


def test_we_verify_httpsig_signatures() -> None:
    """A request signed by httpsig's HeaderSigner passes our verifier, tampered it fails."""
    pem = signatures.private_key_pem(key()).decode()
    now = datetime.now(UTC)
    base = {"Host": "sparsbach.example", "Date": signatures.http_date(now),
            "Digest": signatures.body_digest(BODY)}
    signer = httpsig.HeaderSigner(KEY_ID, pem, algorithm="rsa-sha256", sign_header="Signature",
                                  headers=["(request-target)", "host", "date", "digest"])
    headers = signer.sign(dict(base), host="sparsbach.example", method="POST", path="/ap/inbox")
    _, fetch = fetcher(key())
    who = verify_request("POST", "/ap/inbox", headers, BODY, fetch, now)  # type: ignore[arg-type]
    assert who.owner == ACTOR
    with pytest.raises(SignatureRefused):
        verify_request("POST", "/ap/inbox", headers, BODY.replace(b"Follow", b"Undo"),
                       fetch, now)  # type: ignore[arg-type]
