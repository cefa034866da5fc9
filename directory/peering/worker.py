"""The background pull thread that ``python -m directory serve`` starts (in
:mod:`directory.serving`; nothing else does).

It wakes every few seconds and pulls the admitted nodes that are due: each node is read
every FEDERATION_PULL_INTERVAL seconds, sooner when newly admitted (no schedule yet),
later while it fails (backoff). Pushes arriving at the inbox need no pull. Once per pull
interval it also compacts the full-text index, so withdrawn words leave the file, and
refreshes the planner statistics (also right after a large intake, see ``upkeep``). State
lives in the database, so stopping the process at any moment loses nothing.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from directory.extensions import db
from directory.services import fulltext, upkeep
from directory.services.pull import pull_once

EXTENSION_KEY = "chaleur_directory_puller"
#: Longest sleep between two looks at the schedule (a node admitted from the CLI, in
#: another process, is pulled within this delay).
TICK_SECONDS = 3.0
log = logging.getLogger("chaleur.directory.pull")


class PullWorker:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, name="chaleur-directory-pull",
                                       daemon=True)
        self._next_compaction = 0.0

    def start(self) -> None:
        self.app.extensions[EXTENSION_KEY] = self
        self.thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        self.wake.set()
        self.thread.join(timeout)

    def run(self) -> None:
        tick = min(TICK_SECONDS, float(self.app.config["FEDERATION_PULL_INTERVAL"]))
        force = True  # at start, read every node now: pushes were refused while we were down
        while not self.stopping.is_set():
            self.wake.clear()
            self.sweep(force=force)
            force = False
            self.wake.wait(tick)

    def sweep(self, force: bool = False) -> None:
        """One round; an error is logged (never record content) and retried next round."""
        with self.app.app_context():
            try:
                report = pull_once(force=force)
                if time.monotonic() >= self._next_compaction:
                    self._next_compaction = time.monotonic() + float(
                        self.app.config["FEDERATION_PULL_INTERVAL"])
                    fulltext.compact()
                    upkeep.refresh_statistics()
                    db.session.commit()
                elif report.applied >= upkeep.LARGE_INTAKE:
                    upkeep.refresh_statistics()
                    db.session.commit()
            except Exception:  # noqa: BLE001 - the thread must survive to retry
                log.exception("pull round failed")
                db.session.rollback()
            finally:
                db.session.remove()
