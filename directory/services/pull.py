"""Reading admitted nodes' change feeds: the directory's safety net when a push was missed.

For each admitted node that is due, :func:`pull_once` reads ``GET <feed>?cursor=`` with the
directory's signed client, verifies each signed page with that node's stored key, checks
every envelope (schemas, origin binding), applies pages through
:func:`~directory.services.aggregation.stage_batch` and stores the cursor with each page,
committing a few thousand records at a time.
A failure backs off exponentially (``federation.delivery``); ``resync_required`` (410) drops
the node's records and reads its feed again from the start.
"""

from __future__ import annotations

import logging
import random
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select

from directory.extensions import db
from directory.models import Peer, PeerStatus, utcnow
from directory.peering.identity import signing_key
from directory.peering.trust import node_keys_now
from directory.services.aggregation import BatchRefused, forget_node_records, stage_batch
from federation.client import PeerError, PeerRefused, ResponseKeys, SignedClient
from federation.delivery import MAX_RETRY_AFTER, backoff_delay
from federation.errors import FederationRefusal
from federation.records import check_origin, validate_record
from federation.urlpolicy import AddressRefused

log = logging.getLogger("chaleur.directory.pull")
#: Pages read from one node in one run (100 records each); the rest comes next run.
MAX_PAGES = 50
#: Records the pull applies between two commits. A commit per 100-record page cost more
#: than the page itself (SQLite: the WAL frames of the same index pages written again and
#: again, FTS5 flushing a small segment each time); a few thousand keep each transaction
#: short (a push to the inbox waits for the write lock at most that long).
COMMIT_RECORDS = 2000


class FeedPageInvalid(Exception):
    """A feed page that is not what docs/federation.md section 7 describes."""


#: Why a page is not applied: raised before it writes anything (see :func:`_read_feed`).
PAGE_REFUSALS = (PeerError, AddressRefused, FederationRefusal, FeedPageInvalid, BatchRefused)


@dataclass
class PullReport:
    nodes: int = 0
    pages: int = 0
    applied: int = 0
    resyncs: int = 0
    failures: dict[str, str] = field(default_factory=dict)  # node id -> reason


@contextmanager
def directory_client() -> Iterator[SignedClient]:
    """The signed client every outgoing call of the directory uses."""
    client = SignedClient(signing_key(), allow_private_addresses=bool(
        current_app.config["FEDERATION_ALLOW_PRIVATE"]))
    try:
        yield client
    finally:
        client.close()


def due_nodes(now: datetime, *, force: bool = False) -> list[Peer]:
    query = select(Peer).where(Peer.status == PeerStatus.ADMITTED)
    if not force:
        query = query.where(or_(Peer.next_pull_at.is_(None), Peer.next_pull_at <= now))
    return list(db.session.scalars(query.order_by(Peer.node_id)))


def _feed_url(peer: Peer, cursor: str) -> str:
    url = peer.base_url + str((peer.document.get("endpoints") or {}).get("feed", ""))
    return url + ("?cursor=" + urllib.parse.quote(cursor, safe="") if cursor else "")


@dataclass(frozen=True)
class FeedPage:
    """One verified feed page: its checked records (plain dicts), next cursor and `more`."""

    records: list[dict[str, Any]]
    next: str
    more: bool


def _page_records(node_id: str, data: dict[str, Any] | None) -> FeedPage:
    if data is None or not isinstance(data.get("records"), list) or \
            not isinstance(data.get("next"), str) or not isinstance(data.get("more"), bool) or \
            not 0 < len(data["next"]) <= 255:
        raise FeedPageInvalid("feed page without records/next/more")
    records = []
    for index, raw in enumerate(data["records"]):
        record = validate_record(raw, index)
        check_origin(record, node_id, index)
        records.append(record.as_json())
    return FeedPage(records, data["next"], data["more"])


def _fetch_page(client: SignedClient, url: str, keys: ResponseKeys, node_id: str) -> FeedPage:
    """GET one page, verify its signature, parse it and check every envelope.

    Runs in the prefetch thread: none of it touches the database, so it overlaps the
    writing of the previous pages (SQLite and psycopg release the GIL while they work)."""
    return _page_records(node_id, client.get(url, verify_with=keys).data)


def _read_feed(client: SignedClient, peer: Peer, report: PullReport) -> None:
    """Read pages until `more` is false, committing every :data:`COMMIT_RECORDS` records.

    While a page is applied, the next one is already being fetched, verified and checked by
    a helper thread. Pages are applied in order, each with its cursor, and committed
    together: the cursor in the database is always the one of the last committed page. A
    page refused by the node's feed or by the checks writes nothing (see
    :func:`~directory.services.aggregation.stage_batch`), so the pages before it are
    committed with their cursor before the refusal is reported, and the next run asks again
    from the refused page."""
    keys = node_keys_now(peer)  # the helper thread has no app context to query keys with
    node_id = peer.node_id

    def fetch(cursor: str) -> Future[FeedPage]:
        return fetcher.submit(_fetch_page, client, _feed_url(peer, cursor), keys, node_id)

    staged = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chaleur-feed") as fetcher:
        ahead: tuple[str, Future[FeedPage]] | None = None
        try:
            for page_number in range(MAX_PAGES):
                if ahead is None or ahead[0] != peer.feed_cursor:
                    ahead = (peer.feed_cursor, fetch(peer.feed_cursor))
                try:
                    page = ahead[1].result()
                except PeerRefused as exc:
                    if exc.status != 410 or exc.code != "resync_required" or \
                            not peer.feed_cursor:
                        raise
                    forget_node_records(peer.node_id)
                    peer.feed_cursor = ""
                    db.session.commit()
                    staged = 0
                    report.resyncs += 1
                    ahead = None
                    continue
                more = page.more and page_number + 1 < MAX_PAGES
                ahead = (page.next, fetch(page.next)) if more else None
                if page.records:
                    report.applied += stage_batch(peer, page.records, strict=True).applied
                    staged += len(page.records)
                peer.feed_cursor = page.next
                report.pages += 1
                if staged >= COMMIT_RECORDS or not more:
                    db.session.commit()
                    staged = 0
                if not page.more:
                    return
        except PAGE_REFUSALS:
            db.session.commit()  # the whole pages staged before the refused one
            raise


def _succeeded(peer: Peer, now: datetime) -> None:
    peer.last_attempt_at = peer.last_success_at = now
    peer.failures = 0
    peer.next_pull_at = now + timedelta(seconds=float(
        current_app.config["FEDERATION_PULL_INTERVAL"]))


def _failed(peer: Peer, now: datetime, rng: random.Random, retry_after: int | None) -> None:
    peer.last_attempt_at = now
    peer.failures += 1
    delay = backoff_delay(peer.failures, rng)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    peer.next_pull_at = now + timedelta(seconds=delay)


def node_answered(node_id: str, now: datetime) -> None:
    """A node's push was just accepted: it is reachable again, so end its pull backoff and
    read its feed at the next round. Without this, a node that was down for a while is not
    read again until a backoff of up to hours expires, and whatever its pushes could not
    deliver (their own retries back off too) waits as long."""
    peer = db.session.scalars(select(Peer).where(Peer.node_id == node_id)).first()
    if peer is None or not peer.failures:
        return
    peer.failures = 0
    peer.next_pull_at = now
    db.session.commit()


def pull_node(client: SignedClient, peer: Peer, now: datetime, rng: random.Random,
              report: PullReport) -> bool:
    """Read one node's feed; record success or failure (with backoff) on the peer."""
    retry_after = None
    try:
        _read_feed(client, peer, report)
    except PeerRefused as exc:
        reason, retry_after = f"HTTP {exc.status} {exc.code}", exc.retry_after
    except (PeerError, AddressRefused) as exc:
        reason = f"{getattr(exc, 'code', type(exc).__name__)}: injoignable"
    except FederationRefusal as exc:
        reason = f"{exc.code}: {exc.message}"[:300]
    except (FeedPageInvalid, BatchRefused) as exc:
        reason = str(exc)[:300]
    else:
        _succeeded(peer, now)
        db.session.commit()
        return True
    db.session.rollback()
    _failed(peer, now, rng, retry_after)
    db.session.commit()
    report.failures[peer.node_id] = reason
    log.warning("pull failed: node=%s reason=%s failures=%d", peer.node_id, reason,
                peer.failures)
    return False


def pull_once(now: datetime | None = None, *, force: bool = False,
              rng: random.Random | None = None) -> PullReport:
    """Pull every admitted node that is due (every admitted node with ``force``)."""
    now = now or utcnow()
    rng = rng or random.Random()
    report = PullReport()
    peers = due_nodes(now, force=force)
    if not peers:
        return report
    with directory_client() as client:
        for peer in peers:
            report.nodes += 1
            pull_node(client, peer, now, rng, report)
    return report
