"""Browser tests: a real node process served by waitress, driven by headless Chromium.

``live_node`` initialises a node in a temporary instance folder (``python -m node init``),
loads invented example data and serves it with ``python -m node serve`` on a free loopback
port, exactly as an operator would. Its mail goes through a real SMTP server on loopback
(aiosmtpd), so tests read what people would receive from ``live_node.mailbox``.
``page`` is a phone-sized Chromium tab (Playwright's sync API) that records console errors in
``page.console_errors``; ``phone_context`` opens more tabs (another person, no JavaScript, no
CSP for the accessibility audit).

Without /usr/bin/chromium the tests are skipped with a message, unless
``CHALEUR_REQUIRE_BROWSER=1`` (set by CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from node.services.example_data import EXAMPLE_PASSWORD
from tests.browser.steps import sign_in
from tests.support.smtp import Mailbox, smtp_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHALEUR_CHROMIUM", "/usr/bin/chromium")  # Debian's package
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
COMMUNITY_NAME = "Tiers-lieu de Sparsbach"
ADMIN_EMAIL = "admin@navigateur.example.org"
ADMIN_PASSWORD = "mot-de-passe-navigateur"
# Every browser test comes from 127.0.0.1: the per-IP sign-in and join limits of a real node
# would refuse the suite's own sign-ins. The limits themselves are tested in tests/node/auth.
GENEROUS_LIMIT = "1000 per minute"


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
    mailbox: Mailbox
    member_email: str  # an example member (role member, active)
    member_password: str = EXAMPLE_PASSWORD
    admin_email: str = ADMIN_EMAIL
    admin_password: str = ADMIN_PASSWORD

    def query(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        """Read the node's SQLite database (read-only: tests verify, the UI writes)."""
        uri = f"file:{self.instance_path / 'node.db'}?mode=ro"
        with sqlite3.connect(uri, uri=True) as connection:
            return connection.execute(sql, params).fetchall()


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
def mail_server() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on loopback that keeps every message the live node sends."""
    with smtp_server() as (mailbox, port):
        yield mailbox, port


def _first_example_member(instance: Path) -> str:
    uri = f"file:{instance / 'node.db'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as connection:
        row = connection.execute(
            "SELECT email FROM account WHERE role = 'member' AND status = 'active' "
            "ORDER BY id LIMIT 1").fetchone()
    if row is None:
        pytest.fail("the example data holds no active member")
    return str(row[0])


@pytest.fixture(scope="session")
def live_node(tmp_path_factory: pytest.TempPathFactory,
              mail_server: tuple[Mailbox, int]) -> Iterator[LiveNode]:
    """One initialised node with example data, served by waitress for the whole session."""
    mailbox, smtp_port = mail_server
    folder = tmp_path_factory.mktemp("live-node")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, CHALEUR_INSTANCE_PATH=str(folder / "instance"),
               CHALEUR_PUBLIC_URL=url, CHALEUR_LOG_LEVEL="WARNING",
               CHALEUR_MAIL_BACKEND="smtp", CHALEUR_MAIL_SERVER="127.0.0.1",
               CHALEUR_MAIL_PORT=str(smtp_port), CHALEUR_MAIL_FROM="chaleur@navigateur.example",
               CHALEUR_LOGIN_RATE_LIMIT=GENEROUS_LIMIT, CHALEUR_SIGNUP_RATE_LIMIT=GENEROUS_LIMIT,
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
        yield LiveNode(url=url, instance_path=folder / "instance", mailbox=mailbox,
                       member_email=_first_example_member(folder / "instance"))
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


PhoneContext = Callable[..., Any]


@pytest.fixture
def phone_context(browser: Any, live_node: LiveNode) -> Iterator[PhoneContext]:
    """Opens phone-sized French browser contexts (one per person); all closed at the end.

    Keyword arguments go to Playwright's ``new_context`` (``java_script_enabled=False``,
    ``bypass_csp=True``, ``locale=...``); each context starts with no cookie, like a new visitor.
    """
    opened: list[Any] = []

    def open_context(**options: Any) -> Any:
        settings: dict[str, Any] = {"viewport": PHONE, "locale": "fr-FR",
                                    "base_url": live_node.url, "device_scale_factor": 2,
                                    "is_mobile": True, "has_touch": True}
        settings.update(options)
        context = browser.new_context(**settings)
        opened.append(context)
        return context

    try:
        yield open_context
    finally:
        for context in opened:
            context.close()


def watched_tab(context: Any) -> Any:
    """A new tab that keeps its console errors and uncaught exceptions in ``console_errors``."""
    tab = context.new_page()
    tab.console_errors = []
    tab.on("console", lambda message: message.type == "error"
           and tab.console_errors.append(message.text))
    tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
    return tab


@pytest.fixture
def page(phone_context: PhoneContext) -> Any:
    """A phone-sized French tab on the live node; console errors collected on the page."""
    return watched_tab(phone_context())


AUDIENCES = ("anonymous", "member", "admin")


@contextmanager
def audience_tabs(browser: Any, live_node: LiveNode, **options: Any) -> Iterator[dict[str, Any]]:
    """One phone tab per audience (anonymous, an example member, the admin), signed in once.

    For module-scoped fixtures: tests that only read pages share these tabs instead of
    signing in again for every page. ``options`` go to ``new_context``.
    """
    settings: dict[str, Any] = {"viewport": PHONE, "locale": "fr-FR", "base_url": live_node.url,
                                "is_mobile": True, "has_touch": True}
    settings.update(options)
    contexts = [browser.new_context(**settings) for _ in AUDIENCES]
    tabs = {audience: watched_tab(context) for audience, context in zip(AUDIENCES, contexts,
                                                                         strict=True)}
    try:
        sign_in(tabs["member"], live_node.member_email, live_node.member_password)
        sign_in(tabs["admin"], live_node.admin_email, live_node.admin_password)
        yield tabs
    finally:
        for context in contexts:
            context.close()


# --- The Pays directory, served like the village node above -------------------------------

PAYS_NODE_ID = "pays-saverne"
COORDINATOR_EMAIL = "coordination@navigateur.example.org"
COORDINATOR_PASSWORD = "mot-de-passe-coordination"
# Run inside the directory's own instance (same CHALEUR_INSTANCE_PATH as the server) before it
# starts: two admitted villages share members, listings and upcoming rencontres.
PAYS_SEED = """
from datetime import UTC, datetime
from directory import create_app
from directory.extensions import db
from directory.models import Peer, PeerStatus
from directory.services.aggregation import apply_batch
from tests.directory.conftest import envelope, event_payload, member

SPARSBACH, WESTHOUSE = "https://sparsbach.example", "https://westhouse.example"
app = create_app()
with app.app_context():
    now = datetime.now(UTC)
    for node_id, name in ((SPARSBACH, "Tiers-lieu de Sparsbach"),
                          (WESTHOUSE, "Atelier de Westhouse")):
        db.session.add(Peer(node_id=node_id, name=name, base_url=node_id,
                            status=PeerStatus.ADMITTED, key_fingerprint="SHA256:test",
                            admitted_at=now, last_success_at=now))
    db.session.commit()
    apply_batch(SPARSBACH, [
        envelope("community", {"name": "Tiers-lieu de Sparsbach", "communes": ["67475", "67527"],
                               "description": "Rencontres d'indépendants.",
                               "contact_name": "Léa Exemple", "contact_role": "Animatrice"}),
        envelope("member", member("Camille Testeuse", trade="Menuisière", commune_code="67475",
                                   skills=["Escaliers", "Agencement"], bio="Atelier au village.",
                                   profile_url="https://sparsbach.example/membres/1")),
        envelope("member", member("Paul Klein", trade="Électricien", commune_code="67527",
                                   skills=["Domotique"])),
        envelope("event", event_payload("Petit-déjeuner des indépendants", days=3,
                                        venue_name="La Grange", commune_code="67475",
                                        url="https://sparsbach.example/rencontres/1")),
        envelope("listing", {"public": True,
                             "kind": "offer", "title": "Prête une scie", "details": "Le samedi."}),
    ])
    apply_batch(WESTHOUSE, [
        envelope("community", {"name": "Atelier de Westhouse", "communes": ["67527"]},
                 origin=WESTHOUSE),
        envelope("member", member("Marc Fischer", trade="Menuisière", commune_code="67527",
                                   skills=["Charpente"]), origin=WESTHOUSE),
        envelope("member", member("Sophie Graff", trade="Graphiste", commune_code="67527"),
                 origin=WESTHOUSE),
        envelope("event", event_payload("Soirée graphisme", days=4), origin=WESTHOUSE),
        envelope("listing", {"public": True,
                             "kind": "need", "title": "Cherche imprimeur"}, origin=WESTHOUSE),
    ])
"""


@dataclass(frozen=True)
class LivePays:
    """A Pays directory running in its own process, seeded with two villages' records."""

    url: str
    instance_path: Path
    coordinator_email: str = COORDINATOR_EMAIL
    coordinator_password: str = COORDINATOR_PASSWORD


def _run(env: dict[str, str], *command: str) -> None:
    result = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(command[:3])} failed:\n{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="session")
def live_pays(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePays]:
    """One initialised and seeded directory served by waitress (no federation pulls)."""
    folder = tmp_path_factory.mktemp("live-pays")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, CHALEUR_INSTANCE_PATH=str(folder / "instance"),
               CHALEUR_PUBLIC_URL=url, CHALEUR_LOG_LEVEL="WARNING",
               CHALEUR_LOGIN_RATE_LIMIT=GENEROUS_LIMIT,
               CHALEUR_COORDINATOR_PASSWORD=COORDINATOR_PASSWORD)
    env.pop("CHALEUR_DATABASE_URL", None)
    _run(env, "-m", "directory", "init", "--email", COORDINATOR_EMAIL,
         "--name", "Coordination du Pays", "--node-id", PAYS_NODE_ID)
    _run(env, "-c", PAYS_SEED)
    log = folder / "serve.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "directory", "serve", "--host", "127.0.0.1",
             "--port", str(port), "--no-federation"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(port, server, log)
        yield LivePays(url=url, instance_path=folder / "instance")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def pays_context(browser: Any, live_pays: LivePays, **options: Any) -> Any:
    """A phone-sized French context on the live directory (caller closes it)."""
    settings: dict[str, Any] = {"viewport": PHONE, "locale": "fr-FR", "base_url": live_pays.url,
                                "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
    settings.update(options)
    return browser.new_context(**settings)
