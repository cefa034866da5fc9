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
import time

from flask import Flask

from directory.extensions import db
from directory.services import fulltext, upkeep
from directory.services.pull import pull_once
from webui.background import BackgroundLoop

EXTENSION_KEY = "chaleur_directory_puller"
#: Longest sleep between two looks at the schedule (a node admitted from the CLI, in
#: another process, is pulled within this delay).
TICK_SECONDS = 3.0
log = logging.getLogger("chaleur.directory.pull")


class PullWorker(BackgroundLoop):
    extension_key = EXTENSION_KEY
    thread_name = "chaleur-directory-pull"

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        self._next_compaction = 0.0
        self._first_round = True  # read every node at start: pushes were refused while down

    def interval(self) -> float:
        return min(TICK_SECONDS, float(self.app.config["FEDERATION_PULL_INTERVAL"]))

    def run_round(self) -> None:
        self.sweep(force=self._first_round)
        self._first_round = False
        self.fediverse_round()

    def fediverse_round(self) -> None:
        """Send the due fediverse deliveries (:func:`webui.fediverse_delivery.delivery_round`:
        one COUNT when there is nothing to send, the signing code only when there is)."""
        from webui.fediverse_delivery import delivery_round

        delivery_round(self.app)

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
