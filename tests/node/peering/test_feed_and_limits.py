"""Feed retention and resync, the per-peer rate limit, and the database nonce store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from federation.signatures import sign_request
from federation.verification import utc_now
from node.extensions import db
from node.models import (
    FeedEntry,
    FieldGroup,
    NodeIdentity,
    OutboxEntry,
    Peer,
    PeerKey,
    SeenNonce,
    Visibility,
)
from node.peering.identity import create_identity
from node.peering.trust import DatabaseNonceStore
from tests.conftest import MEMBER_EMAIL, build_node, member_by_email
from tests.federation_e2e.directory_double import directory_key

ORIGIN = "http://node.test"


def trust_directory(app: Flask) -> None:
    """Store the test directory and its key as `federation join` would."""
    key = directory_key()
    from federation.keys import public_key_b64

    with app.app_context():
        db.session.add(Peer(node_id="annuaire", base_url="http://127.0.0.1:9", fingerprint="x",
                            document={"endpoints": {}}))
        db.session.add(PeerKey(keyid=key.keyid, node_id="annuaire",
                               public_key=public_key_b64(key.public_key), status="active"))
        db.session.commit()


def signed_get(client: FlaskClient, path: str) -> Any:
    headers = sign_request("GET", ORIGIN + path, {}, b"", key=directory_key(), now=utc_now())
    return client.get(path, headers=headers)


def share_and_withdraw(app: Flask) -> None:
    with app.app_context():
        member = member_by_email(MEMBER_EMAIL)
        member.set_visibility(FieldGroup.IDENTITY, Visibility.NETWORK)
        db.session.commit()
        member.trade = "Potière"
        db.session.commit()
        member.set_visibility(FieldGroup.IDENTITY, Visibility.COMMUNITY)  # tombstone
        db.session.commit()


def age_feed(app: Flask, days: int) -> None:
    with app.app_context():
        old = datetime.now(UTC) - timedelta(days=days)
        db.session.execute(db.update(FeedEntry).values(created_at=old))
        db.session.execute(db.update(OutboxEntry).values(state="delivered"))
        db.session.commit()


def test_purge_keeps_latest_entries_and_sends_old_cursors_to_resync(app: Flask) -> None:
    trust_directory(app)
    client = app.test_client()
    start = signed_get(client, "/federation/feed?limit=1")
    assert start.status_code == 200
    old_cursor = start.get_json()["next"]  # after the community record only
    share_and_withdraw(app)
    with app.app_context():
        total = db.session.scalar(db.select(db.func.count(FeedEntry.seq)))
    assert total == 2  # community, member tombstone: each change replaced the earlier entry

    age_feed(app, days=31)
    result = app.test_cli_runner().invoke(args=["federation", "purge-feed"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        kept = db.session.scalars(db.select(FeedEntry)).all()
        horizon = db.session.scalars(db.select(NodeIdentity)).one().feed_horizon_seq
    assert [entry.record_type for entry in kept] == ["community"]  # still the latest
    assert horizon == 4  # the purged tombstone's sequence number
    stale = signed_get(client, "/federation/feed?cursor=" + old_cursor)
    assert stale.status_code == 410 and stale.get_json()["error"] == "resync_required"
    fresh = signed_get(client, "/federation/feed")
    assert [r["type"] for r in fresh.get_json()["records"]] == ["community"]


def test_recent_tombstones_and_undelivered_ones_are_kept(app: Flask) -> None:
    share_and_withdraw(app)
    age_feed(app, days=5)
    assert app.test_cli_runner().invoke(args=["federation", "purge-feed"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(FeedEntry.seq))) == 2
        db.session.execute(db.update(FeedEntry).values(
            created_at=datetime.now(UTC) - timedelta(days=40)))
        db.session.execute(db.update(OutboxEntry).values(state="retrying"))
        db.session.commit()
    assert app.test_cli_runner().invoke(args=["federation", "purge-feed"]).exit_code == 0
    with app.app_context():
        assert db.session.scalars(db.select(FeedEntry).where(FeedEntry.deleted)).all()


def test_rate_limit_per_verified_peer_answers_429_with_retry_after(tmp_path: Path) -> None:
    app = build_node(tmp_path, RATELIMIT_ENABLED=True, FEDERATION_RATE_LIMIT="2 per minute")
    with app.app_context():
        create_identity("sparsbach")
        db.session.commit()
    trust_directory(app)
    client = app.test_client()
    assert signed_get(client, "/federation/feed").status_code == 200
    assert signed_get(client, "/federation/feed").status_code == 200
    third = signed_get(client, "/federation/feed")
    assert third.status_code == 429
    assert third.get_json()["error"] == "rate_limited"
    assert int(third.headers["Retry-After"]) > 0


def test_nonce_store_refuses_the_same_pair_twice_across_instances(app: Flask) -> None:
    with app.app_context():
        assert DatabaseNonceStore(0).remember("annuaire:k1", "n" * 22, 100) is True
        assert DatabaseNonceStore(0).remember("annuaire:k1", "n" * 22, 100) is False
        assert DatabaseNonceStore(0).remember("annuaire:k2", "n" * 22, 100) is True
        assert db.session.scalar(db.select(db.func.count(SeenNonce.id))) == 2


def test_narrowed_consent_is_not_served_again_even_to_a_reader_starting_over(
        app: Flask) -> None:
    """A member shares her phone with the network, then keeps it to her community: a peer
    reading the whole feed from the start (a resync) no longer receives the number."""
    trust_directory(app)
    with app.app_context():
        member = member_by_email(MEMBER_EMAIL)
        member.phone = "+33 6 12 34 56 78"
        member.set_visibility(FieldGroup.IDENTITY, Visibility.NETWORK)
        member.set_visibility(FieldGroup.CONTACT, Visibility.NETWORK)
        db.session.commit()
    client = app.test_client()
    assert "+33 6 12 34 56 78" in signed_get(client, "/federation/feed").get_data(as_text=True)
    with app.app_context():
        member_by_email(MEMBER_EMAIL).set_visibility(FieldGroup.CONTACT, Visibility.COMMUNITY)
        db.session.commit()
        stored = {entry.seq: entry.envelope for entry in db.session.scalars(db.select(FeedEntry))}
        pushes = {row.feed_seq for row in db.session.scalars(db.select(OutboxEntry))}
    assert "+33 6 12 34 56 78" not in str(stored)
    assert pushes <= set(stored)  # no push left for a dropped entry
    feed = signed_get(client, "/federation/feed").get_json()
    assert "+33 6 12 34 56 78" not in str(feed)
    members = [r for r in feed["records"] if r["type"] == "member"]
    assert len(members) == 1 and members[0]["payload"]["display_name"]
