from __future__ import annotations

import pytest

from federation.digest import make_content_digest, verify_content_digest
from federation.errors import DigestRefused
from tests.federation.conftest import b26

BODY = b'{"hello": "world"}'


def test_rfc9530_sample_values() -> None:
    vector = b26()
    assert make_content_digest(BODY) == vector["rfc9530_sha256"]
    assert make_content_digest(BODY, "sha-512") == vector["rfc9530_sha512"]


@pytest.mark.parametrize("name", ["rfc9530_sha256", "rfc9530_sha512"])
def test_rfc9530_samples_verify_and_detect_one_changed_byte(name: str) -> None:
    header = b26()[name]
    verify_content_digest(header, BODY)
    with pytest.raises(DigestRefused) as refused:
        verify_content_digest(header, BODY.replace(b"world", b"World"))
    assert refused.value.code == "digest_mismatch"


def test_both_members_must_match() -> None:
    vector = b26()
    header = vector["rfc9530_sha256"] + ", " + vector["rfc9530_sha512"]
    verify_content_digest(header, BODY)
    wrong = vector["rfc9530_sha256"] + ", " + make_content_digest(b"other", "sha-512")
    with pytest.raises(DigestRefused) as refused:
        verify_content_digest(wrong, BODY)
    assert refused.value.code == "digest_mismatch"


@pytest.mark.parametrize(("header", "code"), [
    (None, "digest_missing"),
    ("md5=:Sd/dVLAcvNLSq16eXua5uQ==:", "digest_unsupported"),
    ("sha=:07CavjDP4u3/TungoUHJO/Wzr4c=:", "digest_unsupported"),
    ("sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", "digest_malformed"),
    ("sha-256=:AAAA:", "digest_malformed"),
    ("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:;x=1", "digest_malformed"),
    ("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, "
     "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", "digest_malformed"),
    ("", "digest_malformed"),
    ("sha-256=:é:", "digest_malformed"),
])
def test_malformed_or_unknown_digests_refused(header: str | None, code: str) -> None:
    with pytest.raises(DigestRefused) as refused:
        verify_content_digest(header, BODY)
    assert refused.value.code == code
    assert refused.value.status == 400
