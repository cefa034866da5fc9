"""Fixtures of the directory tests: a directory app with two admitted village nodes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from directory import create_app
from directory.extensions import db
from directory.models import Peer, PeerStatus
from directory.services.coordinators import create_coordinator
from tests.support.postgres import fresh_database

SPARSBACH = "https://sparsbach.example"
WESTHOUSE = "https://westhouse.example"
COORDINATOR_EMAIL = "coordination@example.org"
COORDINATOR_PASSWORD = "pays-de-saverne-2026"


def directory_config(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "directory-instance"),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PUBLIC_URL": "http://pays.test",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "STALE_AFTER_HOURS": 48,
    }
    config.update(overrides)
    return config


def build_directory(tmp_path: Path, **overrides: Any) -> Flask:
    """A directory with its schema, two admitted nodes and one coordinator."""
    app = create_app(directory_config(tmp_path, **overrides))
    with app.app_context():
        db.create_all()
        now = datetime.now(UTC)
        for node_id, name in ((SPARSBACH, "Tiers-lieu de Sparsbach"),
                              (WESTHOUSE, "Atelier de Westhouse")):
            db.session.add(Peer(node_id=node_id, name=name, base_url=node_id,
                                status=PeerStatus.ADMITTED, key_fingerprint="SHA256:test",
                                admitted_at=now, last_success_at=now))
        db.session.commit()
        create_coordinator(COORDINATOR_EMAIL, COORDINATOR_PASSWORD, "Coordination du Pays")
    return app


def _close(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = build_directory(tmp_path)
    with app.app_context():
        yield app
    _close(app)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The seeded directory on SQLite, then on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        app = build_directory(tmp_path)
        with app.app_context():
            yield app
        _close(app)
        return
    with fresh_database("chaleur_directory") as url:
        app = build_directory(tmp_path, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            yield app
        _close(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def envelope(kind: str, payload: dict[str, Any] | None, origin: str = SPARSBACH,
             version: int = 1, record_id: str | None = None,
             deleted: bool = False) -> dict[str, Any]:
    """A record as a node shares it."""
    return {"type": kind, "id": record_id or str(uuid.uuid4()), "origin": origin,
            "version": version, "updated": datetime.now(UTC).isoformat(),
            "deleted": deleted, "payload": None if deleted else payload}


def member(display_name: str, *, network: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    """A member payload whose fields are public but those named in ``network``."""
    payload = {"display_name": display_name, **fields}
    payload["public"] = [name for name in payload if name not in network]
    return payload


def listing(title: str, member_id: str, kind: str = "offer", public: bool = True,
            **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "title": title, "member_id": member_id, "public": public, **fields}


def event_payload(title: str, days: float = 7, **fields: Any) -> dict[str, Any]:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    return {"title": title, "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(), "public": True, **fields}
