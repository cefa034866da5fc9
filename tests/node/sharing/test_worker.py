"""The background worker: started explicitly (never at import), woken by commits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from node.extensions import db
from node.models import FieldGroup, OutboxEntry, Visibility
from node.peering.identity import create_identity
from node.sharing.worker import EXTENSION_KEY, FederationWorker
from tests.conftest import MEMBER_EMAIL, build_node, member_by_email
from tests.federation_e2e.conftest import free_port, wait_for
from tests.federation_e2e.directory_double import DirectoryDouble


@pytest.fixture
def directory() -> Iterator[DirectoryDouble]:
    double = DirectoryDouble(free_port())
    double.admitted = True
    double.start()
    yield double
    double.stop()


def test_no_worker_runs_unless_started(tmp_path: Path) -> None:
    app = build_node(tmp_path)
    assert EXTENSION_KEY not in app.extensions


def test_a_commit_with_outbox_rows_wakes_the_worker_at_once(
        tmp_path: Path, directory: DirectoryDouble) -> None:
    # A push interval far longer than the test: only the wake-up can deliver in time.
    app: Flask = build_node(tmp_path, FEDERATION_ALLOW_PRIVATE=True,
                            FEDERATION_PUSH_INTERVAL=300, FEDERATION_NETWORK_INTERVAL=300)
    with app.app_context():
        create_identity("sparsbach")
        db.session.commit()
    result = app.test_cli_runner().invoke(args=[
        "federation", "join", "--directory", directory.origin,
        "--fingerprint", directory.fingerprint])
    assert result.exit_code == 0, result.output
    worker = FederationWorker(app)
    worker.start()
    try:
        wait_for(lambda: directory.applied.log, timeout=10)  # first sweep at start
        time.sleep(0.3)  # the worker is now asleep for FEDERATION_PUSH_INTERVAL
        with app.app_context():
            member = member_by_email(MEMBER_EMAIL)
            member.set_visibility(FieldGroup.IDENTITY, Visibility.NETWORK)
            db.session.commit()
            uuid = member.uuid
        wait_for(lambda: any(rid == uuid for rid, _ in directory.applied.log), timeout=5)
        with app.app_context():
            states = set(db.session.scalars(db.select(OutboxEntry.state)))
        assert states == {"delivered"}
    finally:
        worker.stop()
        with app.app_context():
            db.engine.dispose()


def test_a_starting_worker_retries_its_backlog_at_once(tmp_path: Path) -> None:
    """Rows that waited out a retry delay while the process was down are due again at start:
    the directory may be back, and a delay of hours would keep the network stale."""
    app = build_node(tmp_path)
    with app.app_context():
        member = member_by_email(MEMBER_EMAIL)
        member.set_visibility(FieldGroup.IDENTITY, Visibility.NETWORK)
        db.session.commit()
        later = datetime.now(UTC) + timedelta(hours=3)
        db.session.execute(db.update(OutboxEntry).values(state="retrying", tries=5,
                                                         next_attempt_at=later))
        delivered = OutboxEntry(feed_seq=999, state="delivered", tries=1,
                                next_attempt_at=later, last_error="", created_at=later)
        db.session.add(delivered)
        db.session.commit()
    FederationWorker(app).retry_backlog()
    with app.app_context():
        rows = list(db.session.scalars(db.select(OutboxEntry)))
        waiting = [row for row in rows if row.state == "retrying"]
        assert waiting and all(row.next_attempt_at <= datetime.now(UTC) and row.tries == 5
                               for row in waiting)
        assert [row.next_attempt_at for row in rows if row.state == "delivered"] == [later]
