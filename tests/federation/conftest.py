"""Fixtures for the protocol core: fixed keys, a key resolver, a fixed clock."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation.keys import KeyRecord, KeyStatus, SigningKey
from federation.nonces import MemoryNonceStore

DATA = Path(__file__).parent / "data"
NOW = 1_750_000_000  # 2025-06-15T15:06:40Z
ORIGIN = "https://directory.example"


def fixed_key(node_id: str, version: int = 1) -> SigningKey:
    """Deterministic TEST key (seed = sha256 of the key id): reproducible signatures."""
    keyid = f"{node_id}:k{version}"
    seed = hashlib.sha256(f"chaleur test key {keyid}".encode()).digest()
    return SigningKey(Ed25519PrivateKey.from_private_bytes(seed), keyid)


def record_for(key: SigningKey, status: KeyStatus = KeyStatus.ACTIVE,
               grace_until: int | None = None) -> KeyRecord:
    return KeyRecord(key.keyid, key.keyid.split(":")[0], key.public_key, status, grace_until)


def b26() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "rfc9421-b26.json").read_text())
    return data


@pytest.fixture
def node_key() -> SigningKey:
    return fixed_key("lutzelbourg")


@pytest.fixture
def resolver(node_key: SigningKey) -> Callable[[str], KeyRecord | None]:
    records = {node_key.keyid: record_for(node_key)}
    return records.get


@pytest.fixture
def nonces() -> MemoryNonceStore:
    return MemoryNonceStore()
