"""Reading feed pages: the cursor followed for a few pages, a refusal returned with the pages
before it, and the same answers from a reader process (real spawn, real HTTP on 127.0.0.1)."""

from __future__ import annotations

import pickle
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from federation.client import PeerRefused, PeerResponseInvalid, PeerUnreachable, SignedClient
from federation.errors import RecordRefused, SignatureRefused
from federation.feedread import FeedPageInvalid, PageReader, page_url, read_pages
from federation.jsonbody import dump_json_body
from federation.keys import KeyRecord, KeyStatus, save_private_key
from federation.signatures import sign_response
from federation.urlpolicy import AddressRefused
from federation.verification import utc_now
from tests.federation.conftest import fixed_key, record_for

NODE = "lutzelbourg"
NODE_KEY = fixed_key(NODE)
READER_KEY = fixed_key("annuaire")
KEYS = {NODE_KEY.keyid: record_for(NODE_KEY)}


def member(name: str, origin: str = NODE) -> dict[str, Any]:
    return {"type": "member", "id": str(uuid.uuid4()), "origin": origin, "version": 1,
            "updated": "2026-01-01T00:00:00Z", "deleted": False,
            "payload": {"display_name": name}}


class Feed(BaseHTTPRequestHandler):
    """GET /feed?cursor=X answers the scripted (status, body) for X, signed by the node."""

    pages: dict[str, tuple[int, dict[str, Any]]]
    origin: str
    asked: list[str]

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        cursor = parse_qs(urlsplit(self.path).query).get("cursor", [""])[0]
        self.asked.append(cursor)
        status, payload = self.pages.get(cursor, (404, {"error": "nope", "message": ""}))
        body = dump_json_body(payload)
        headers = sign_response(status, {"Content-Type": "application/json"}, body,
                                request_method="GET", request_url=self.origin + self.path,
                                request_headers=self.headers.items(), key=NODE_KEY, now=utc_now())
        if cursor == "unsigned":
            headers = {"Content-Type": "application/json"}
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def feed() -> Iterator[type[Feed]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    handler = type("ScriptedFeed", (Feed,), {
        "pages": {}, "asked": [], "origin": f"http://127.0.0.1:{server.server_port}"})
    server.RequestHandlerClass = handler
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield handler
    finally:
        server.shutdown()
        server.server_close()


def page(records: list[dict[str, Any]], following: str, more: bool) -> tuple[int, dict[str, Any]]:
    return 200, {"records": records, "next": following, "more": more}


@pytest.fixture
def client() -> Iterator[SignedClient]:
    signed = SignedClient(READER_KEY, allow_private_addresses=True)
    yield signed
    signed.close()


def test_page_url_quotes_the_cursor() -> None:
    assert page_url("https://n.example/feed", "") == "https://n.example/feed"
    assert page_url("https://n.example/feed", "a+b/c=") == \
        "https://n.example/feed?cursor=a%2Bb%2Fc%3D"


def test_pages_follow_the_cursor_up_to_the_count(feed: type[Feed],
                                                 client: SignedClient) -> None:
    first, second, third = member("Une"), member("Deux"), member("Trois")
    feed.pages.update({"": page([first], "c1", True), "c1": page([second], "c2", True),
                       "c2": page([third], "c3", False)})
    url = feed.origin + "/feed"
    run = read_pages(client, url, "", KEYS, NODE, 2)
    assert [p.records for p in run.pages] == [[first], [second]] and run.error is None
    run = read_pages(client, url, "c1", KEYS, NODE, 5)
    assert [(p.next, p.more) for p in run.pages] == [("c2", True), ("c3", False)]
    assert feed.asked == ["", "c1", "c1", "c2"]


@pytest.mark.parametrize(("answer", "error"), [
    (page([member("Autre", origin="dossenheim")], "c2", False), RecordRefused),
    (page([{**member("Secret"), "payload": {"display_name": "S", "phone": "06"}}], "c2",
          False), RecordRefused),
    ((200, {"records": [], "more": False}), FeedPageInvalid),
    ((410, {"error": "resync_required", "message": "rebuilt"}), PeerRefused),
])
def test_a_refused_page_ends_the_run_after_the_good_ones(
        feed: type[Feed], client: SignedClient, answer: tuple[int, dict[str, Any]],
        error: type[Exception]) -> None:
    good = member("Honnête")
    feed.pages.update({"": page([good], "c1", True), "c1": answer})
    run = read_pages(client, feed.origin + "/feed", "", KEYS, NODE, 5)
    assert [p.records for p in run.pages] == [[good]]
    assert isinstance(run.error, error)


def test_the_reader_process_answers_like_this_process(feed: type[Feed], client: SignedClient,
                                                      tmp_path: Path) -> None:
    first, second = member("Une"), member("Deux")
    feed.pages.update({"": page([first], "c1", True), "c1": page([second], "c2", True),
                       "c2": (410, {"error": "resync_required", "message": "rebuilt"}),
                       "unsigned": page([first], "c3", False)})
    key_file = tmp_path / "annuaire.pem"
    save_private_key(READER_KEY, key_file)
    url = feed.origin + "/feed"
    reader = PageReader(key_file, READER_KEY.keyid, allow_private_addresses=True)
    try:
        far = reader.submit(url, "", KEYS, NODE, 5).result(timeout=60)
        near = read_pages(client, url, "", KEYS, NODE, 5)
        assert far.pages == near.pages and [p.records for p in far.pages] == [[first], [second]]
        assert isinstance(far.error, PeerRefused) and isinstance(near.error, PeerRefused)
        assert (far.error.status, far.error.code, far.error.message) == \
            (410, "resync_required", "rebuilt")
        unsigned = reader.submit(url, "unsigned", KEYS, NODE, 5).result(timeout=60)
        assert unsigned.pages == [] and isinstance(unsigned.error, PeerResponseInvalid)
    finally:
        reader.close()


def test_keys_and_refusals_cross_a_pipe_with_their_fields() -> None:
    retiring = record_for(NODE_KEY, KeyStatus.RETIRING, 1_800_000_000)
    copy: KeyRecord = pickle.loads(pickle.dumps(retiring))
    assert copy == retiring and copy.usable_at(1_700_000_000)
    for error in (PeerRefused("https://n.example/feed", 429, "rate_limited", "lent", 120),
                  PeerUnreachable("https://n.example/feed", "timeout", "trop long"),
                  RecordRefused("origin_mismatch", "pas à toi", 3),
                  SignatureRefused("signature_invalid", "faux"),
                  AddressRefused("address_refused", "interne")):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and again.__dict__ == error.__dict__
        assert str(again) == str(error)
