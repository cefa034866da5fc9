from __future__ import annotations

import random

import pytest

from federation.delivery import (
    MAX_DELAY,
    DeliveryState,
    after_attempt,
    backoff_delay,
    is_retryable,
    transition,
)

NOW = 1_750_000_000


@pytest.mark.parametrize(("status", "retry"), [
    (None, True), (500, True), (503, True), (408, True), (425, True), (429, True),
    (400, False), (401, False), (403, False), (404, False), (410, False), (413, False),
    (301, False), (200, False),
])
def test_retryable_statuses(status: int | None, retry: bool) -> None:
    assert is_retryable(status) is retry


def test_success_delivers() -> None:
    step = after_attempt(DeliveryState.PENDING, 0, 202, now=NOW, rng=random.Random(1))
    assert (step.state, step.tries, step.next_attempt_at) == (DeliveryState.DELIVERED, 1, None)


def test_permanent_refusal_fails_at_once() -> None:
    step = after_attempt(DeliveryState.PENDING, 0, 403, now=NOW, rng=random.Random(1))
    assert step.state is DeliveryState.FAILED


def test_backoff_grows_with_jitter_and_cap() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(tries, rng) for tries in range(1, 16)]
    assert 15 <= delays[0] <= 30 and 120 <= delays[3] <= 240
    assert all(MAX_DELAY // 2 <= d <= MAX_DELAY for d in delays[12:])
    assert len({backoff_delay(5, rng) for _ in range(20)}) > 1


def test_retry_after_is_honoured_but_bounded() -> None:
    step = after_attempt(DeliveryState.PENDING, 0, 429, now=NOW, rng=random.Random(1),
                         retry_after=3600)
    assert step.state is DeliveryState.RETRYING and step.next_attempt_at == NOW + 3600
    far = after_attempt(DeliveryState.RETRYING, 1, 503, now=NOW, rng=random.Random(1),
                        retry_after=10**9)
    assert far.next_attempt_at == NOW + 24 * 3600


def test_gives_up_after_max_tries() -> None:
    step = after_attempt(DeliveryState.RETRYING, 11, None, now=NOW, rng=random.Random(1))
    assert step.state is DeliveryState.FAILED and step.tries == 12


def test_settled_states_are_final() -> None:
    with pytest.raises(ValueError):
        transition(DeliveryState.DELIVERED, DeliveryState.RETRYING)
    with pytest.raises(ValueError):
        after_attempt(DeliveryState.FAILED, 3, 500, now=NOW, rng=random.Random(1))
    with pytest.raises(ValueError):
        transition(DeliveryState.RETRYING, DeliveryState.PENDING)
