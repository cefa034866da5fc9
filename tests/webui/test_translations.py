"""The English catalogue: complete, placeholder-safe, and actually served."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask

from node.extensions import db
from tests.conftest import build_node
from webui import TRANSLATIONS_DIR

MESSAGES = Path(TRANSLATIONS_DIR) / "en" / "LC_MESSAGES"
PO_FILE = MESSAGES / "messages.po"
MO_FILE = MESSAGES / "messages.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def read_catalogue() -> Catalog:
    with PO_FILE.open("rb") as po:
        return read_po(po, locale="en")


def ensure_compiled() -> None:
    """Compile the .mo when it is missing or older than the .po (``scripts/test`` does it too)."""
    if MO_FILE.exists() and MO_FILE.stat().st_mtime >= PO_FILE.stat().st_mtime:
        return
    catalogue = read_catalogue()
    fd, tmp = tempfile.mkstemp(dir=MESSAGES, suffix=".mo.tmp")
    try:
        with os.fdopen(fd, "wb") as mo:
            write_mo(mo, catalogue)
        os.chmod(tmp, 0o644)
        os.replace(tmp, MO_FILE)  # atomic: a concurrent run never reads half a file
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def forms(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if value is None:
        return [""]
    return [value] if isinstance(value, str) else list(value)


def problems_of(message: Message) -> list[str]:
    if message.fuzzy:
        return ["marked fuzzy"]
    sources, targets = forms(message.id), forms(message.string)
    if len(targets) != len(sources):
        return [f"{len(targets)} plural forms for {len(sources)}"]
    expected = {p for source in sources for p in PLACEHOLDER.findall(source)}
    problems = []
    for target in targets:
        if not target.strip():
            problems.append("empty translation")
        elif set(PLACEHOLDER.findall(target)) != expected:
            problems.append(f"placeholders {sorted(PLACEHOLDER.findall(target))}, "
                            f"expected {sorted(expected)}")
    return problems


def test_every_entry_is_translated_with_the_same_placeholders() -> None:
    messages = [message for message in read_catalogue() if message.id]
    assert len(messages) > 100
    problems = {forms(m.id)[0]: found for m in messages if (found := problems_of(m))}
    assert problems == {}


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Flask]:
    ensure_compiled()
    app = build_node(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_lang_parameter_switches_to_english_and_sticks(node: Flask) -> None:
    client = node.test_client()
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert ">Meetups</a>" in html
    assert "Skip to content" in html
    html = client.get("/").get_data(as_text=True)  # the choice is kept in the session
    assert '<html lang="en">' in html
    html = client.get("/?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert ">Rencontres</a>" in html


def test_browser_language_is_followed(node: Flask) -> None:
    html = node.test_client().get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(
        as_text=True)
    assert '<html lang="en">' in html
    assert ">Meetups</a>" in html


def test_french_by_default(node: Flask) -> None:
    html = node.test_client().get("/").get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert ">Rencontres</a>" in html
    assert ">Meetups</a>" not in html
