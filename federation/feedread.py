"""Reading a node's change feed page by page, checked (docs/federation.md section 7).

:func:`read_page` does everything a reader does with a page before writing it, and none of
it needs a database: the signed ``GET``, the response signature with the node's keys,
strict JSON, the page's shape, every envelope's schema and origin; :func:`read_pages`
follows the cursor for a few pages in a row. :class:`PageReader` runs that in a separate
process: a full read of a network (100 000 records) spends about a third of its CPU here,
and in a thread that work would also hold the interpreter lock the writer needs between
two database calls, so only a second process lets it use the second core while the caller
writes the previous pages.
"""

from __future__ import annotations

import multiprocessing
import urllib.parse
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from federation.client import PeerError, SignedClient
from federation.errors import FederationRefusal
from federation.keys import KeyRecord, load_private_key
from federation.records import check_origin, validate_record


class FeedPageInvalid(Exception):
    """A feed page that is not what docs/federation.md section 7 describes."""


@dataclass(frozen=True)
class FeedPage:
    """One verified page: its checked records (plain envelopes), next cursor and `more`."""

    records: list[dict[str, Any]]
    next: str
    more: bool


def page_records(node_id: str, data: dict[str, Any] | None) -> FeedPage:
    """Check a parsed page: its shape, then every envelope (schemas, origin ``node_id``)."""
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


def page_url(feed_url: str, cursor: str) -> str:
    """The feed's URL asking for the page after ``cursor`` (the first page without one)."""
    return feed_url + ("?cursor=" + urllib.parse.quote(cursor, safe="") if cursor else "")


def read_page(client: SignedClient, url: str, keys: Mapping[str, KeyRecord],
              node_id: str) -> FeedPage:
    """GET one page of ``node_id``'s feed, verify it with ``keys`` (key id → the node's key
    as the reader knows it) and check it."""
    return page_records(node_id, client.get(url, verify_with=keys.get).data)


@dataclass(frozen=True)
class PageRun:
    """Pages read in a row from one feed, and the refusal that stopped the run early (the
    one the next page raised), if any: the pages before a refusal are still good."""

    pages: list[FeedPage]
    error: Exception | None = None


def read_pages(client: SignedClient, feed_url: str, cursor: str,
               keys: Mapping[str, KeyRecord], node_id: str, count: int) -> PageRun:
    """Up to ``count`` pages from ``cursor`` on, fewer when the feed has no more."""
    pages: list[FeedPage] = []
    try:
        while len(pages) < count:
            page = read_page(client, page_url(feed_url, cursor), keys, node_id)
            pages.append(page)
            if not page.more:
                break
            cursor = page.next
    except (PeerError, FederationRefusal, FeedPageInvalid) as exc:
        return PageRun(pages, exc)
    return PageRun(pages)


_client: SignedClient | None = None  # the reader process's own client


def _start(key_file: str, keyid: str, allow_private_addresses: bool) -> None:
    global _client
    _client = SignedClient(load_private_key(Path(key_file), keyid),
                           allow_private_addresses=allow_private_addresses)


def _read(feed_url: str, cursor: str, keys: dict[str, KeyRecord], node_id: str,
          count: int) -> PageRun:
    if _client is None:
        raise RuntimeError("reader process not started")
    return read_pages(_client, feed_url, cursor, keys, node_id, count)


class PageReader:
    """:func:`read_pages` in one separate process, started at the first :meth:`submit`.

    The process loads the signing key from its file itself (the private key never crosses
    the pipe) and keeps one HTTP session. Refusals come back as the same exceptions
    (:mod:`federation.errors` and :mod:`federation.client` errors pickle with their fields).
    ``spawn``, not ``fork``: the caller is a threaded web process, and a forked child could
    inherit a lock another thread held."""

    def __init__(self, key_file: Path, keyid: str, *,
                 allow_private_addresses: bool = False) -> None:
        self._start_args = (str(key_file), keyid, allow_private_addresses)
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the process now (it takes a few tenths of a second) if it is not running."""
        self._running()

    def submit(self, feed_url: str, cursor: str, keys: Mapping[str, KeyRecord], node_id: str,
               count: int) -> Future[PageRun]:
        """Read pages in the process; the future raises ``BrokenProcessPool`` if it died."""
        return self._running().submit(_read, feed_url, cursor, dict(keys), node_id, count)

    def _running(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start, initargs=self._start_args)
            self._pool.submit(int)  # the process is spawned at the first task
        return self._pool

    def close(self) -> None:
        """Stop the process (pages not yet read are dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
