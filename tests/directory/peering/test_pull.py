"""Pulling a node's feed: pages and cursor, backoff on failure, resync on 410, and pages
refused when unsigned or carrying another node's records. The node is a small real HTTP
server on loopback that serves scripted, signed feed pages."""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from directory.extensions import db
from directory.models import Peer, Record
from directory.peering.joining import active_fingerprint, store_keys
from directory.peering.worker import PullWorker
from directory.services import fulltext, pull
from directory.services.peers import admit_node, register_join_request
from directory.services.pull import pull_once
from federation.feedread import PageReader
from federation.jsonbody import dump_json_body
from federation.signatures import sign_response
from federation.verification import utc_now
from federation.wsgi import request_headers, request_target
from tests.directory.peering.conftest import send, village_document, village_key
from tests.federation_e2e.conftest import free_port

NODE = "neuwiller"


class FeedDouble:
    """Answers GET /federation/feed?cursor=X with the scripted (status, body) for X."""

    def __init__(self) -> None:
        self.origin = f"http://127.0.0.1:{free_port()}"
        self.pages: dict[str, tuple[int, dict[str, Any]]] = {}
        self.asked: list[str] = []
        self.sign = True
        self.server: BaseWSGIServer | None = None

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        cursor = Request(environ).args.get("cursor", "")
        self.asked.append(cursor)
        status, payload = self.pages.get(cursor, (404, {"error": "nope", "message": ""}))
        body = dump_json_body(payload)
        headers = {"Content-Type": "application/json"}
        if self.sign and status < 400:
            headers = sign_response(status, headers, body, request_method="GET",
                                    request_url=self.origin + request_target(environ),
                                    request_headers=request_headers(environ),
                                    key=village_key(NODE), now=utc_now())
        return Response(body, status, headers=headers)(environ, start_response)

    def __enter__(self) -> FeedDouble:
        self.server = make_server("127.0.0.1", int(self.origin.rsplit(":", 1)[1]), self.wsgi,
                                  threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()


def member(name: str, version: int = 1, record_id: str = "", origin: str = NODE,
           deleted: bool = False) -> dict[str, Any]:
    return {"type": "member", "id": record_id or str(uuid.uuid4()), "origin": origin,
            "version": version, "updated": "2026-01-01T00:00:00Z", "deleted": deleted,
            "payload": None if deleted else {"display_name": name}}


def page(records: list[dict[str, Any]], following: str, more: bool) -> tuple[int, dict[str, Any]]:
    return 200, {"records": records, "next": following, "more": more}


@dataclass
class Reading:
    """How pages are read, and the cursors the reader process was asked for."""

    mode: str
    asked: list[str] = field(default_factory=list)

    def used_the_process(self) -> bool:
        return bool(self.asked) == (self.mode == "process")


@pytest.fixture(params=["thread", "process"])
def reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Reading:
    """Pages read by the prefetch thread, or by a reader process from the first page on
    (as in a large read)."""
    spied = Reading(request.param)
    if spied.mode == "process":
        monkeypatch.setattr(pull, "READER_AFTER_RECORDS", 0)
        submit = PageReader.submit

        def spy(reader: PageReader, feed_url: str, cursor: str, *args: Any) -> Any:
            spied.asked.append(cursor)
            return submit(reader, feed_url, cursor, *args)

        monkeypatch.setattr(PageReader, "submit", spy)
    return spied


@pytest.fixture
def feed(pays: Flask) -> Iterator[FeedDouble]:
    pays.config["FEDERATION_ALLOW_PRIVATE"] = True
    db.session.execute(delete(Peer))  # only the node under test is admitted
    with FeedDouble() as double:
        document = village_document(NODE, [village_key(NODE)])
        document["base_url"] = double.origin
        peer = register_join_request(document, active_fingerprint(document))
        store_keys(peer, document, datetime.now(UTC))
        db.session.commit()
        admit_node(NODE, by="test")
        yield double


def node_state() -> tuple[Peer, dict[str, tuple[int, bool]]]:
    db.session.expire_all()
    peer = db.session.scalars(select(Peer).where(Peer.node_id == NODE)).one()
    rows = db.session.execute(select(Record.uuid, Record.version, Record.deleted)
                              .where(Record.peer_id == peer.id)).all()
    return peer, {row[0]: (row[1], row[2]) for row in rows}


def test_pages_are_applied_in_order_and_the_cursor_kept(feed: FeedDouble,
                                                        reading: Reading) -> None:
    camille = member("Camille")
    feed.pages[""] = page([camille, member("Dominique")], "c1", True)
    feed.pages["c1"] = page([{**camille, "version": 2}, {**camille, "version": 3,
                                                          "deleted": True, "payload": None}],
                            "c2", False)
    now = datetime.now(UTC)
    report = pull_once(now)
    assert (report.nodes, report.pages, report.failures) == (1, 2, {})
    peer, records = node_state()
    assert records[camille["id"]] == (3, True) and len(records) == 2
    assert peer.feed_cursor == "c2" and peer.failures == 0
    assert peer.last_success_at is not None and peer.next_pull_at is not None
    assert peer.next_pull_at - now == timedelta(seconds=300)
    assert pull_once(now + timedelta(seconds=10)).nodes == 0  # not due yet
    feed.pages["c2"] = page([], "c2", False)
    assert pull_once(now + timedelta(seconds=301)).nodes == 1
    assert feed.asked == ["", "c1", "c2"]
    assert reading.asked == ([] if reading.mode == "thread" else ["", "c2"])


def test_a_failure_backs_off_exponentially(feed: FeedDouble) -> None:
    feed.pages[""] = (503, {"error": "busy", "message": ""})
    now = datetime.now(UTC)
    report = pull_once(now, rng=random.Random(1))
    assert report.failures == {NODE: "HTTP 503 busy"}
    peer, records = node_state()
    assert records == {} and peer.failures == 1 and peer.last_success_at is None
    assert peer.next_pull_at is not None
    assert 15 <= (peer.next_pull_at - now).total_seconds() <= 30
    second = peer.next_pull_at
    pull_once(second, rng=random.Random(1))
    peer, _ = node_state()
    assert peer.failures == 2 and peer.next_pull_at is not None
    assert 30 <= (peer.next_pull_at - second).total_seconds() <= 60


def test_resync_required_drops_the_nodes_records_and_reads_again(feed: FeedDouble,
                                                                  reading: Reading) -> None:
    kept, dropped = member("Gardée"), member("Disparue")
    feed.pages[""] = page([kept, dropped], "old", False)
    pull_once(datetime.now(UTC))
    feed.pages["old"] = (410, {"error": "resync_required", "message": "rebuilt"})
    feed.pages[""] = page([kept], "new", False)
    report = pull_once(datetime.now(UTC) + timedelta(seconds=301))
    assert report.resyncs == 1 and report.failures == {}
    peer, records = node_state()
    assert records == {kept["id"]: (1, False)} and peer.feed_cursor == "new"
    assert reading.used_the_process()


@pytest.mark.parametrize("problem", ["unsigned", "foreign", "invalid"])
def test_untrustworthy_pages_store_nothing(feed: FeedDouble, problem: str,
                                           reading: Reading) -> None:
    records = [member("Honnête")]
    if problem == "foreign":
        records.append(member("Autre", origin="dossenheim"))
    if problem == "invalid":
        records.append({**member("Secret"), "payload": {"display_name": "S", "phone": "06"}})
    feed.sign = problem != "unsigned"
    feed.pages[""] = page(records, "c1", False)
    report = pull_once(datetime.now(UTC))
    assert NODE in report.failures
    peer, stored = node_state()
    assert stored == {} and peer.feed_cursor == "" and peer.failures == 1
    assert reading.used_the_process()


def test_a_refused_page_keeps_the_pages_before_it(feed: FeedDouble,
                                                  reading: Reading) -> None:
    """Pages are committed several at a time: a refusal still keeps every whole page read
    before it, with its cursor, and the next run asks again from the refused page."""
    first, second = member("Première"), member("Deuxième")
    feed.pages[""] = page([first], "c1", True)
    feed.pages["c1"] = page([second], "c2", True)
    feed.pages["c2"] = page([member("Troisième"), member("Autre", origin="dossenheim")],
                            "c3", False)
    report = pull_once(datetime.now(UTC))
    assert NODE in report.failures and report.pages == 2
    peer, stored = node_state()
    assert set(stored) == {first["id"], second["id"]}
    assert peer.feed_cursor == "c2" and peer.failures == 1
    feed.pages["c2"] = page([member("Troisième")], "c3", False)
    pull_once(datetime.now(UTC) + timedelta(days=1))
    peer, stored = node_state()
    assert len(stored) == 3 and peer.feed_cursor == "c3" and peer.failures == 0
    assert feed.asked == ["", "c1", "c2", "c2"] and reading.used_the_process()


def test_pages_are_read_here_when_the_reader_process_dies(
        feed: FeedDouble, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(pull, "READER_AFTER_RECORDS", 0)

    def broken(*args: Any) -> Future[Any]:
        dead: Future[Any] = Future()
        dead.set_exception(BrokenProcessPool("killed"))
        return dead

    monkeypatch.setattr(PageReader, "submit", broken)
    feed.pages[""] = page([member("Une")], "c1", True)
    feed.pages["c1"] = page([member("Deux")], "c2", False)
    report = pull_once(datetime.now(UTC))
    assert (report.pages, report.applied, report.failures) == (2, 2, {})
    assert node_state()[0].feed_cursor == "c2"
    assert "reader process stopped" in caplog.text


def test_an_error_while_writing_keeps_cursor_and_records_together(
        feed: FeedDouble, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected failure rolls back to the last commit: the stored cursor is still the
    one of the last stored page, so nothing is skipped when the next run reads again."""
    feed.pages[""] = page([member("Première")], "c1", True)
    feed.pages["c1"] = page([member("Deuxième")], "c2", False)
    calls: list[object] = []
    real_add = fulltext.add

    def failing_add(rows: list[tuple[int, str]]) -> None:
        calls.append(rows)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real_add(rows)

    monkeypatch.setattr(fulltext, "add", failing_add)
    with pytest.raises(RuntimeError):
        pull_once(datetime.now(UTC))
    db.session.rollback()
    peer, stored = node_state()
    assert (peer.feed_cursor, stored) == ("", {})


def test_an_accepted_push_ends_the_pull_backoff(feed: FeedDouble, client: FlaskClient) -> None:
    """A node back from an outage is read again at once, not after its backoff (hours)."""
    peer, _ = node_state()
    later = datetime.now(UTC) + timedelta(hours=2)
    peer.failures, peer.next_pull_at = 6, later
    db.session.commit()
    answer = send(client, "POST", "/federation/inbox", {"records": [member("Camille")]},
                  key=village_key(NODE))
    assert answer.status_code == 202, answer.get_json()
    peer, records = node_state()
    assert peer.failures == 0 and len(records) == 1
    assert peer.next_pull_at is not None and peer.next_pull_at <= datetime.now(UTC)


def test_the_pull_thread_reads_every_node_when_it_starts(pays: Flask, feed: FeedDouble) -> None:
    """After a restart of the directory, nodes in backoff are read at once: their pushes were
    refused while it was down."""
    peer, _ = node_state()
    peer.failures, peer.next_pull_at = 6, datetime.now(UTC) + timedelta(hours=2)
    db.session.commit()
    feed.pages[""] = page([member("Dominique")], "c1", False)
    PullWorker(pays).sweep(force=True)
    assert feed.asked == [""]
    PullWorker(pays).sweep()
    assert feed.asked == [""]  # without force, the schedule holds
