"""Mails sent after the answer: a bounded queue per app and one sending thread while it has mail.

Some mails exist only when an address has an account (a reset link, a "you already have an
account" notice, the staff's notice of a new request). Sent inside the request, they made the
answer as slow as the SMTP server exactly when the address was known: a timing hint for
account enumeration. Queued here, the answer takes the same time for every address, as with
the background delivery of Rails (``deliver_later``, used by Devise's "paranoid" mode) or the
job queues of GitLab and Discourse.

The queue lives in memory: a process killed before its queue empties loses those mails (the
person asks again). A normal exit (the CLI, the tests) first waits for them, up to
:data:`EXIT_WAIT_SECONDS`. When the queue is full, new mails are dropped and logged rather
than making the request wait.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections import deque
from email.message import EmailMessage

from flask import Flask, current_app

from node.services.mail import MailNotSent, compose, deliver

EXTENSION_KEY = "chaleur_mail_queue"
CAPACITY = 500
#: How long a normal process exit waits for queued mails (one SMTP timeout is 10 s).
EXIT_WAIT_SECONDS = 30.0
log = logging.getLogger("chaleur.mail")
_created = threading.Lock()
_every_queue: weakref.WeakSet[MailQueue] = weakref.WeakSet()


class MailQueue:
    """The mails one app still has to send, and the thread sending them."""

    def __init__(self, app: Flask, capacity: int = CAPACITY) -> None:
        self.app = app
        self.capacity = capacity  # mails waiting or being delivered
        self._waiting: deque[EmailMessage] = deque()
        self._unsent = 0  # waiting or being delivered
        self._change = threading.Condition()
        self._sender: threading.Thread | None = None

    def post(self, message: EmailMessage) -> bool:
        """Queue ``message``; False (and a log line) if the queue is full."""
        with self._change:
            if self._unsent >= self.capacity:
                log.warning("mail dropped, mail queue full subject=%r", message["Subject"])
                return False
            self._waiting.append(message)
            self._unsent += 1
            if self._sender is None:
                self._sender = threading.Thread(target=self._send_waiting, daemon=True,
                                                name="chaleur-mail-queue")
                self._sender.start()
        return True

    def flush(self, timeout: float) -> bool:
        """Wait until every queued mail was delivered or failed; False on timeout."""
        with self._change:
            return self._change.wait_for(lambda: self._unsent == 0, timeout)

    def _send_waiting(self) -> None:
        """Deliver until the queue is empty, then end (the next post starts a new thread)."""
        while True:
            with self._change:
                if not self._waiting:
                    self._sender = None
                    return
                message = self._waiting.popleft()
            try:
                with self.app.app_context():
                    deliver(message)
            except MailNotSent:
                pass  # logged by deliver(), subject only
            except Exception as error:  # noqa: BLE001  (the thread must outlive any mail)
                log.error("mail not sent subject=%r error=%s", message["Subject"],
                          type(error).__name__)
            finally:
                with self._change:
                    self._unsent -= 1
                    self._change.notify_all()


def mail_queue_of(app: Flask) -> MailQueue:
    """The app's mail queue, created on first use."""
    with _created:
        queue = app.extensions.get(EXTENSION_KEY)
        if queue is None:
            queue = app.extensions[EXTENSION_KEY] = MailQueue(app)
            _every_queue.add(queue)
    assert isinstance(queue, MailQueue)
    return queue


def send_mail_later(to: str, subject: str, body: str) -> bool:
    """Compose now (in the request's language), deliver after the answer; False if dropped."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return mail_queue_of(app).post(compose(to, subject, body))


@atexit.register
def _flush_at_exit() -> None:
    """Let a normal exit deliver what is queued (atexit runs while daemon threads still do)."""
    deadline = time.monotonic() + EXIT_WAIT_SECONDS
    for queue in list(_every_queue):
        if not queue.flush(max(0.0, deadline - time.monotonic())):
            log.warning("mails left unsent at exit")
