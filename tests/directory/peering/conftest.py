"""Fixtures for the directory's federation endpoints: a directory with an identity, village
keys, and signed requests sent through the Flask test client."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from directory.extensions import db
from directory.peering.identity import create_identity
from federation.jsonbody import dump_json_body
from federation.keys import SigningKey
from federation.nodedoc import build_node_document, published
from federation.signatures import sign_request
from federation.verification import utc_now
from tests.directory.conftest import build_directory

ORIGIN = "http://pays.test"


def village_key(node_id: str, version: int = 1) -> SigningKey:
    """Deterministic TEST key of a village."""
    keyid = f"{node_id}:k{version}"
    seed = hashlib.sha256(f"chaleur directory test key {keyid}".encode()).digest()
    return SigningKey(Ed25519PrivateKey.from_private_bytes(seed), keyid)


def village_document(node_id: str, keys: list[SigningKey], name: str = "",
                     retiring: dict[str, str] | None = None) -> dict[str, Any]:
    retiring = retiring or {}
    return build_node_document(
        base_url=f"https://{node_id}.example", node_id=node_id,
        name=name or f"Tiers-lieu de {node_id.title()}", role="node",
        territory="Pays de Saverne, Plaine et Plateau", communes=["67475"],
        contact={"name": "Animatrice", "email": f"contact@{node_id}.example"},
        keys=[published(key.keyid, key.public_key,
                        "retiring" if key.keyid in retiring else "active",
                        retiring.get(key.keyid)) for key in keys],
        software_version="test")


def send(client: FlaskClient, method: str, path: str, payload: Any = None, *,
         key: SigningKey, now: int | None = None, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> TestResponse:
    """A signed request as a node sends it (signature over ORIGIN + path)."""
    raw = body if body is not None else (b"" if payload is None else dump_json_body(payload))
    signed = sign_request(method, ORIGIN + path,
                          {"Content-Type": "application/json"} if raw else {}, raw,
                          key=key, now=now or utc_now())
    signed.update(headers or {})
    return client.open(path, method=method, data=raw, headers=signed)


@pytest.fixture
def pays(tmp_path: Path) -> Iterator[Flask]:
    """The seeded directory (tests/directory/conftest.py) with its network identity."""
    app = build_directory(tmp_path, PUBLIC_URL=ORIGIN)
    with app.app_context():
        create_identity("pays-test")
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(pays: Flask) -> FlaskClient:
    return pays.test_client()


def join(client: FlaskClient, node_id: str, key: SigningKey | None = None,
         **document: Any) -> TestResponse:
    key = key or village_key(node_id)
    return send(client, "POST", "/federation/join", village_document(node_id, [key], **document),
                key=key)
