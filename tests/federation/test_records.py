from __future__ import annotations

import copy
from typing import Any

import pytest

from federation.errors import RecordRefused
from federation.records import check_origin, should_apply, validate_batch, validate_record

UUID = "3f1c2a9e-8b7d-4c6e-9a1b-2c3d4e5f6a7b"
PAYLOADS: dict[str, dict[str, Any]] = {
    "community": {"name": "Tiers-lieu de Sparsbach", "communes": ["67475", "67527"],
                  "contact_email": "lea@example.org", "url": "https://sparsbach.example"},
    "venue": {"name": "Salle des fêtes", "commune_code": "67475", "latitude": 48.87,
              "longitude": 7.39, "capacity": 80},
    "member": {"display_name": "Camille", "skills": ["menuiserie"], "languages": ["fr", "de"]},
    "event": {"title": "Café des indépendants", "starts_at": "2025-07-01T17:00:00Z",
              "ends_at": "2025-07-01T19:00:00Z", "venue_id": UUID, "cancelled": False,
              "rrule": "FREQ=MONTHLY;BYDAY=1TU"},
    "listing": {"kind": "offer", "title": "Prêt de raboteuse", "member_id": UUID},
}
INVALID: dict[str, dict[str, Any]] = {
    "community": {"name": "x", "communes": ["6747"]},
    "venue": {"name": "x", "latitude": 91},
    "member": {"skills": ["x"]},
    "event": {"title": "x", "starts_at": "2025-07-01 17:00"},
    "listing": {"kind": "gift", "title": "x", "member_id": UUID},
}


def envelope(kind: str = "event", **changes: Any) -> dict[str, Any]:
    data = {"type": kind, "id": UUID, "origin": "lutzelbourg", "version": 3,
            "updated": "2025-06-15T15:06:40Z", "deleted": False,
            "payload": copy.deepcopy(PAYLOADS[kind])}
    data.update(changes)
    return data


def code_of(data: Any) -> str:
    with pytest.raises(RecordRefused) as refused:
        validate_record(data)
    return refused.value.code


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_each_type_valid(kind: str) -> None:
    record = validate_record(envelope(kind))
    assert record.type == kind and record.as_json() == envelope(kind)


@pytest.mark.parametrize("kind", sorted(INVALID))
def test_each_type_invalid(kind: str) -> None:
    assert code_of(envelope(kind, payload=INVALID[kind])) == "payload_invalid"


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_unknown_payload_fields_refused(kind: str) -> None:
    assert code_of(envelope(kind, payload={**PAYLOADS[kind], "email_private": "x"})) \
        == "payload_invalid"


def test_unknown_envelope_field_and_type_refused() -> None:
    assert code_of({**envelope(), "extra": 1}) == "record_invalid"
    assert code_of(envelope(type="photo")) == "record_type_unknown"


@pytest.mark.parametrize("changes", [
    {"version": 0}, {"version": "3"}, {"id": UUID.upper()}, {"origin": "Lutz"},
    {"updated": "2025-06-15T15:06:40+02:00"}, {"deleted": "no"}, {"payload": None},
])
def test_envelope_bounds(changes: dict[str, Any]) -> None:
    assert code_of(envelope(**changes)) == "record_invalid"


def test_impossible_date_refused() -> None:
    assert code_of(envelope(updated="2025-02-30T00:00:00Z")) == "record_invalid"


def test_event_cannot_end_before_it_starts() -> None:
    payload = {**PAYLOADS["event"], "ends_at": "2025-07-01T16:00:00Z"}
    assert code_of(envelope(payload=payload)) == "payload_invalid"


def test_string_and_list_bounds() -> None:
    assert code_of(envelope("listing", payload={**PAYLOADS["listing"], "title": "x" * 201})) \
        == "payload_invalid"
    skills = [f"s{i}" for i in range(31)]
    assert code_of(envelope("member", payload={"display_name": "a", "skills": skills})) \
        == "payload_invalid"


def test_tombstone_has_null_payload() -> None:
    record = validate_record(envelope(deleted=True, payload=None))
    assert record.deleted and record.payload is None
    assert code_of(envelope(deleted=True)) == "record_invalid"


def test_batch_reports_index_and_size() -> None:
    assert len(validate_batch({"records": [envelope(), envelope("venue")]})) == 2
    with pytest.raises(RecordRefused) as refused:
        validate_batch({"records": [envelope(), envelope(version=0)]})
    assert refused.value.index == 1 and "records[1]" in refused.value.message
    with pytest.raises(RecordRefused) as refused:
        validate_batch({"records": [envelope()] * 101})
    assert refused.value.code == "batch_too_large" and refused.value.status == 413
    with pytest.raises(RecordRefused) as refused:
        validate_batch({"records": [], "more": "x"})
    assert refused.value.code == "batch_invalid"


def test_origin_binding() -> None:
    record = validate_record(envelope())
    check_origin(record, "lutzelbourg")
    with pytest.raises(RecordRefused) as refused:
        check_origin(record, "sparsbach")
    assert refused.value.code == "origin_mismatch" and refused.value.status == 403


def test_should_apply_is_version_ordered_and_idempotent() -> None:
    record = validate_record(envelope(version=3))
    assert should_apply(None, record)
    assert should_apply(2, record)
    assert not should_apply(3, record)
    assert not should_apply(4, record)
