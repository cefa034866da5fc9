"""The compiled schema check never accepts what jsonschema refuses (it only speeds up the
valid case): checked on valid records of every type and on thousands of mutations of them."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from federation.schemas import fast_check, first_error, validator
from federation.schemas.compiled import known_valid
from tests.federation.test_records import PAYLOADS, envelope

ODD_VALUES: list[Any] = [None, True, False, 0, 1, -1, 1.0, 2.5, 2**63, "", "x", "x" * 5000,
                         "2025-07-01T17:00:00Z", "67475", "https://a.example", [], ["x", "x"],
                         [1, True], ["fr", "de"], {}, {"a": 1}, "offer", "need", "ÉBÉNISTE"]


def mutations(data: Any, rng: random.Random, count: int) -> list[Any]:
    """Copies of `data` with one value replaced, a key added or a key removed."""
    found = []
    for _ in range(count):
        copied = copy.deepcopy(data)
        target = copied
        while isinstance(target, dict) and target and rng.random() < 0.6:
            key = rng.choice(list(target))
            if not isinstance(target[key], dict | list) or rng.random() < 0.3:
                break
            target = target[key] if isinstance(target[key], dict) else target
            if not isinstance(target, dict):
                break
        if isinstance(target, dict):
            roll = rng.random()
            if roll < 0.7 and target:
                target[rng.choice(list(target))] = rng.choice(ODD_VALUES)
            elif roll < 0.85 and target:
                del target[rng.choice(list(target))]
            else:
                target[rng.choice(["extra", "name", "kind", "skills"])] = rng.choice(ODD_VALUES)
        found.append(copied)
    return found


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_agrees_with_jsonschema(kind: str) -> None:
    rng = random.Random(kind)
    check = fast_check(kind)
    assert check is not None and known_valid(check, PAYLOADS[kind])
    accepted = refused = fast_accepted = 0
    for name, data in ((kind, PAYLOADS[kind]), ("envelope", envelope(kind))):
        for mutated in mutations(data, rng, 1500):
            fast = known_valid(fast_check(name), mutated)
            exact = validator(name).is_valid(mutated)
            assert not fast or exact, mutated  # never accept what jsonschema refuses
            assert (first_error(name, mutated) is None) == exact
            accepted, refused = accepted + exact, refused + (not exact)
            fast_accepted += fast
    assert accepted > 100 and refused > 100  # both sides were exercised
    assert fast_accepted >= 0.9 * accepted  # and the fast path does answer the valid case


def test_refusal_messages_still_come_from_jsonschema() -> None:
    bad = {**PAYLOADS["member"], "skills": ["x", "x"]}
    assert first_error("member", bad) == "skills: ['x', 'x'] has non-unique elements"
