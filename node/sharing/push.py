"""Pushing the outbox to the directory's inbox.

The outbox rows ARE the delivery state: a row is claimed (its next attempt moved past a
short lease, so a second pusher skips it and a crashed one releases it), sent in a batch
holding the latest envelope of each record, and marked delivered only after a 2xx whose
signature the client verified as bound to this very request (its signature covered with
``;req``): a genuine answer to an earlier batch, replayed by someone on the path, is not
an acknowledgement. Everything else goes through
:func:`federation.delivery.after_attempt` (backoff with jitter, Retry-After, no retry on
other 4xx). While the directory does not accept our key
yet (no directory registered, join not approved, rotation not announced), rows just wait.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from federation.client import PeerError, PeerRefused, PeerResponseInvalid, SignedClient
from federation.delivery import MAX_TRIES, DeliveryState, after_attempt
from federation.errors import RecordRefused
from federation.records import MAX_BATCH, validate_record
from federation.urlpolicy import AddressRefused
from node.extensions import db
from node.models import Admission, FeedEntry, OutboxEntry, Peer, utcnow
from node.peering.directory import directory_keys, federation_client
from node.peering.identity import current_identity
from node.peering.membership import registered_directory

DUE_STATES = (DeliveryState.PENDING.value, DeliveryState.RETRYING.value)
#: The directory's answers meaning "not (yet) accepted as a member": wait, don't fail.
NOT_ADMITTED = {"key_not_usable": Admission.NOT_USABLE, "key_unknown": Admission.UNKNOWN_KEY}
MAX_BATCHES_PER_RUN = 20


@dataclass
class PushReport:
    batches: int = 0
    records: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: str = ""  # why nothing could be sent ("" when the run was not blocked)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    status: int | None  # None: no usable answer
    retry_after: int | None = None
    error: str = ""
    waiting: str = ""  # a NOT_ADMITTED code


def _claim(now: datetime) -> list[OutboxEntry]:
    """Reserve up to one batch of due rows for this pusher (row by row, race-safe)."""
    lease_until = now + timedelta(seconds=int(current_app.config["FEDERATION_PUSH_LEASE"]))
    ids = db.session.scalars(select(OutboxEntry.id).where(
        OutboxEntry.state.in_(DUE_STATES), OutboxEntry.next_attempt_at <= now)
        .order_by(OutboxEntry.feed_seq).limit(MAX_BATCH)).all()
    mine = []
    for row_id in ids:
        claimed = db.session.execute(
            update(OutboxEntry).where(OutboxEntry.id == row_id,
                                      OutboxEntry.state.in_(DUE_STATES),
                                      OutboxEntry.next_attempt_at <= now)
            .values(next_attempt_at=lease_until))
        if getattr(claimed, "rowcount", 0) == 1:
            mine.append(row_id)
    db.session.commit()
    return list(db.session.scalars(select(OutboxEntry).where(OutboxEntry.id.in_(mine))
                                   .order_by(OutboxEntry.feed_seq)))


def batch_records(rows: list[OutboxEntry], origin: str) -> tuple[list[dict[str, Any]],
                                                                  list[OutboxEntry]]:
    """The latest envelope of each record among the claimed rows, in change order, and the
    rows of records the protocol would refuse (they fail here instead of poisoning a batch)."""
    entries = db.session.scalars(select(FeedEntry).where(
        FeedEntry.seq.in_([row.feed_seq for row in rows]))).all()
    uuid_of = {entry.seq: entry.record_uuid for entry in entries}
    latest: dict[str, FeedEntry] = {}
    for entry in entries:
        if entry.record_uuid not in latest or entry.seq > latest[entry.record_uuid].seq:
            latest[entry.record_uuid] = entry
    records, refused = [], set()
    for entry in sorted(latest.values(), key=lambda e: e.seq):
        envelope = {**entry.envelope, "origin": origin}
        try:
            validate_record(envelope)
        except RecordRefused:
            refused.add(entry.record_uuid)
            continue
        records.append(envelope)
    return records, [row for row in rows if uuid_of.get(row.feed_seq) in refused]


def _send(client: SignedClient, peer: Peer, records: list[dict[str, Any]]) -> Outcome:
    try:
        response = client.post(peer.endpoint("inbox"), {"records": records},
                               verify_with=directory_keys(peer))
    except PeerRefused as exc:
        if exc.code in NOT_ADMITTED:
            return Outcome(exc.status, error=f"{exc.code}: {exc.message}", waiting=exc.code)
        return Outcome(exc.status, exc.retry_after, f"{exc.code}: {exc.message}")
    except PeerResponseInvalid as exc:
        return Outcome(None, error=f"réponse non fiable: {exc.code}")
    except (PeerError, AddressRefused) as exc:
        return Outcome(None, error=f"{getattr(exc, 'code', 'error')}: injoignable")
    if response.signer is None:  # only an answer bound to this very request delivers
        return Outcome(None, error="réponse non fiable: non signée")
    return Outcome(response.status)


def _record(rows: list[OutboxEntry], outcome: Outcome, now: datetime, rng: random.Random,
            report: PushReport, final: bool = False) -> None:
    timestamp = int(now.timestamp())
    for row in rows:
        step = after_attempt(DeliveryState(row.state), row.tries, outcome.status, now=timestamp,
                             rng=rng, retry_after=outcome.retry_after,
                             max_tries=1 if final else MAX_TRIES)
        row.state, row.tries, row.last_status = step.state.value, step.tries, outcome.status
        row.last_error = outcome.error[:500]
        if step.next_attempt_at is not None:
            row.next_attempt_at = datetime.fromtimestamp(step.next_attempt_at, UTC)
        report.delivered += step.state is DeliveryState.DELIVERED
        report.retrying += step.state is DeliveryState.RETRYING
        report.failed += step.state is DeliveryState.FAILED


def _wait(rows: list[OutboxEntry], peer: Peer, outcome: Outcome, now: datetime) -> None:
    """Not admitted (yet): rows keep their tries and stay due (claim released), so the
    next sweep, or an operator's `push --once` right after approval, sends them."""
    for row in rows:
        row.next_attempt_at, row.last_status = now, outcome.status
        row.last_error = outcome.error[:500]
    peer.admission, peer.admission_seen_at = NOT_ADMITTED[outcome.waiting], now
    peer.last_error = outcome.error[:500]


def push_once(now: datetime | None = None, *, rng: random.Random | None = None) -> PushReport:
    """Send every due outbox row now; stop at the first batch that is not delivered."""
    report = PushReport()
    peer, identity = registered_directory(), current_identity()
    if peer is None or identity is None:
        report.waiting = "no_directory"
        return report
    if peer.status != "active":
        report.waiting = "directory_suspended"
        return report
    rng = rng or random.Random()
    with federation_client() as client:
        for _ in range(MAX_BATCHES_PER_RUN):
            moment = now or utcnow()
            rows = _claim(moment)
            if not rows:
                break
            records, invalid = batch_records(rows, identity.node_id)
            if invalid:
                _record(invalid, Outcome(None, error="record_invalid: refusé localement"),
                        moment, rng, report, final=True)
                rows = [row for row in rows if row not in invalid]
            if not records:
                db.session.commit()
                continue
            outcome = _send(client, peer, records)
            report.batches += 1
            report.records += len(records)
            if outcome.waiting:
                _wait(rows, peer, outcome, moment)
                report.waiting = outcome.waiting
            else:
                _record(rows, outcome, moment, rng, report)
                if outcome.status is not None and 200 <= outcome.status < 300:
                    peer.admission, peer.admission_seen_at = Admission.ADMITTED, moment
                    peer.last_error = ""
                    retry_backlog_now(moment)
                else:
                    peer.last_error = outcome.error[:500]
                    report.errors.append(outcome.error)
            db.session.commit()
            if report.waiting or report.errors:
                break
    return report


def retry_backlog_now(now: datetime | None = None) -> int:
    """Make every row waiting out a retry delay due now (not committed); returns how many.

    Called when the directory has just accepted a batch (it is back) and when the pusher
    starts (the process was down: the directory may have come back meanwhile). Without it,
    changes made while the directory was unreachable wait out their exponential backoff (up
    to hours) although the directory answers again. Delivery stays idempotent on the
    directory's side, so an early retry is harmless.
    """
    moment = now or utcnow()
    result = db.session.execute(
        update(OutboxEntry).where(OutboxEntry.state == DeliveryState.RETRYING.value,
                                  OutboxEntry.next_attempt_at > moment)
        .values(next_attempt_at=moment))
    return int(getattr(result, "rowcount", 0) or 0)


def outbox_counts() -> dict[str, int]:
    rows = db.session.execute(select(OutboxEntry.state, db.func.count(OutboxEntry.id))
                              .group_by(OutboxEntry.state)).all()
    counts = {state.value: 0 for state in DeliveryState}
    counts.update({state: count for state, count in rows})
    return counts


def last_outbox_error() -> str:
    row = db.session.scalars(select(OutboxEntry).where(OutboxEntry.last_error != "")
                             .order_by(OutboxEntry.id.desc())).first()
    return row.last_error if row else ""
