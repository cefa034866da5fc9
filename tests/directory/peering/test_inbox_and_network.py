"""The directory's inbox (all of a batch or nothing) and the network overview it signs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from directory.extensions import db
from directory.models import DirectoryKey, Peer, Record
from directory.peering.identity import require_identity
from directory.services.peers import admit_node, suspend_node
from federation.keys import KeyRecord, KeyStatus, load_public_key_b64
from federation.verification import utc_now, verify_signed_response
from tests.directory.peering.conftest import ORIGIN, join, send, village_key


def record(origin: str, kind: str = "member", version: int = 1, record_id: str = "",
           payload: dict[str, Any] | None = None, deleted: bool = False) -> dict[str, Any]:
    if payload is None and not deleted:
        payload = {"display_name": f"Membre de {origin}", "trade": "Menuiserie"}
    return {"type": kind, "id": record_id or str(uuid.uuid4()), "origin": origin,
            "version": version, "updated": "2026-01-01T00:00:00Z", "deleted": deleted,
            "payload": None if deleted else payload}


@pytest.fixture
def admitted(client: FlaskClient) -> FlaskClient:
    for node_id in ("neuwiller", "dossenheim"):
        join(client, node_id)
        admit_node(node_id, by="test")
    return client


def stored(node_id: str) -> dict[str, tuple[int, bool]]:
    rows = db.session.execute(select(Record.uuid, Record.version, Record.deleted)
                              .join(Peer, Peer.id == Record.peer_id)
                              .where(Peer.node_id == node_id)).all()
    return {row[0]: (row[1], row[2]) for row in rows}


def push(client: FlaskClient, node_id: str, records: list[dict[str, Any]]) -> Any:
    return send(client, "POST", "/federation/inbox", {"records": records},
                key=village_key(node_id))


def test_a_push_is_applied_and_answered_signed(admitted: FlaskClient) -> None:
    first = record("neuwiller")
    answer = push(admitted, "neuwiller", [first])
    assert (answer.status_code, answer.get_json()) == (202, {"applied": 1, "ignored": 0})
    directory_key = require_identity().current_keyid
    public = load_public_key_b64(db.session.execute(select(DirectoryKey.public_key))
                                 .scalar_one())
    verify_signed_response(
        202, list(answer.headers.items()), answer.get_data(), request_method="POST",
        request_url=ORIGIN + "/federation/inbox", now=utc_now(),
        request_headers=list(answer.request.headers.items()),
        resolve_key=lambda keyid: KeyRecord(keyid, "pays-test", public, KeyStatus.ACTIVE)
        if keyid == directory_key else None)
    again = push(admitted, "neuwiller", [first])
    assert again.get_json() == {"applied": 0, "ignored": 1}
    assert stored("neuwiller") == {first["id"]: (1, False)}


def test_foreign_records_refuse_the_whole_batch(admitted: FlaskClient) -> None:
    theirs = record("dossenheim")
    push(admitted, "dossenheim", [theirs])
    before = stored("dossenheim")
    mine = record("neuwiller")
    for batch in ([mine, record("dossenheim")],
                  [mine, {**theirs, "origin": "neuwiller", "version": 5}],
                  [mine, {**theirs, "version": 5, "deleted": True, "payload": None}],
                  # the same id under another type is still theirs
                  [mine, record("neuwiller", kind="listing", record_id=theirs["id"],
                                payload={"kind": "offer", "title": "Usurpée",
                                         "member_id": mine["id"]})]):
        answer = push(admitted, "neuwiller", batch)
        assert (answer.status_code, answer.get_json()["error"]) == (403, "origin_mismatch")
    assert stored("neuwiller") == {} and stored("dossenheim") == before


def test_invalid_or_oversized_batches_store_nothing(admitted: FlaskClient) -> None:
    good = record("neuwiller")
    bad_payload = record("neuwiller", payload={"display_name": "X", "phone_secret": "06"})
    answer = push(admitted, "neuwiller", [good, bad_payload])
    assert (answer.status_code, answer.get_json()["error"]) == (400, "payload_invalid")
    assert "records[1]" in answer.get_json()["message"]
    unknown = push(admitted, "neuwiller", [good, {**record("neuwiller"), "type": "secret"}])
    assert (unknown.status_code, unknown.get_json()["error"]) == (400, "record_type_unknown")
    big = push(admitted, "neuwiller", [record("neuwiller") for _ in range(101)])
    assert (big.status_code, big.get_json()["error"]) == (413, "batch_too_large")
    duplicate = send(admitted, "POST", "/federation/inbox", key=village_key("neuwiller"),
                     body=b'{"records":[],"records":[]}')
    assert (duplicate.status_code, duplicate.get_json()["error"]) == (400, "json_duplicate_key")
    assert db.session.scalar(select(func.count()).select_from(Record)) == 0


def test_network_overview_is_signed_and_leaves_out_suspended_and_past(
        admitted: FlaskClient) -> None:
    now = datetime.now(UTC).replace(microsecond=0)

    def event(days: int) -> dict[str, Any]:
        starts = now + timedelta(days=days)
        return {"title": f"Rencontre J{days:+d}", "starts_at": starts.strftime(
            "%Y-%m-%dT%H:%M:%SZ"), "ends_at": (starts + timedelta(hours=2)).strftime(
            "%Y-%m-%dT%H:%M:%SZ")}

    push(admitted, "neuwiller", [
        record("neuwiller", "community", payload={"name": "Neuwiller", "communes": ["67475"]}),
        record("neuwiller"), record("neuwiller", "event", payload=event(3)),
        record("neuwiller", "event", payload=event(-3))])
    push(admitted, "dossenheim", [record("dossenheim")])
    answer = send(admitted, "GET", "/federation/network", key=village_key("dossenheim"))
    assert answer.status_code == 200 and answer.headers["Signature"]
    data = answer.get_json()
    assert set(data) == {"generated", "nodes", "territories", "members", "listings", "events",
                         "questions"}
    assert {n["node_id"] for n in data["nodes"]} >= {"neuwiller", "dossenheim"}
    assert {m["origin"] for m in data["members"]} == {"neuwiller", "dossenheim"}
    assert [e["payload"]["title"] for e in data["events"]] == ["Rencontre J+3"]
    assert data["territories"][0]["payload"]["name"] == "Neuwiller"
    suspend_node("neuwiller", by="test")
    later = send(admitted, "GET", "/federation/network", key=village_key("dossenheim"))
    assert {m["origin"] for m in later.get_json()["members"]} == {"dossenheim"}
    assert later.get_json()["events"] == [] and later.get_json()["territories"] == []
    assert "neuwiller" not in {n["node_id"] for n in later.get_json()["nodes"]}
