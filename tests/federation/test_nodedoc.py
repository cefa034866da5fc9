from __future__ import annotations

import copy
from typing import Any

import pytest

from federation.admission import verify_join_request
from federation.errors import RecordRefused, SignatureRefused
from federation.jsonbody import dump_json_body
from federation.keys import KeyStatus, SigningKey
from federation.nodedoc import (
    NODE_MEDIA_TYPE,
    build_node_document,
    document_keys,
    published,
    validate_node_document,
)
from federation.nonces import MemoryNonceStore
from federation.signatures import sign_request
from tests.federation.conftest import NOW, ORIGIN, fixed_key


def node_document(key: SigningKey) -> dict[str, Any]:
    return build_node_document(
        base_url="https://lutzelbourg.example", node_id="lutzelbourg", name="Lutzelbourg",
        role="node", territory="Pays de Saverne", communes=["67281"],
        contact={"name": "Léa", "email": "lea@example.org"},
        keys=[published(key.keyid, key.public_key)], software_version="0.1.0")


def test_built_document_validates_and_yields_keys(node_key: SigningKey) -> None:
    document = node_document(node_key)
    assert NODE_MEDIA_TYPE == "application/vnd.chaleur.node+json"
    assert validate_node_document(copy.deepcopy(document)) == document
    [record] = document_keys(document, KeyStatus.PENDING)
    assert record.public_key == node_key.public_key and record.status is KeyStatus.PENDING


@pytest.mark.parametrize("change", [
    {"role": "hub"}, {"base_url": "https://x.example/path"}, {"base_url": "ftp://x.example"},
    {"endpoints": {"inbox": "https://evil.example/in", "feed": "/f", "join": "/j",
                   "network": "/n"}},
    {"keys": []}, {"extra": True}, {"communes": ["1234"]},
])
def test_invalid_documents_refused(node_key: SigningKey, change: dict[str, Any]) -> None:
    document = {**node_document(node_key), **change}
    with pytest.raises(RecordRefused) as refused:
        validate_node_document(document)
    assert refused.value.code == "node_document_invalid"


def test_key_ids_must_belong_to_the_node(node_key: SigningKey) -> None:
    other = fixed_key("sparsbach")
    document = node_document(node_key)
    document["keys"].append({"keyid": other.keyid, "alg": "ed25519", "status": "active",
                             "public_key": document["keys"][0]["public_key"]})
    with pytest.raises(RecordRefused):
        validate_node_document(document)


def join(key: SigningKey, body: bytes, signer: SigningKey | None = None) -> Any:
    url = ORIGIN + "/federation/join"
    headers = sign_request("POST", url, {"Content-Type": "application/json"}, body,
                           key=signer or key, now=NOW, nonce="J" * 24)
    return verify_join_request("POST", "/federation/join", headers, body, public_origin=ORIGIN,
                               nonces=MemoryNonceStore(), now=NOW)


def test_join_request_proves_key_possession(node_key: SigningKey) -> None:
    document = node_document(node_key)
    peer, received = join(node_key, dump_json_body(document))
    assert received == document
    assert peer.node_id == "lutzelbourg" and peer.key_status is KeyStatus.PENDING


def test_join_signed_with_another_key_refused(node_key: SigningKey) -> None:
    impostor = SigningKey(fixed_key("sparsbach").private_key, node_key.keyid)
    with pytest.raises(SignatureRefused) as refused:
        join(node_key, dump_json_body(node_document(node_key)), signer=impostor)
    assert refused.value.code == "signature_invalid"


def test_join_body_digest_checked_before_parsing(node_key: SigningKey) -> None:
    url = ORIGIN + "/federation/join"
    headers = sign_request("POST", url, {}, b"{}", key=node_key, now=NOW)
    with pytest.raises(SignatureRefused) as refused:
        verify_join_request("POST", "/federation/join", headers, b"{not json",
                            public_origin=ORIGIN, nonces=MemoryNonceStore(), now=NOW)
    assert refused.value.code == "digest_mismatch"
