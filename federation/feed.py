"""Change feed paging as plain data.

A node numbers every change (create, update, tombstone) with an increasing sequence.
A reader keeps the opaque `next` cursor of the last page and asks for what follows.
The cursor is HMAC-signed by the node so a reader cannot forge positions, and carries
the feed epoch so a node that rebuilt its sequence (restore from backup) can tell old
cursors apart. Tombstones are kept TOMBSTONE_DAYS; a cursor older than what the node
still remembers gets ResyncRequired (the reader restarts from an empty cursor).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from federation.errors import CursorInvalid, ResyncRequired

TOMBSTONE_DAYS = 30
MAX_PAGE = 100
_MAC_BYTES = 16
_CURSOR = re.compile(r"[A-Za-z0-9_-]{1,200}\.[A-Za-z0-9_-]{22}")


@dataclass(frozen=True)
class Cursor:
    seq: int  # last sequence number the reader has seen
    epoch: int  # feed generation; changes when the node rebuilds its sequence


@dataclass(frozen=True)
class FeedEntry:
    seq: int
    record: Mapping[str, Any]  # a record envelope, as JSON


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, payload: bytes) -> bytes:
    mac = hmac.new(secret, b"chaleur-feed-cursor\x00" + payload, hashlib.sha256)
    return mac.digest()[:_MAC_BYTES]


def encode_cursor(cursor: Cursor, secret: bytes) -> str:
    payload = json.dumps({"e": cursor.epoch, "s": cursor.seq}, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_mac(secret, payload))}"


def decode_cursor(text: str, secret: bytes) -> Cursor:
    """Strict inverse of encode_cursor; anything else is cursor_invalid (HTTP 400)."""
    if _CURSOR.fullmatch(text) is None:
        raise CursorInvalid("cursor_invalid", "cursor is malformed")
    body, mac = text.split(".")
    try:
        payload, tag = _unb64(body), _unb64(mac)
    except (binascii.Error, ValueError) as exc:
        raise CursorInvalid("cursor_invalid", "cursor is malformed") from exc
    if not hmac.compare_digest(tag, _mac(secret, payload)):
        raise CursorInvalid("cursor_invalid", "cursor was not issued by this node")
    data = json.loads(payload)
    return Cursor(seq=data["s"], epoch=data["e"])


def read_cursor(text: str | None, *, secret: bytes, epoch: int, horizon_seq: int) -> int:
    """The sequence to read after. `horizon_seq` is the highest sequence whose tombstone
    the node has already purged: a reader behind it may have missed a deletion."""
    if not text:
        return 0
    cursor = decode_cursor(text, secret)
    if cursor.epoch != epoch:
        raise ResyncRequired("resync_required", "the feed was rebuilt; restart from the beginning")
    if cursor.seq < horizon_seq:
        raise ResyncRequired("resync_required", "cursor is older than the tombstone horizon")
    return cursor.seq


def purge_before(now: int, days: int = TOMBSTONE_DAYS) -> int:
    """Unix time before which the node may purge tombstones (then raise horizon_seq)."""
    return now - days * 86_400


def build_page(entries: Sequence[FeedEntry], limit: int, *, after: int, epoch: int,
               secret: bytes) -> dict[str, Any]:
    """One feed page. Pass up to limit + 1 entries with seq > after, in order:
    the extra one only tells whether there is more."""
    if not 0 < limit <= MAX_PAGE:
        raise ValueError(f"limit must be 1..{MAX_PAGE}")
    page = list(entries[:limit])
    if any(b.seq <= a.seq for a, b in zip([FeedEntry(after, {})] + page, page, strict=False)):
        raise ValueError("entries must be in increasing seq order, after the cursor")
    last = page[-1].seq if page else after
    return {
        "records": [dict(entry.record) for entry in page],
        "next": encode_cursor(Cursor(seq=last, epoch=epoch), secret),
        "more": len(entries) > limit,
    }
