from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from federation.keys import (
    KeyId,
    fingerprint,
    generate_signing_key,
    load_private_key,
    load_public_key_b64,
    make_keyid,
    next_keyid,
    parse_keyid,
    public_key_b64,
    public_key_pem,
    save_private_key,
)
from tests.federation.conftest import DATA, b26, fixed_key


def test_save_creates_owner_only_file_and_never_overwrites(tmp_path: Path) -> None:
    key = generate_signing_key("lutzelbourg:k1")
    path = tmp_path / "node.key"
    save_private_key(key, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(FileExistsError):
        save_private_key(generate_signing_key("lutzelbourg:k1"), path)
    loaded = load_private_key(path, "lutzelbourg:k1")
    assert public_key_b64(loaded.public_key) == public_key_b64(key.public_key)


def test_save_ignores_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        save_private_key(generate_signing_key("a:k1"), tmp_path / "k")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "k").st_mode) == 0o600


def test_load_refuses_world_readable_key(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    save_private_key(generate_signing_key("a:k1"), path)
    os.chmod(path, 0o644)
    with pytest.raises(PermissionError):
        load_private_key(path, "a:k1")


def test_repr_and_str_do_not_leak_private_key() -> None:
    key = fixed_key("lutzelbourg")
    raw = key.private_key.private_bytes_raw()
    for text in (repr(key), str(key), f"{key}"):
        assert raw.hex() not in text and "PRIVATE" not in text
        assert "lutzelbourg:k1" in text and fingerprint(key.public_key) in text
    with pytest.raises(TypeError):
        import pickle
        pickle.dumps(key)


def test_public_key_exports_round_trip() -> None:
    key = fixed_key("lutzelbourg")
    text = public_key_b64(key.public_key)
    assert len(text) == 43 and "=" not in text
    assert load_public_key_b64(text) == key.public_key
    pem = public_key_pem(key.public_key)
    assert load_pem_public_key(pem.encode()) == key.public_key


def test_rfc_test_key_base64url_matches_jwk_x() -> None:
    pub = load_pem_public_key((DATA / "rfc9421-test-key-ed25519.pub.pem").read_bytes())
    assert public_key_b64(pub) == b26()["public_key_b64url"]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["", "A" * 42, "A" * 44, "+" * 43, "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bt"])
def test_load_public_key_is_strict(text: str) -> None:
    with pytest.raises(ValueError):
        load_public_key_b64(text)


def test_fingerprint_format_and_known_value() -> None:
    pub = load_public_key_b64(b26()["public_key_b64url"])
    fp = fingerprint(pub)
    # independently: base32(sha256(raw key 26b40b8f...d1bb))[:20]
    assert fp == "WFWC-2G7K-2ETC-MOLW-J7NQ"
    assert fingerprint(fixed_key("x").public_key) != fp


def test_keyids_are_versioned() -> None:
    assert make_keyid("lutzelbourg") == "lutzelbourg:k1"
    assert next_keyid("lutzelbourg:k1") == "lutzelbourg:k2"
    assert parse_keyid("saverne-67:k12") == KeyId("saverne-67", 12)


@pytest.mark.parametrize("keyid", ["lutzelbourg", "Lutz:k1", "a:k0", "a:k01", "-a:k1",
                                   "a:k1 ", "https://evil.example/key", "a:b:k1"])
def test_bad_keyids_refused(keyid: str) -> None:
    with pytest.raises(ValueError):
        parse_keyid(keyid)
