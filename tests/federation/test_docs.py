"""docs/federation.md never drifts: every example block is regenerated and compared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from federation.keys import KeyRecord, KeyStatus
from federation.nonces import MemoryNonceStore
from federation.verification import verify_signed_request, verify_signed_response
from tests.federation.doc_examples import (
    DIRECTORY_KEY,
    DOC,
    NODE_KEY,
    NOW,
    blocks,
    examples,
    rewrite,
)

TEXT = DOC.read_text("utf-8")
RESOLVE = {key.keyid: KeyRecord(key.keyid, key.keyid.split(":")[0], key.public_key,
                                KeyStatus.ACTIVE) for key in (NODE_KEY, DIRECTORY_KEY)}.get


def test_doc_has_every_example_and_no_stale_one() -> None:
    assert set(blocks(TEXT)) == set(examples())


@pytest.mark.parametrize("name", sorted(examples()))
def test_example_block_is_byte_exact(name: str) -> None:
    assert blocks(TEXT)[name] == examples()[name]


def test_rewrite_is_a_fixed_point() -> None:
    assert rewrite(TEXT) == TEXT


def parse_http(text: str) -> tuple[str, list[tuple[str, str]], bytes]:
    head, body = text.split("\n\n", 1)
    first, *lines = head.split("\n")
    headers = [(name, value) for name, value in (line.split(": ", 1) for line in lines)]
    return first, headers, body.encode()


def test_documented_request_verifies_as_printed() -> None:
    first, headers, body = parse_http(blocks(TEXT)["inbox-request"])
    method, target, _ = first.split(" ")
    peer = verify_signed_request(method, target, headers, body,
                                 public_origin="https://annuaire.example", resolve_key=RESOLVE,
                                 nonces=MemoryNonceStore(), now=NOW + 1)
    assert peer.keyid == "lutzelbourg:k1"
    assert dict(headers)["Content-Length"] == str(len(body))


def test_documented_responses_verify_as_printed() -> None:
    for name, request, method, url in [
        ("inbox-response", "inbox-request", "POST", "https://annuaire.example/federation/inbox"),
        ("feed-response", "feed-request", "GET",
         "https://lutzelbourg.example/federation/feed?limit=2"),
    ]:
        first, headers, body = parse_http(blocks(TEXT)[name])
        _, request_headers, _ = parse_http(blocks(TEXT)[request])
        status = int(first.split(" ")[1])
        peer = verify_signed_response(status, headers, body, request_method=method,
                                      request_url=url, request_headers=request_headers,
                                      resolve_key=RESOLVE, now=NOW + 2)
        assert peer.created == NOW + 1


def test_linked_schema_files_exist() -> None:
    for link in re.findall(r"\]\(\.\./(federation/schemas/[a-z]+\.json)\)", TEXT):
        assert (Path(DOC).parents[1] / link).is_file(), link
    assert "node.json" in TEXT and "envelope.json" in TEXT
