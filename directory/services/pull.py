"""Reading admitted nodes' change feeds: the directory's safety net when a push was missed.

For each admitted node that is due, :func:`pull_once` reads ``GET <feed>?cursor=`` with the
directory's signed client, verifies each signed page with that node's stored key, checks
every envelope (schemas, origin binding: :mod:`federation.feedread`, in a reader process
during a large read), applies pages through
:func:`~directory.services.aggregation.stage_batch` and stores the cursor with each page,
committing a few thousand records at a time. A failure backs off exponentially
(``federation.delivery``); ``resync_required`` (410) drops the node's records and reads
its feed again from the start.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from directory.extensions import db
from directory.models import Peer, PeerStatus, utcnow
from directory.peering.identity import key_path, require_identity, signing_key
from directory.peering.trust import node_keys_now
from directory.services.aggregation import BatchRefused, forget_node_records, stage_batch
from federation.client import PeerError, PeerRefused, SignedClient
from federation.delivery import MAX_RETRY_AFTER, backoff_delay
from federation.errors import FederationRefusal
from federation.feedread import FeedPage, FeedPageInvalid, PageReader, PageRun, read_pages
from federation.keys import KeyRecord
from federation.urlpolicy import AddressRefused

log = logging.getLogger("chaleur.directory.pull")
#: Pages read from one node in one run (100 records each); the rest comes next run.
MAX_PAGES = 50
#: Records the pull applies between two commits. A commit per 100-record page cost more
#: than the page itself (SQLite: the WAL frames of the same index pages written again and
#: again, FTS5 flushing a small segment each time); a few thousand keep each transaction
#: short (a push to the inbox waits for the write lock at most that long).
COMMIT_RECORDS = 2000
#: Records a run reads in the directory's own process before it hands the next pages to a
#: reader process. Starting one costs a few tenths of a second of CPU, what reading a few
#: thousand records costs here: only a large read (a network's first aggregation, a big
#: node's first read) is worth a process; a routine run reads a few changes.
READER_AFTER_RECORDS = 5000
#: Pages the reader process reads in a row, ahead of the writer.
READER_PAGES = 4


#: Why a page is not applied: raised before it writes anything (see :func:`_read_feed`).
PAGE_REFUSALS = (PeerError, AddressRefused, FederationRefusal, FeedPageInvalid, BatchRefused)


@dataclass
class PullReport:
    nodes: int = 0
    pages: int = 0
    applied: int = 0
    resyncs: int = 0
    failures: dict[str, str] = field(default_factory=dict)  # node id -> reason
    staged: int = 0  # records written since the last commit (earlier nodes' included)


@contextmanager
def directory_client() -> Iterator[SignedClient]:
    """The signed client every outgoing call of the directory uses."""
    client = SignedClient(signing_key(), allow_private_addresses=bool(
        current_app.config["FEDERATION_ALLOW_PRIVATE"]))
    try:
        yield client
    finally:
        client.close()


def page_reader() -> PageReader:
    """A reader process signing with the directory's current key (loaded from its file)."""
    keyid = require_identity().current_keyid
    return PageReader(key_path(keyid), keyid, allow_private_addresses=bool(
        current_app.config["FEDERATION_ALLOW_PRIVATE"]))


class PageFetcher:
    """Reads a node's feed pages ahead of the caller, who writes them meanwhile.

    Until the run has read :data:`READER_AFTER_RECORDS` records, a helper thread reads the
    next page. After that, a :class:`~federation.feedread.PageReader` process reads
    :data:`READER_PAGES` pages at a time: the signature, JSON and schema work then runs on
    another core instead of taking the interpreter lock from the writer, and the process
    follows the cursor without waiting for the writer. If that process dies, the thread
    takes over again."""

    def __init__(self, client: SignedClient, reader: PageReader | None) -> None:
        self.client, self.reader = client, reader
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chaleur-feed")
        self.records = 0  # read so far in this run

    def pages(self, feed_url: str, cursor: str, keys: dict[str, KeyRecord], node_id: str,
              limit: int) -> Iterator[FeedPage]:
        """At most ``limit`` pages from ``cursor`` on, in order; a refusal is raised where
        the refused page would have come."""
        pending: Future[PageRun] | None = self._submit(feed_url, cursor, keys, node_id, limit)
        try:
            while pending is not None:
                run = self._result(pending, feed_url, cursor, keys, node_id)
                self.records += sum(len(page.records) for page in run.pages)
                limit -= len(run.pages)
                last = run.pages[-1] if run.pages else None
                pending = None
                if run.error is None and last is not None and last.more and limit > 0:
                    cursor = last.next
                    pending = self._submit(feed_url, cursor, keys, node_id, limit)
                yield from run.pages
                if run.error is not None:
                    raise run.error
        finally:
            if pending is not None:  # read ahead for nothing (refusal, or the caller stopped)
                pending.cancel()

    def _submit(self, feed_url: str, cursor: str, keys: dict[str, KeyRecord], node_id: str,
                limit: int) -> Future[PageRun]:
        if self.reader is not None and self.records >= READER_AFTER_RECORDS:
            return self.reader.submit(feed_url, cursor, keys, node_id, min(READER_PAGES, limit))
        if self.reader is not None and self.records >= READER_AFTER_RECORDS // 2:
            self.reader.start()  # ready by the time it is needed
        return self.thread.submit(read_pages, self.client, feed_url, cursor, keys, node_id, 1)

    def _result(self, pending: Future[PageRun], feed_url: str, cursor: str,
                keys: dict[str, KeyRecord], node_id: str) -> PageRun:
        try:
            return pending.result()
        except BrokenProcessPool:
            log.warning("feed reader process stopped; reading pages in this process")
            if self.reader is not None:
                self.reader.close()
                self.reader = None
            return read_pages(self.client, feed_url, cursor, keys, node_id, 1)

    def close(self) -> None:
        self.thread.shutdown(wait=True)
        if self.reader is not None:
            self.reader.close()


def due_nodes(now: datetime, *, force: bool = False) -> list[Peer]:
    query = select(Peer).where(Peer.status == PeerStatus.ADMITTED)
    if not force:
        query = query.where(or_(Peer.next_pull_at.is_(None), Peer.next_pull_at <= now))
    return list(db.session.scalars(query.order_by(Peer.node_id)))


def _read_feed(fetcher: PageFetcher, peer: Peer, report: PullReport) -> None:
    """Read at most :data:`MAX_PAGES` pages, committing every :data:`COMMIT_RECORDS` records.

    While a page is applied, the next ones are already being fetched, verified and checked
    (see :class:`PageFetcher`). Pages are applied in order, each with its cursor, and
    committed together, possibly with the previous nodes' last pages: the cursor in the
    database is always the one of the last committed page. A page refused by the node's
    feed or by the checks writes nothing (see
    :func:`~directory.services.aggregation.stage_batch`), so the pages before it are
    committed with their cursor before the refusal is reported, and the next run asks again
    from the refused page."""
    keys = node_keys_now(peer)  # the fetcher has no app context to query keys with
    feed_url = peer.base_url + str((peer.document.get("endpoints") or {}).get("feed", ""))
    budget = MAX_PAGES
    try:
        while budget > 0:
            try:
                for page in fetcher.pages(feed_url, peer.feed_cursor, keys, peer.node_id,
                                          budget):
                    budget -= 1
                    if page.records:
                        report.applied += stage_batch(peer, page.records, strict=True).applied
                        report.staged += len(page.records)
                    peer.feed_cursor = page.next
                    report.pages += 1
                    if report.staged >= COMMIT_RECORDS:
                        db.session.commit()
                        report.staged = 0
                return
            except PeerRefused as exc:
                if exc.status != 410 or exc.code != "resync_required" or not peer.feed_cursor:
                    raise
                forget_node_records(peer.node_id)
                peer.feed_cursor = ""
                db.session.commit()
                report.staged = 0
                report.resyncs += 1
                budget -= 1
    except PAGE_REFUSALS:
        db.session.commit()  # the whole pages staged before the refused one
        report.staged = 0
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


def pull_node(fetcher: PageFetcher, peer: Peer, now: datetime, rng: random.Random,
              report: PullReport) -> bool:
    """Read one node's feed; record success or failure (with backoff) on the peer."""
    retry_after = None
    try:
        _read_feed(fetcher, peer, report)
    except PeerRefused as exc:
        reason, retry_after = f"HTTP {exc.status} {exc.code}", exc.retry_after
    except (PeerError, AddressRefused) as exc:
        reason = f"{getattr(exc, 'code', type(exc).__name__)}: injoignable"
    except FederationRefusal as exc:
        reason = f"{exc.code}: {exc.message}"[:300]
    except (FeedPageInvalid, BatchRefused) as exc:
        reason = str(exc)[:300]
    else:
        _succeeded(peer, now)  # committed with the node's last pages, by pull_once at least
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
        fetcher = PageFetcher(client, page_reader())
        try:
            for peer in peers:
                report.nodes += 1
                pull_node(fetcher, peer, now, rng, report)
            db.session.commit()
        finally:
            fetcher.close()
    return report
