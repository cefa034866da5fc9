"""Hand freed memory back to the system once a burst of requests is over.

A village node runs for months on a small machine. Answering requests allocates and frees
memory, and the C allocator keeps the freed pages for later, so the resident size only
ratchets up after each burst. ``malloc_trim(0)`` (glibc) returns those free pages. It runs in
a background thread once the server has been quiet for :data:`QUIET_SECONDS` after at least
one request: a busy server never pays for it, and an idle one does not trim again and again.
Where the C library has no ``malloc_trim`` (musl, macOS) nothing is started.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

#: Seconds without a new request before freed memory is handed back.
QUIET_SECONDS = 1.0

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def libc_release() -> Callable[[], object] | None:
    """``malloc_trim(0)`` of the C library this interpreter runs on, if it has one."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: trim(0)


class IdleMemoryRelease:
    """WSGI wrapper noting when requests arrive, and the thread that trims when it is quiet."""

    def __init__(self, app: WsgiApp, release: Callable[[], object] | None = None,
                 quiet: float = QUIET_SECONDS) -> None:
        self.app = app
        self.release = release if release is not None else libc_release()
        self.quiet = quiet
        self.last_request = 0.0
        self.served = threading.Event()

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.last_request = time.monotonic()
        self.served.set()
        return self.app(environ, start_response)

    def start(self) -> bool:
        """Start the trimming thread; False (nothing started) without ``malloc_trim``."""
        if self.release is None:
            return False
        threading.Thread(target=self.run, args=(self.release,), name="chaleur-idle-memory",
                         daemon=True).start()
        return True

    def run(self, release: Callable[[], object]) -> None:
        while True:
            self.served.wait()
            while (left := self.last_request + self.quiet - time.monotonic()) > 0:
                time.sleep(left)
            self.served.clear()  # a request from now on asks for another round
            release()
