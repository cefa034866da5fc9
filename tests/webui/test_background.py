"""The background loop both apps' workers share: rounds, waking, stopping."""

from __future__ import annotations

import threading
import time

from flask import Flask

from webui.background import BackgroundLoop


class CountingLoop(BackgroundLoop):
    extension_key = "test_counting_loop"
    thread_name = "test-counting-loop"

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        self.rounds = 0
        self.ran = threading.Event()

    def interval(self) -> float:
        return 60.0  # only a wake starts another round within this test

    def run_round(self) -> None:
        self.rounds += 1
        self.ran.set()


def test_a_round_at_start_another_when_woken_and_a_clean_stop() -> None:
    app = Flask(__name__)
    loop = CountingLoop(app)
    loop.start()
    try:
        assert app.extensions["test_counting_loop"] is loop
        assert loop.ran.wait(5) and loop.rounds == 1
        loop.ran.clear()
        loop.wake.set()
        assert loop.ran.wait(5)
        deadline = time.monotonic() + 5
        while loop.rounds < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert loop.rounds == 2
    finally:
        loop.stop()
    assert not loop.thread.is_alive()
