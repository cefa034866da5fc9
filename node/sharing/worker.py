"""The background federation worker that ``chaleur serve`` starts (and nothing else does).

One daemon thread per app: it pushes the outbox on a short interval and right after a
commit that added outbox rows (the change-capture hook sets :attr:`FederationWorker.wake`),
and refreshes the network copy every FEDERATION_NETWORK_INTERVAL seconds (sooner after
another village accepted one of our members' answers: :meth:`FederationWorker.pull_soon`).
State lives in the database, so stopping the process at any moment loses nothing.

Until the node has joined a Pays directory there is nobody to push to or pull from: a round
then only asks the database whether a directory is registered. The push and pull code, with
the HTTP client and the signing stack it brings (requests, cryptography: about 15 MB), is
imported by the first round that finds one, so a node used on its own stays light.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, current_app, has_app_context

from node.extensions import db
from node.peering.membership import registered_directory
from webui.background import BackgroundLoop

EXTENSION_KEY = "chaleur_federation_worker"
log = logging.getLogger("chaleur.federation")


class FederationWorker(BackgroundLoop):
    extension_key = EXTENSION_KEY
    thread_name = "chaleur-federation"

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        self._next_pull = 0.0
        self._next_schedule = 0.0
        self._backlog_retried = False

    def interval(self) -> float:
        return float(self.app.config["FEDERATION_PUSH_INTERVAL"])

    def run_round(self) -> None:
        """Scheduled work (decisions, reminders) every SCHEDULE_INTERVAL; push and pull once
        joined; until then, only ask whether the node has joined."""
        if time.monotonic() >= self._next_schedule:
            self._next_schedule = time.monotonic() + float(self.app.config["SCHEDULE_INTERVAL"])
            self.scheduled_work()
        self.fediverse_round()
        if not self.joined():
            return
        if not self._backlog_retried:
            self._backlog_retried = True
            self.retry_backlog()
        self.sweep()

    def joined(self) -> bool:
        """True when a directory is registered (read afresh: ``federation join`` may have run
        in another process since the last round)."""
        with self.app.app_context():
            try:
                return registered_directory() is not None
            except Exception:  # noqa: BLE001 - the database may be back next round
                log.exception("federation worker: directory registration not read")
                return False
            finally:
                db.session.remove()

    def scheduled_work(self) -> None:
        """Close due decisions, plan and send reminders (:mod:`node.due_work`); an
        error is logged and the next round tries again (every step is planned once)."""
        from node.due_work import run_due_work

        with self.app.app_context():
            try:
                run_due_work()
            except Exception:  # noqa: BLE001 - the thread must survive to retry
                log.exception("scheduled work round failed")
                db.session.rollback()
            finally:
                db.session.remove()

    def fediverse_round(self) -> None:
        """Send the due fediverse deliveries (:func:`webui.fediverse_delivery.delivery_round`:
        one COUNT when there is nothing to send, the signing code only when there is)."""
        from webui.fediverse_delivery import delivery_round

        delivery_round(self.app)

    def retry_backlog(self) -> None:
        """When pushing starts, retry at once what waited out a delay while this process was
        down (or before the directory was joined)."""
        from node.sharing.push import retry_backlog_now  # the federation client: see module

        with self.app.app_context():
            try:
                retry_backlog_now()
                db.session.commit()
            except Exception:  # noqa: BLE001 - the next sweeps still deliver, only later
                log.exception("federation worker: backlog not rescheduled")
                db.session.rollback()
            finally:
                db.session.remove()

    def sweep(self) -> None:
        """One round; an error is logged (no record content) and retried next round."""
        from node.sharing.network_copy import pull_network_copy  # imported once joined
        from node.sharing.push import push_once
        from node.sharing.village_delivery import deliver_due

        with self.app.app_context():
            try:
                report = push_once()
                if report.errors:
                    log.warning("push: %s", report.errors[-1])
                if deliver_due().answers:
                    self.pull_soon()
                if time.monotonic() >= self._next_pull:
                    self._next_pull = time.monotonic() + float(
                        self.app.config["FEDERATION_NETWORK_INTERVAL"])
                    result = pull_network_copy()
                    if not result.ok and result.message != "aucun annuaire enregistré":
                        log.warning("network copy: %s", result.message)
            except Exception:  # noqa: BLE001 - the thread must survive to retry
                log.exception("federation worker round failed")
                db.session.rollback()
            finally:
                db.session.remove()

    def pull_soon(self) -> None:
        """Another village accepted one of our members' answers and shares its question
        again: refresh the network copy in FEDERATION_NETWORK_SOON seconds rather than at
        the next hourly pull, so the answer soon shows there with the others."""
        soon = time.monotonic() + float(self.app.config["FEDERATION_NETWORK_SOON"])
        self._next_pull = min(self._next_pull, soon)


def wake_worker() -> None:
    """Called after a commit that added outbox rows: push now instead of at the next tick."""
    if not has_app_context():
        return
    worker = current_app.extensions.get(EXTENSION_KEY)
    if isinstance(worker, FederationWorker):
        worker.wake.set()
