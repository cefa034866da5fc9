"""Stopping cleanly: on SIGTERM a real node server lets its work finish and exits normally.

Mails wait in an in-memory queue after the answer (``node.services.mail_queue``). The
default SIGTERM killed the process with them; now the server stops listening, lets the
requests and the worker's round in progress finish, and the normal exit sends the queue.
"""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest
import requests

from tests.federation_e2e.conftest import NodeProcess
from tests.support.smtp import smtp_server


def ask_reset(session: requests.Session, node: NodeProcess) -> None:
    page = session.get(node.url + "/mot-de-passe/oubli", timeout=10).text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert token is not None
    answer = session.post(node.url + "/mot-de-passe/oubli", timeout=10, data={
        "csrf_token": token.group(1), "email": "admin@example.org"})
    assert answer.status_code in (200, 302), answer.status_code


@pytest.mark.slow
def test_sigterm_sends_the_queued_mails_and_exits_normally(
        tmp_path: Path, template_instance: Path) -> None:
    # The first mail is held 2 s by the SMTP server, so the second still waits in the
    # node's queue when SIGTERM arrives.
    with smtp_server(delay=2.0) as (mailbox, port):
        node = NodeProcess(tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
                           MAIL_PORT=port)
        node.init_from(template_instance)
        node.start(ready="/")
        try:
            with requests.Session() as session:
                ask_reset(session, node)
                ask_reset(session, node)
            assert node.process is not None
            process = node.process
            node.stop(signal.SIGTERM)  # waits for the exit (10 s at most)
            assert process.returncode == 0
            assert len(mailbox.wait_for(2, timeout=1)) == 2
            assert all(m["To"] == "admin@example.org" for m in mailbox.messages)
        finally:
            node.close()
