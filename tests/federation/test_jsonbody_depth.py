"""The depth check cuts strings out with a regular expression instead of walking every
character: same verdict as the character walk on random bracket/quote/escape soup, and
linear on hostile bodies (unterminated strings, runs of escaped quotes)."""

from __future__ import annotations

import random
import time

import pytest

from federation.errors import BodyRefused
from federation.jsonbody import _check_depth


def walked_too_deep(text: str, max_depth: int) -> bool:
    """The reference: one character at a time, tracking strings and escapes."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif char in "]}":
            depth -= 1
    return False


def too_deep(text: str, max_depth: int) -> bool:
    try:
        _check_depth(text, max_depth)
    except BodyRefused as exc:
        assert exc.code == "json_too_deep"
        return True
    return False


def test_same_verdict_as_the_character_walk() -> None:
    rng = random.Random(20260101)
    deep = 0
    for _ in range(20_000):
        text = "".join(rng.choice('[]{}"\\a\n') for _ in range(rng.randint(0, 40)))
        for max_depth in (1, 2, 3):
            expected = walked_too_deep(text, max_depth)
            assert too_deep(text, max_depth) == expected, (text, max_depth)
            deep += expected
    assert deep > 1000


@pytest.mark.parametrize("hostile", ['"' + '\\"' * 400_000, '\\"' * 400_000,
                                     '"\\' * 400_000, "[" * 11 + '"' * 800_000])
def test_hostile_bodies_stay_linear(hostile: str) -> None:
    started = time.perf_counter()
    assert not too_deep(hostile, 12)
    assert time.perf_counter() - started < 2.0
