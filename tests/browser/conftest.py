"""Browser tests: a real node process served by waitress, driven by headless Chromium.

``live_node`` initialises a node in a temporary instance folder (``python -m node init``),
loads invented example data and serves it with ``python -m node serve`` on a free loopback
port, exactly as an operator would. ``page`` is a phone-sized Chromium tab (Playwright's sync
API) that records console errors in ``page.console_errors``.

Without /usr/bin/chromium the tests are skipped with a message, unless
``CHALEUR_REQUIRE_BROWSER=1`` (set by CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHALEUR_CHROMIUM", "/usr/bin/chromium")  # Debian's package
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
COMMUNITY_NAME = "Tiers-lieu de Sparsbach"
ADMIN_EMAIL = "admin@navigateur.example.org"
ADMIN_PASSWORD = "mot-de-passe-navigateur"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives a browser: mark it so ``-m "not browser"`` works."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@dataclass(frozen=True)
class LiveNode:
    """A node running in its own process: where to reach it and how to sign in."""

    url: str
    instance_path: Path
    admin_email: str = ADMIN_EMAIL
    admin_password: str = ADMIN_PASSWORD


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _chaleur(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "node", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        pytest.fail(f"chaleur {args[0]} failed:\n{result.stdout}\n{result.stderr}")


def _wait_until_up(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the node exited at start-up:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"the node did not answer on port {port} within 30 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveNode]:
    """One initialised node with example data, served by waitress for the whole session."""
    folder = tmp_path_factory.mktemp("live-node")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, CHALEUR_INSTANCE_PATH=str(folder / "instance"),
               CHALEUR_PUBLIC_URL=url, CHALEUR_MAIL_BACKEND="file", CHALEUR_LOG_LEVEL="WARNING",
               CHALEUR_ADMIN_PASSWORD=ADMIN_PASSWORD)
    _chaleur(env, "init", "--name", COMMUNITY_NAME, "--communes", "67475,67527",
             "--admin-email", ADMIN_EMAIL)
    _chaleur(env, "example-data", "--members", "25", "--seed", "3")
    log = folder / "serve.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "node", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(port, server, log)
        yield LiveNode(url=url, instance_path=folder / "instance")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium; skipped (or failed under CHALEUR_REQUIRE_BROWSER=1) if absent."""
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} not found: install Debian's chromium to run the browser tests"
        if os.environ.get("CHALEUR_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (CHALEUR_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    try:
        from playwright import sync_api
    except ImportError:
        if os.environ.get("CHALEUR_REQUIRE_BROWSER") == "1":
            pytest.fail("playwright is not installed (CHALEUR_REQUIRE_BROWSER=1)")
        pytest.skip("playwright is not installed: pip install -e '.[test]'")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, live_node: LiveNode) -> Iterator[Any]:
    """A phone-sized French tab on the live node; console errors collected on the page."""
    context = browser.new_context(viewport=PHONE, locale="fr-FR", base_url=live_node.url,
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    tab = context.new_page()
    tab.console_errors = []
    tab.on("console", lambda message: message.type == "error"
           and tab.console_errors.append(message.text))
    tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
    try:
        yield tab
    finally:
        context.close()
