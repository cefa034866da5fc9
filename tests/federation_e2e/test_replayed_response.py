"""Responses bound to their request: a proxy on the path replays a genuine earlier answer.

A real node process pushes through a proxy on loopback to the directory double. The proxy
forwards the first push and keeps the directory's genuine signed ``202``; then it stops
forwarding and answers every push with that ``202``. The answer is genuine, fresh (well
within its 60 s) and for the same method and URL, but it covers another request's
signature: the node must not mark the new batch delivered, and must keep it for a retry.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from node.extensions import db
from node.models import OutboxEntry
from tests.federation_e2e.conftest import NodeProcess, free_port, joined_node, wait_for
from tests.federation_e2e.directory_double import DirectoryDouble
from tests.federation_e2e.test_push import add_members, all_delivered

PASSED_ON = ("Content-Type", "Content-Digest", "Signature-Input", "Signature", "Retry-After")


class ReplayingProxy:
    """Forwards to `upstream`; once `replay` is set, answers inbox pushes with the last
    genuine inbox answer instead of forwarding them."""

    def __init__(self, upstream: str) -> None:
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.upstream = upstream
        self.replay = False
        self.replayed = 0
        self.kept: tuple[int, dict[str, str], bytes] | None = None
        self.session = requests.Session()
        self.session.trust_env = False
        self.server: BaseWSGIServer | None = None

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        inbox = request.method == "POST" and request.path == "/federation/inbox"
        if inbox and self.replay and self.kept is not None:
            self.replayed += 1
            status, headers, body = self.kept
        else:
            headers_in = {k: v for k, v in request.headers.items() if k.lower() != "host"}
            answer = self.session.request(
                request.method, self.upstream + environ.get("REQUEST_URI", request.full_path),
                headers=headers_in, data=request.get_data(), timeout=10,
                allow_redirects=False)
            status, body = answer.status_code, answer.content
            headers = {k: v for k, v in answer.headers.items() if k in PASSED_ON}
            if inbox and status == 202:
                self.kept = (status, headers, body)
        return Response(body, status, headers=headers)(environ, start_response)

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.wsgi, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        self.session.close()


@pytest.fixture
def network(tmp_path: Path, template_instance: Path) -> Iterator[
        tuple[NodeProcess, DirectoryDouble, ReplayingProxy]]:
    directory = DirectoryDouble(free_port())
    proxy = ReplayingProxy(directory.origin)
    directory.origin = proxy.origin  # the directory's public address is the proxy's
    directory.start()
    proxy.start()
    node = joined_node(tmp_path, directory, template_instance)
    yield node, directory, proxy
    node.close()
    proxy.stop()
    directory.stop()


def rows(node: NodeProcess) -> list[OutboxEntry]:
    with node.app().app_context():
        found = list(db.session.scalars(db.select(OutboxEntry).order_by(OutboxEntry.id)))
        db.session.expunge_all()
        return found


def test_a_replayed_genuine_answer_does_not_deliver_a_batch(
        network: tuple[NodeProcess, DirectoryDouble, ReplayingProxy]) -> None:
    node, directory, proxy = network
    directory.admitted = True
    wait_for(lambda: all_delivered(node.app()))  # the community record, through the proxy
    assert proxy.kept is not None
    pushes_seen = directory.inbox_requests

    proxy.replay = True
    (member,) = add_members(node.app(), ["Camille"])
    wait_for(lambda: proxy.replayed >= 1)
    waiting = wait_for(lambda: [row for row in rows(node) if row.tries >= 1
                                and row.state != "delivered"])
    assert all(row.state == "retrying" for row in waiting)
    assert all("signature_invalid" in row.last_error for row in waiting), waiting[0].last_error
    assert not all_delivered(node.app())
    # The directory never saw the batch: only a replay answered it.
    assert directory.inbox_requests == pushes_seen
    assert all(record_id != member for _, record_id in directory.applied.versions)
