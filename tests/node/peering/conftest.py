"""A seeded node with a network identity, and a directory double on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from node.extensions import db
from node.peering.identity import create_identity
from tests.conftest import build_node
from tests.federation_e2e.conftest import free_port
from tests.federation_e2e.directory_double import DirectoryDouble


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """The suite's seeded node, plus its identity (key k1, feed secret)."""
    app = build_node(tmp_path, FEDERATION_ALLOW_PRIVATE=True)
    with app.app_context():
        create_identity("sparsbach")
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def directory() -> Iterator[DirectoryDouble]:
    double = DirectoryDouble(free_port())
    double.start()
    yield double
    double.stop()
