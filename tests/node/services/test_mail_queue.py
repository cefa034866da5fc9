"""The mail queue: mails delivered after the answer, by one thread, and before a normal exit."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from flask import Flask

from node.services.mail import compose
from node.services.mail_queue import MailQueue, mail_queue_of, send_mail_later
from tests.support.smtp import smtp_server

ROOT = Path(__file__).resolve().parents[3]


def test_queued_mails_arrive_in_order(app: Flask) -> None:
    with smtp_server() as (mailbox, port):
        app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        with app.app_context():
            for number in range(3):
                assert send_mail_later("camille@example.org", f"Essai {number}", "Bonjour")
        assert mail_queue_of(app).flush(10)
        assert [str(m["Subject"]) for m in mailbox.messages] == ["Essai 0", "Essai 1", "Essai 2"]


def test_full_mail_queue_drops_and_logs_instead_of_waiting(app: Flask,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    with smtp_server(delay=5.0) as (mailbox, port):
        app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        queue = MailQueue(app, capacity=2)
        with app.app_context():
            accepted = [queue.post(compose("camille@example.org", f"Essai {n}", "Bonjour"))
                        for n in range(3)]
        assert accepted == [True, True, False]
        assert "mail dropped, mail queue full subject='Essai 2'" in caplog.text
        mailbox.release()
        assert queue.flush(10)
        assert len(mailbox.messages) == 2


def test_failed_mail_is_logged_and_the_next_still_leaves(
        app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="chaleur.mail")
    with smtp_server() as (mailbox, port):
        app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port + 1)
        queue = mail_queue_of(app)
        with app.app_context():
            send_mail_later("camille@example.org", "Perdu", "Bonjour")
        assert queue.flush(15)
        assert "mail not sent subject='Perdu'" in caplog.text
        app.config["MAIL_PORT"] = port
        with app.app_context():
            send_mail_later("camille@example.org", "Reçu", "Bonjour")
        assert queue.flush(10)
        assert [str(m["Subject"]) for m in mailbox.messages] == ["Reçu"]


def test_normal_exit_delivers_what_is_queued(tmp_path: Path) -> None:
    """A command that queues a mail and ends at once still delivers it (atexit flush)."""
    script = textwrap.dedent("""
        import sys
        from node import create_app
        from node.services.mail_queue import send_mail_later
        app = create_app({"TESTING": True, "INSTANCE_PATH": sys.argv[1],
                          "SECRET_KEY": "test-secret-key-not-for-production",
                          "MAIL_BACKEND": "smtp",
                          "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": int(sys.argv[2])})
        with app.app_context():
            send_mail_later("camille@example.org", "Avant la sortie", "Bonjour")
    """)
    with smtp_server(delay=1.0) as (mailbox, port):
        subprocess.run([sys.executable, "-c", script, str(tmp_path / "instance"), str(port)],
                       cwd=ROOT, check=True, timeout=60)
        # The server stores a message before acknowledging it: no waiting needed here.
        assert [str(m["Subject"]) for m in mailbox.messages] == ["Avant la sortie"]
