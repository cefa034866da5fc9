"""Sets of record ids as Python ints (bit ``id`` set for each member): one AND and one
popcount intersect and count two sets of 100 000 ids in microseconds, in C."""

from __future__ import annotations

import re
from collections.abc import Iterable

_ONE = re.compile("1")


def bitset(ids: Iterable[int]) -> int:
    """The set of these (non-negative) ids; built in a byte array, converted once."""
    raw = bytearray()
    for rid in ids:
        index = rid >> 3
        if index >= len(raw):
            raw.extend(bytes(index + 1 - len(raw) + 1024))
        raw[index] |= 1 << (rid & 7)
    return int.from_bytes(raw, "little")


def positions(bits: int) -> list[int]:
    """The ids of a set, ascending (its binary string scanned in C)."""
    return [match.start() for match in _ONE.finditer(bin(bits)[:1:-1])]


def contains(raw: bytes, rid: int) -> bool:
    """Whether ``rid`` is in the set whose little-endian bytes are ``raw``."""
    index = rid >> 3
    return index < len(raw) and bool(raw[index] >> (rid & 7) & 1)


def as_bytes(bits: int) -> bytes:
    """The little-endian bytes of a set, for many :func:`contains` tests."""
    return bits.to_bytes((bits.bit_length() + 7) // 8, "little")
