"""Retry bookkeeping for a persisted outbox, as pure functions.

The outbox row stores (state, tries, next_attempt_at); after each attempt the app asks
`after_attempt` what to store next. No database and no clock here: `now` and the random
source are passed in, so every schedule is reproducible in tests.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    FAILED = "failed"


#: The declared state graph; `transition` refuses anything else (cf. Takahē's StateGraph).
TRANSITIONS: dict[DeliveryState, frozenset[DeliveryState]] = {
    DeliveryState.PENDING: frozenset({DeliveryState.DELIVERED, DeliveryState.RETRYING,
                                      DeliveryState.FAILED}),
    DeliveryState.RETRYING: frozenset({DeliveryState.RETRYING, DeliveryState.DELIVERED,
                                       DeliveryState.FAILED}),
    DeliveryState.DELIVERED: frozenset(),
    DeliveryState.FAILED: frozenset(),
}
RETRYABLE_4XX = frozenset({408, 425, 429})
BASE_DELAY = 30
MAX_DELAY = 6 * 3600
MAX_RETRY_AFTER = 24 * 3600
MAX_TRIES = 12


def transition(current: DeliveryState, target: DeliveryState) -> DeliveryState:
    if target not in TRANSITIONS[current]:
        raise ValueError(f"delivery cannot go from {current} to {target}")
    return target


def is_retryable(status: int | None) -> bool:
    """None = no answer at all (timeout, DNS, connection refused): retry."""
    if status is None:
        return True
    if 200 <= status < 300:
        return False
    return status >= 500 or status in RETRYABLE_4XX


def backoff_delay(tries: int, rng: random.Random) -> int:
    """Full-jitter exponential backoff: uniform in [d/2, d], d = BASE * 2^(tries-1), capped."""
    ceiling = min(MAX_DELAY, BASE_DELAY << min(30, max(0, tries - 1)))
    return ceiling // 2 + rng.randint(0, ceiling - ceiling // 2)


@dataclass(frozen=True)
class NextStep:
    state: DeliveryState
    tries: int
    next_attempt_at: int | None  # unix time; None when the delivery is settled


def after_attempt(state: DeliveryState, tries: int, status: int | None, *, now: int,
                  rng: random.Random, retry_after: int | None = None,
                  max_tries: int = MAX_TRIES) -> NextStep:
    """What to store after an attempt that got `status` (None: no answer)."""
    tries += 1
    if status is not None and 200 <= status < 300:
        return NextStep(transition(state, DeliveryState.DELIVERED), tries, None)
    if not is_retryable(status) or tries >= max_tries:
        return NextStep(transition(state, DeliveryState.FAILED), tries, None)
    delay = backoff_delay(tries, rng)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return NextStep(transition(state, DeliveryState.RETRYING), tries, now + delay)
