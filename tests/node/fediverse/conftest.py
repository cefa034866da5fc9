"""A node with a federation identity (its handle) and fediverse followers on two servers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from federation.activitypub import store
from node.extensions import db
from node.models import fediverse_tables
from node.peering.identity import create_identity
from tests.conftest import build_node

FOLLOWERS = [("https://mastodon.example/users/ada", "https://mastodon.example/inbox"),
             ("https://mastodon.example/users/bob", "https://mastodon.example/inbox"),
             ("https://mobilizon.example/@club", "https://mobilizon.example/inbox")]


def follow(actor_id: str, inbox: str) -> None:
    store.add_follower(db.session.connection(), fediverse_tables, actor_id, inbox,
                       int(time.time()))
    db.session.commit()


@pytest.fixture
def fedi_app(tmp_path: Path) -> Iterator[Flask]:
    app = build_node(tmp_path, FEDERATION_ALLOW_PRIVATE=True)
    with app.app_context():
        create_identity("sparsbach")
        db.session.commit()
        for actor_id, inbox in FOLLOWERS:
            follow(actor_id, inbox)
    yield app
    with app.app_context():
        db.engine.dispose()
