"""The journeys suite prints what it walked at the end of the run, even without ``-s``."""

from __future__ import annotations

import pytest

from tests.journeys.walker import SUMMARY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SUMMARY:
        terminalreporter.write_sep("-", "journeys: what each visitor walked")
        for line in SUMMARY:
            terminalreporter.write_line(line)
