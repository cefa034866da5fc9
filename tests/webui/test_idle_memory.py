"""Freed memory is handed back once a burst of requests is over, not during it, not again
and again while the server sits idle."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from tests.federation_e2e.conftest import wait_for
from webui.idle_memory import IdleMemoryRelease, libc_release

QUIET = 0.6


def hello(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"bonjour"]


def burst(served: IdleMemoryRelease, seconds: float) -> None:
    """Requests every 20 ms: never a quiet moment as long as QUIET."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        assert served({}, lambda *args: None) == [b"bonjour"]
        time.sleep(0.02)


def test_released_once_per_burst_after_a_quiet_moment() -> None:
    releases: list[float] = []
    served = IdleMemoryRelease(hello, release=lambda: releases.append(time.monotonic()),
                               quiet=QUIET)
    assert served.start()
    time.sleep(QUIET * 2)
    assert releases == []  # nothing served yet: nothing to hand back

    burst(served, QUIET * 2)
    assert releases == []  # not while requests keep coming
    last_request = served.last_request
    wait_for(lambda: releases, timeout=QUIET * 10)
    assert releases[0] >= last_request + QUIET
    time.sleep(QUIET * 2)
    assert len(releases) == 1  # idle: once is enough

    burst(served, 0.1)
    wait_for(lambda: len(releases) == 2, timeout=QUIET * 10)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_glibc_release_is_found_and_callable() -> None:
    release = libc_release()
    assert release is not None
    assert release() in (0, 1)  # malloc_trim: 1 if memory was handed back
