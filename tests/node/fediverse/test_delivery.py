"""The delivery queue: signed POSTs to a real loopback inbox, backoff while it is down,
rows that survive a restart, and one delivery per inbox."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from federation.activitypub.signatures import RemoteKey, verify_request
from node import create_app
from node.extensions import db
from node.models import Visibility, fediverse_tables
from tests.conftest import node_config
from tests.federation_e2e.processes import free_port
from tests.node.events.support import add_event
from tests.node.fediverse.conftest import follow
from webui.fediverse import EXTENSION_KEY
from webui.fediverse_delivery import deliver_due, has_due


class Inbox(ThreadingHTTPServer):
    def __init__(self, port: int) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        super().__init__(("127.0.0.1", port), InboxHandler)


class InboxHandler(BaseHTTPRequestHandler):
    server: Inbox

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.received.append((self.path, dict(self.headers.items()), body))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def port() -> int:
    return free_port()


@contextmanager
def serve(port: int) -> Iterator[Inbox]:
    server = Inbox(port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def states(app: Flask) -> list[tuple[str, int, int | None]]:
    d = fediverse_tables.delivery
    with app.app_context():
        return [(r.state, r.tries, r.last_status) for r in db.session.execute(
            select(d.c.state, d.c.tries, d.c.last_status).order_by(d.c.id))]


def test_backoff_while_down_then_delivered_after_a_restart(fedi_app: Flask, port: int,
                                                           tmp_path: Path) -> None:
    inbox = f"http://127.0.0.1:{port}/inbox"
    with fedi_app.test_request_context():
        db.session.execute(fediverse_tables.follower.delete())
        follow("http://127.0.0.1/users/ada", inbox)
        add_event("Café des indépendants", visibility=Visibility.PUBLIC)
    with fedi_app.app_context():
        site = fedi_app.extensions[EXTENSION_KEY]
        assert deliver_due(site, rng=random.Random(1)) == (0, 1)  # nobody listens yet
        assert not has_due(site, int(time.time()))  # waits out its backoff
    assert states(fedi_app) == [("retrying", 1, None)]

    # The process stops; a new one on the same instance finds the row and sends it.
    restarted = create_app(node_config(tmp_path, FEDERATION_ALLOW_PRIVATE=True))
    with restarted.app_context():
        db.session.execute(update(fediverse_tables.delivery).values(next_attempt_at=0))
        db.session.commit()
    with serve(port) as server:
        with restarted.app_context():
            assert deliver_due(restarted.extensions[EXTENSION_KEY]) == (1, 0)
            actor = restarted.extensions[EXTENSION_KEY].actor()
            pem = actor.public_key_pem
        assert states(restarted) == [("delivered", 2, 202)]
        path, headers, body = server.received[0]
        assert path == "/inbox" and b'"type": "Create"' in body

        def fetch(key_id: str, refresh: bool) -> RemoteKey:
            return RemoteKey(key_id, "http://node.test/ap/actor", pem)

        signer = verify_request("POST", path, headers, body, fetch, datetime.now(UTC),
                                host=f"127.0.0.1:{port}")
        assert signer.owner == "http://node.test/ap/actor"
    with restarted.app_context():
        db.engine.dispose()


def test_a_refused_delivery_is_given_up(fedi_app: Flask, port: int) -> None:
    class Refusing(InboxHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.send_response(403)
            self.end_headers()

    server = Inbox(port)
    server.RequestHandlerClass = Refusing
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with fedi_app.test_request_context():
            db.session.execute(fediverse_tables.follower.delete())
            follow("http://127.0.0.1/users/ada", f"http://127.0.0.1:{port}/inbox")
            add_event("Café des indépendants", visibility=Visibility.PUBLIC)
            deliver_due(fedi_app.extensions[EXTENSION_KEY])
        assert states(fedi_app) == [("failed", 1, 403)]
    finally:
        server.shutdown()
        server.server_close()
