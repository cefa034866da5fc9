"""The skeleton both apps' background threads share: one daemon thread per app that runs a
round, then sleeps until woken or until its interval has passed.

The node's federation worker (push and network copy) and the directory's pull worker differ
only in what a round does and how long they sleep; starting, waking and stopping them is the
same, and state lives in the database, so stopping one at any moment loses nothing.
"""

from __future__ import annotations

import threading
from typing import ClassVar

from flask import Flask


class BackgroundLoop:
    """Subclasses name their thread and extension key, and define :meth:`run_round` and
    :meth:`interval`. ``wake`` is set to start the next round at once."""

    extension_key: ClassVar[str]
    thread_name: ClassVar[str]

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, name=self.thread_name, daemon=True)

    def start(self) -> None:
        """Register on the app (so a commit hook can wake it), then start the thread."""
        self.app.extensions[self.extension_key] = self
        self.thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        self.wake.set()
        self.thread.join(timeout)

    def run(self) -> None:
        while not self.stopping.is_set():
            self.wake.clear()
            self.run_round()
            self.wake.wait(self.interval())

    def run_round(self) -> None:
        raise NotImplementedError

    def interval(self) -> float:
        """Seconds to sleep between two rounds unless woken."""
        raise NotImplementedError
