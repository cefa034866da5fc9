"""The outbox pusher of a real node process against a real directory that goes down,
comes back, answers slowly, or outlives a node killed with SIGKILL mid-push."""

from __future__ import annotations

import signal
from datetime import UTC, datetime

from flask import Flask

from node.extensions import db
from node.models import FieldGroup, Listing, ListingKind, Member, OutboxEntry, Visibility
from node.services import accounts
from tests.federation_e2e.conftest import NodeProcess, wait_for
from tests.federation_e2e.directory_double import DirectoryDouble


def add_members(app: Flask, names: list[str]) -> list[str]:
    """Members who share their identity and skills with the network; returns their uuids."""
    uuids = []
    with app.app_context():
        for name in names:
            account = accounts.create_account(f"{name.lower()}@example.org", name,
                                              "correct-horse-battery", commune_code="67475")
            member: Member = account.member
            member.set_visibility(FieldGroup.IDENTITY, Visibility.NETWORK)
            member.set_visibility(FieldGroup.SKILLS, Visibility.NETWORK)
            member.trade = "Menuiserie"
            db.session.commit()
            uuids.append(member.uuid)
    return uuids


def outbox(app: Flask) -> list[OutboxEntry]:
    with app.app_context():
        rows = list(db.session.scalars(db.select(OutboxEntry).order_by(OutboxEntry.id)))
        db.session.expunge_all()
        return rows


def all_delivered(app: Flask) -> bool:
    rows = outbox(app)
    return bool(rows) and all(row.state == "delivered" for row in rows)


def applied_versions(directory: DirectoryDouble, record_id: str) -> list[int]:
    return [version for rid, version in directory.applied.log if rid == record_id]


def test_changes_wait_with_backoff_while_directory_is_down_then_arrive_once_in_order(
        node: NodeProcess, directory: DirectoryDouble) -> None:
    directory.admitted = True
    app = node.app()
    wait_for(lambda: all_delivered(app))  # the community record went through
    directory.stop()

    first, second = add_members(app, ["Camille", "Dominique"])
    with app.app_context():
        member = db.session.scalars(db.select(Member).where(Member.uuid == first)).one()
        member.trade = "Ébénisterie"  # a second change of the same record
        member.listings.append(Listing(kind=ListingKind.OFFER, title="Restauration"))
        db.session.commit()
        listing = member.listings[0].uuid

    def retrying() -> bool:
        pending = [row for row in outbox(app) if row.state != "delivered"]
        return bool(pending) and all(row.state == "retrying" for row in pending)

    wait_for(retrying)
    now = datetime.now(UTC)
    for row in outbox(app):
        if row.state == "retrying":
            assert row.tries >= 1 and row.last_status is None
            assert "injoignable" in row.last_error
            assert (row.next_attempt_at - now).total_seconds() >= 10  # backoff, not a hot loop
    assert applied_versions(directory, first) == []

    directory.start()
    with app.app_context():  # time passes: the backoff delay is over
        db.session.execute(db.update(OutboxEntry).where(OutboxEntry.state == "retrying")
                           .values(next_attempt_at=datetime.now(UTC)))
        db.session.commit()
    wait_for(lambda: all_delivered(app))

    with app.app_context():
        final = db.session.scalars(db.select(Member).where(Member.uuid == first)).one().version
    assert applied_versions(directory, first) == [final]  # once, the latest version
    assert len(applied_versions(directory, second)) == 1
    assert len(applied_versions(directory, listing)) == 1
    order = [rid for rid, _ in directory.applied.log]
    assert order.index(second) < order.index(first) < order.index(listing)
    assert directory.applied.records[("member", first)]["payload"]["trade"] == "Ébénisterie"


def test_node_killed_mid_push_loses_and_duplicates_nothing(
        node: NodeProcess, directory: DirectoryDouble) -> None:
    directory.admitted = True
    app = node.app()
    wait_for(lambda: all_delivered(app))
    directory.inbox_delay = 3.0
    directory.inbox_started.clear()
    requests_before = directory.inbox_requests

    uuids = add_members(app, ["Alex", "Sacha", "Noé"])
    wait_for(directory.inbox_started.is_set)
    node.stop(signal.SIGKILL)  # the directory is still working on the batch
    assert all(row.state == "pending" for row in outbox(app) if row.state != "delivered")

    directory.inbox_delay = 0.0
    node.start()
    wait_for(lambda: all_delivered(app), timeout=20)
    for uuid in uuids:
        assert len(applied_versions(directory, uuid)) == 1, uuid  # applied exactly once
    # The interrupted batch was really sent again after the restart.
    assert directory.inbox_requests >= requests_before + 2
