"""Applying batches: idempotence, version order, tombstones, origin checks, one transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from directory.extensions import db
from directory.models import MemberEntry, MemberSkill, Peer, PeerStatus, Record
from directory.services import fulltext
from directory.services.aggregation import BatchRefused, OwnershipRefused, apply_batch
from directory.services.params import PeopleQuery
from directory.services.search import search_people
from tests.directory.conftest import SPARSBACH, WESTHOUSE, envelope, event_payload, member


def names(q: str = "") -> list[str]:
    return [item["display_name"] for item in search_people(PeopleQuery(q=q)).items]


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_new_records_are_stored_and_searchable(app: Flask) -> None:
    result = apply_batch(SPARSBACH, [
        envelope("member", member("Jeanne Charpentier", trade="Charpentière",
                                   skills=["Ossature bois", "Toiture"])),
        envelope("listing", {"public": True,
                             "kind": "offer", "title": "Prête une scie", "details": ""}),
    ])
    assert (result.inserted, result.updated, result.unchanged) == (2, 0, 0)
    assert names("charpent") == ["Jeanne Charpentier"]
    assert count(MemberSkill) == 2


def test_same_batch_twice_changes_nothing(app: Flask) -> None:
    batch = [envelope("member", member("Paul Maçon", trade="Maçon", skills=["Pierre"]))]
    apply_batch(SPARSBACH, batch)
    before = db.session.execute(select(Record.id, Record.version, Record.received_at)).all()
    again = apply_batch(SPARSBACH, batch)
    assert again.applied == 0 and again.unchanged == 1
    assert db.session.execute(select(Record.id, Record.version, Record.received_at)).all() \
        == before
    assert (count(MemberEntry), count(MemberSkill)) == (1, 1)
    assert names("macon") == ["Paul Maçon"]


def test_newer_version_replaces_older_and_older_is_ignored(app: Flask) -> None:
    first = envelope("member", member("Léa Martin", trade="Doreuse"), version=1)
    apply_batch(SPARSBACH, [first])
    newer = dict(first, version=3, payload=member("Léa Martin", trade="Céramiste"))
    assert apply_batch(SPARSBACH, [newer]).updated == 1
    older = dict(first, version=2, payload=member("Léa Martin", trade="Vannière"))
    equal = dict(first, version=3, payload=member("Léa Martin", trade="Souffleuse"))
    result = apply_batch(SPARSBACH, [older, equal])
    assert result.applied == 0 and result.unchanged == 2
    assert names("ceramiste") == ["Léa Martin"]
    assert names("doreuse") == [] and names("vanniere") == [] and names("souffleuse") == []
    assert db.session.scalar(select(MemberEntry.trade)) == "Céramiste"


def test_highest_version_wins_inside_one_batch(app: Flask) -> None:
    record = envelope("member", member("Nour Vitrailliste", trade="Vitrailliste"), version=2)
    stale = dict(record, version=1, payload=member("Nour Vitrailliste", trade="Doreuse"))
    result = apply_batch(SPARSBACH, [record, stale])
    assert result.inserted == 1 and result.unchanged == 1
    assert names("doreuse") == [] and names("vitrail") == ["Nour Vitrailliste"]


def test_tombstone_removes_from_search_and_blocks_resurrection(app: Flask) -> None:
    alive = envelope("member", member("Hugo Forgeron", trade="Forgeron", skills=["Ferronnerie"]),
                     version=4)
    apply_batch(SPARSBACH, [alive])
    assert names("forgeron") == ["Hugo Forgeron"]
    tombstone = dict(alive, version=5, deleted=True, payload=None)
    assert apply_batch(SPARSBACH, [tombstone]).deleted == 1
    assert names("forgeron") == [] and names() == []
    assert (count(MemberEntry), count(MemberSkill)) == (0, 0)
    matching = fulltext.matching_ids("forgeron")
    assert matching is not None
    assert db.session.execute(matching).all() == []
    kept = db.session.scalars(select(Record)).one()
    assert kept.deleted and kept.payload is None and kept.version == 5
    late = dict(alive, version=4)
    assert apply_batch(SPARSBACH, [late]).applied == 0
    assert names("forgeron") == []


def test_origin_mismatch_is_refused_and_nothing_stored(app: Flask, caplog: pytest.LogCaptureFixture
                                                       ) -> None:
    forged = envelope("member", member("Faux Profil", bio="Secret"), origin=WESTHOUSE)
    result = apply_batch(SPARSBACH, [forged])
    assert result.applied == 0
    assert result.refused == [("member", forged["id"], "origin does not match the sending node")]
    assert count(Record) == 0 and names("faux") == []
    assert "origin does not match" in caplog.text and "Secret" not in caplog.text


def test_a_node_cannot_overwrite_another_nodes_record(app: Flask) -> None:
    theirs = envelope("member", member("Inès Relieuse"), origin=WESTHOUSE)
    apply_batch(WESTHOUSE, [theirs])
    hijack = dict(theirs, origin=SPARSBACH, version=9, payload=member("Usurpé"))
    result = apply_batch(SPARSBACH, [hijack])
    assert result.applied == 0 and result.refused[0][2] == "record belongs to another node"
    assert names() == ["Inès Relieuse"]


def test_a_record_id_is_owned_across_types(app: Flask) -> None:
    """Westhouse's event id cannot come back from Sparsbach as a member: ownership holds by
    id, whatever the type (in a strict batch, nothing of the batch is stored)."""
    theirs = envelope("event", event_payload("Marché de Noël"), origin=WESTHOUSE)
    apply_batch(WESTHOUSE, [theirs])
    squat = envelope("member", member("Usurpé"), record_id=theirs["id"])
    result = apply_batch(SPARSBACH, [squat])
    assert result.applied == 0
    assert result.refused == [("member", theirs["id"], "record belongs to another node")]
    with pytest.raises(OwnershipRefused):
        apply_batch(SPARSBACH, [envelope("member", member("Zoé")), squat], strict=True)
    assert names() == [] and count(Record) == 1
    assert db.session.scalars(select(Record.type)).all() == ["event"]


def test_a_node_cannot_change_a_records_type(app: Flask) -> None:
    mine = envelope("event", event_payload("Café"))
    apply_batch(SPARSBACH, [mine])
    result = apply_batch(SPARSBACH, [envelope("member", member("Autre"), version=2,
                                              record_id=mine["id"])])
    assert result.refused == [("member", mine["id"], "id already names a record of another type")]
    both = [envelope("member", member("Un"), record_id="same-id"),
            envelope("listing", {"kind": "offer", "title": "Deux"}, record_id="same-id")]
    result = apply_batch(SPARSBACH, both)
    assert (result.inserted, result.refused) == (
        1, [("listing", "same-id", "id already names a record of another type")])
    assert count(Record) == 2


def test_the_database_holds_one_record_per_id(app: Flask) -> None:
    """The constraint, not only the service: a second row for an id is refused by the
    database itself (uq_record_uuid)."""
    apply_batch(SPARSBACH, [envelope("event", event_payload("Café"), record_id="shared-id")])
    peer_id = db.session.scalar(select(Peer.id).where(Peer.node_id == WESTHOUSE))
    db.session.add(Record(type="member", uuid="shared-id", peer_id=peer_id, version=1,
                          payload={"display_name": "Usurpé"}))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("version", [0, -1, 2**31, "3", True, None])
def test_invalid_versions_are_refused(app: Flask, version: object) -> None:
    record = envelope("member", member("Version"))
    record["version"] = version
    result = apply_batch(SPARSBACH, [record])
    assert result.refused == [("member", record["id"], "missing or invalid version")]
    assert count(Record) == 0


def test_unknown_types_are_ignored(app: Flask) -> None:
    result = apply_batch(SPARSBACH, [envelope("recipe", {"name": "Flammekueche"}),
                                     envelope("member", member("Zoé"))])
    assert result.ignored == 1 and result.inserted == 1 and count(Record) == 1


@pytest.mark.parametrize("status", [PeerStatus.PENDING, PeerStatus.SUSPENDED,
                                    PeerStatus.REFUSED])
def test_batches_from_non_admitted_nodes_are_refused(app: Flask, status: PeerStatus) -> None:
    peer = db.session.scalars(select(Peer).where(Peer.node_id == SPARSBACH)).one()
    peer.status = status
    db.session.commit()
    with pytest.raises(BatchRefused):
        apply_batch(SPARSBACH, [envelope("member", member("Personne"))])
    with pytest.raises(BatchRefused):
        apply_batch("https://unknown.example", [envelope("member", member("Personne"),
                                                         origin="https://unknown.example")])
    assert count(Record) == 0


def test_batch_is_one_transaction(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    peer = db.session.scalars(select(Peer).where(Peer.node_id == SPARSBACH)).one()
    before = peer.last_success_at

    def broken_index(rows: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(fulltext, "add", broken_index)
    with pytest.raises(RuntimeError):
        apply_batch(SPARSBACH, [envelope("member", member("Anna")),
                                envelope("member", member("Bruno"))])
    assert count(Record) == 0 and count(MemberEntry) == 0
    db.session.expire_all()
    assert db.session.get(Peer, peer.id).last_success_at == before  # type: ignore[union-attr]


def test_success_updates_last_exchange(app: Flask) -> None:
    peer = db.session.scalars(select(Peer).where(Peer.node_id == SPARSBACH)).one()
    peer.last_success_at = None
    db.session.commit()
    apply_batch(SPARSBACH, [])
    db.session.expire_all()
    assert db.session.get(Peer, peer.id).last_success_at is not None  # type: ignore[union-attr]


def test_a_batch_meeting_a_concurrent_write_of_its_records_is_applied_again(
        any_db_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """A node pushes a record while the Pays's pull thread stores the same one: the push
    read « new », the pull inserted it first. The push must not fail (it answered 500):
    read again, it applies by version."""
    from directory.services import aggregation

    pushed = envelope("member", member("Rose Vannière", trade="Vannière"), version=2)
    pulled = dict(pushed, version=1, payload=member("Rose Vannière", trade="Vannerie"))
    real_plan = aggregation._plan
    concurrent = {"done": False}

    def plan_then_the_pull_writes(*args: object, **kwargs: object) -> object:
        plan = real_plan(*args, **kwargs)  # type: ignore[arg-type]
        if not concurrent["done"]:
            concurrent["done"] = True
            with db.engine.begin() as other:  # another connection, as the pull thread's
                peer_id = other.execute(select(Peer.id).where(
                    Peer.node_id == SPARSBACH)).scalar_one()
                other.execute(Record.__table__.insert().values(
                    type="member", uuid=pulled["id"], peer_id=peer_id, version=1,
                    updated=datetime.now(UTC), deleted=False, payload=pulled["payload"],
                    received_at=datetime.now(UTC)))
        return plan

    monkeypatch.setattr(aggregation, "_plan", plan_then_the_pull_writes)
    result = apply_batch(SPARSBACH, [pushed], strict=True)
    assert concurrent["done"] and result.updated == 1
    stored = db.session.scalars(select(Record).where(Record.uuid == pushed["id"])).one()
    assert stored.version == 2 and stored.payload["trade"] == "Vannière"
