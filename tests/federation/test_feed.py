from __future__ import annotations

import base64

import pytest

from federation.errors import CursorInvalid, ResyncRequired
from federation.feed import (
    Cursor,
    FeedEntry,
    build_page,
    decode_cursor,
    encode_cursor,
    purge_before,
    read_cursor,
)

SECRET = b"feed-secret-for-tests"


def entries(*seqs: int) -> list[FeedEntry]:
    return [FeedEntry(seq, {"id": f"r{seq}"}) for seq in seqs]


def test_page_with_more_and_next_cursor() -> None:
    page = build_page(entries(5, 6, 7), 2, after=4, epoch=1, secret=SECRET)
    assert page["records"] == [{"id": "r5"}, {"id": "r6"}] and page["more"] is True
    assert read_cursor(page["next"], secret=SECRET, epoch=1, horizon_seq=0) == 6


def test_last_page_and_empty_page_keep_position() -> None:
    page = build_page(entries(7), 2, after=6, epoch=1, secret=SECRET)
    assert page["more"] is False
    assert decode_cursor(page["next"], SECRET) == Cursor(seq=7, epoch=1)
    empty = build_page([], 2, after=7, epoch=1, secret=SECRET)
    assert empty["records"] == [] and decode_cursor(empty["next"], SECRET).seq == 7


def test_entries_must_follow_cursor_in_order() -> None:
    with pytest.raises(ValueError):
        build_page(entries(6, 5), 5, after=4, epoch=1, secret=SECRET)
    with pytest.raises(ValueError):
        build_page(entries(4), 5, after=4, epoch=1, secret=SECRET)


def test_no_cursor_reads_from_start() -> None:
    assert read_cursor(None, secret=SECRET, epoch=1, horizon_seq=10) == 0


def tampered(cursor: str) -> str:
    body, mac = cursor.split(".")
    forged = base64.urlsafe_b64encode(b'{"e":1,"s":999}').rstrip(b"=").decode()
    return f"{forged}.{mac}"


@pytest.mark.parametrize("make", [tampered, lambda c: c[:-1], lambda c: c + "A",
                                  lambda c: "!" + c, lambda c: c.replace(".", ""),
                                  lambda c: "", lambda c: "x" * 300])
def test_tampered_cursor_is_a_400(make: object) -> None:
    cursor = encode_cursor(Cursor(seq=5, epoch=1), SECRET)
    assert decode_cursor(cursor, SECRET).seq == 5
    with pytest.raises(CursorInvalid) as refused:
        decode_cursor(make(cursor), SECRET)  # type: ignore[operator]
    assert refused.value.code == "cursor_invalid" and refused.value.status == 400


def test_cursor_from_another_node_refused() -> None:
    with pytest.raises(CursorInvalid):
        decode_cursor(encode_cursor(Cursor(seq=5, epoch=1), b"other"), SECRET)


def test_resync_when_behind_horizon_or_new_epoch() -> None:
    cursor = encode_cursor(Cursor(seq=5, epoch=1), SECRET)
    assert read_cursor(cursor, secret=SECRET, epoch=1, horizon_seq=5) == 5
    for epoch, horizon in [(1, 6), (2, 0)]:
        with pytest.raises(ResyncRequired) as refused:
            read_cursor(cursor, secret=SECRET, epoch=epoch, horizon_seq=horizon)
        assert refused.value.status == 410


def test_tombstone_horizon_defaults_to_30_days() -> None:
    assert purge_before(1_750_000_000) == 1_750_000_000 - 30 * 86_400
    assert purge_before(1_750_000_000, days=7) == 1_750_000_000 - 7 * 86_400
