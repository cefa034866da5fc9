"""Delivering notices to other villages' inboxes (decisions between villages).

Each ``village_message`` row is its own delivery state, as the directory outbox is: claimed
for a lease, POSTed through the node's one signed client to the village's inbox as the
signed network list gives it, its signed answer verified with that village's listed keys,
and scheduled again with :func:`federation.delivery.after_attempt` when the village is down.
A village missing from the list (not admitted yet, list not refreshed) is simply tried later.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from federation.client import PeerError, PeerRefused
from federation.delivery import DeliveryState, after_attempt
from federation.keys import KeyRecord
from federation.urlpolicy import AddressRefused
from node.extensions import db
from node.models import VillageMessage, utcnow
from node.peering.directory import federation_client
from node.peering.trust import village_key
from node.services.villages import village

DUE = (DeliveryState.PENDING.value, DeliveryState.RETRYING.value)
BATCH = 50
NOT_LISTED_DELAY = timedelta(minutes=5)


@dataclass
class VillageReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    #: answers to another village's question it accepted: it shares the question again,
    #: so the worker refreshes the network copy soon (:meth:`FederationWorker.pull_soon`).
    answers: int = 0


def _claim(now: datetime) -> list[VillageMessage]:
    lease = now + timedelta(seconds=int(current_app.config["FEDERATION_PUSH_LEASE"]))
    ids = db.session.scalars(select(VillageMessage.id).where(
        VillageMessage.state.in_(DUE), VillageMessage.next_attempt_at <= now)
        .order_by(VillageMessage.id).limit(BATCH)).all()
    mine = []
    for row_id in ids:
        claimed = db.session.execute(update(VillageMessage).where(
            VillageMessage.id == row_id, VillageMessage.state.in_(DUE),
            VillageMessage.next_attempt_at <= now).values(next_attempt_at=lease))
        if getattr(claimed, "rowcount", 0) == 1:
            mine.append(row_id)
    db.session.commit()
    return list(db.session.scalars(select(VillageMessage).where(VillageMessage.id.in_(mine))))


def _keys_of(node_id: str) -> object:
    def resolve(keyid: str) -> KeyRecord | None:
        record = village_key(keyid)
        return record if record is not None and record.node_id == node_id else None
    return resolve


def deliver_due(now: datetime | None = None) -> VillageReport:
    """Send every due notice once; commits after each."""
    now = now or utcnow()
    report = VillageReport()
    rows = _claim(now)
    if not rows:
        return report
    rng = random.Random()
    with federation_client() as client:
        for row in rows:
            address = village(row.node_id)
            if address is None:
                row.next_attempt_at, row.last_error = now + NOT_LISTED_DELAY, "not listed"
                db.session.commit()
                continue
            status, retry_after, error = None, None, ""
            try:
                answer = client.post(address["base_url"] + address["inbox"], row.body,
                                     verify_with=_keys_of(row.node_id))  # type: ignore[arg-type]
                status = answer.status
            except PeerRefused as exc:
                status, retry_after, error = exc.status, exc.retry_after, f"{exc.code}"
            except (PeerError, AddressRefused) as exc:
                error = str(getattr(exc, "code", type(exc).__name__))
            step = after_attempt(DeliveryState(row.state), row.tries, status,
                                 now=int(now.timestamp()), rng=rng, retry_after=retry_after)
            row.state, row.tries, row.last_status = step.state.value, step.tries, status
            row.last_error = error[:500]
            if step.next_attempt_at is not None:
                row.next_attempt_at = datetime.fromtimestamp(step.next_attempt_at, UTC)
            report.delivered += step.state == DeliveryState.DELIVERED
            report.answers += (step.state == DeliveryState.DELIVERED
                               and row.kind == "question_answer")
            report.retrying += step.state == DeliveryState.RETRYING
            report.failed += step.state == DeliveryState.FAILED
            db.session.commit()
    return report
