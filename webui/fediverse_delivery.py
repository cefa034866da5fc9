"""Sending the fediverse queue: one signed POST per (activity, inbox), retried with backoff.

Both apps' background workers call :func:`delivery_round`: :func:`deliver_due` runs only
when :func:`has_due` says there is work, so a site nobody follows never imports the
signing stack. Each attempt's outcome is committed at once: a crash loses at most one attempt, and
a row survives restarts until it is delivered or given up (:mod:`federation.delivery`).
"""

from __future__ import annotations

import logging
import random
import time
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import func, or_, select

from webui.fediverse import EXTENSION_KEY, FediverseSite

log = logging.getLogger("chaleur.fediverse")


def has_due(site: FediverseSite, now: int) -> bool:
    """Cheap: one COUNT, no signing code loaded."""
    d = site.tables.delivery
    count = site.session().scalar(
        select(func.count()).select_from(d).where(
            or_(d.c.state == "pending", d.c.state == "retrying"), d.c.next_attempt_at <= now))
    return bool(count)


def deliver_due(site: FediverseSite, limit: int = 50,
                rng: random.Random | None = None) -> tuple[int, int]:
    """Attempt the due deliveries; return (delivered, not delivered this time)."""
    from federation.activitypub import store
    from federation.activitypub.client import ActivityPubClient

    actor = site.actor()
    if actor is None:
        return 0, 0
    session = site.session()
    now = int(datetime.now(UTC).timestamp())
    due = store.due_deliveries(session.connection(), site.tables, now, limit)
    session.commit()
    if not due:
        return 0, 0
    rng = rng or random.Random()
    client = ActivityPubClient(actor.key_id, site.private_key(),
                               allow_private_addresses=site.allow_private_addresses())
    delivered = 0
    try:
        for item in due:
            result = client.post(item.inbox, item.body)
            state = store.settle(session.connection(), site.tables, item, result.status,
                                 result.error, int(datetime.now(UTC).timestamp()), rng,
                                 result.retry_after)
            session.commit()
            delivered += state == "delivered"
    finally:
        client.close()
    return delivered, len(due) - delivered


def delivery_round(app: Flask) -> None:
    """One round of either app's worker thread: send what is due, log a failure (the next
    round retries; rows keep their state), and leave no session behind."""
    site: FediverseSite | None = app.extensions.get(EXTENSION_KEY)
    if site is None:
        return
    sessions = app.extensions["sqlalchemy"].session
    with app.app_context():
        try:
            if has_due(site, int(time.time())):
                deliver_due(site)
        except Exception:  # noqa: BLE001 - the worker thread must survive to retry
            log.exception("fediverse delivery round failed")
            sessions.rollback()
        finally:
            sessions.remove()
