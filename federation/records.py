"""The record envelope: how one node's data travels to the directory and back.

A record is identified by (type, id); its `origin` is the node that owns it and the
only node allowed to change it; `version` orders changes so replays and out-of-order
deliveries are harmless (see should_apply).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from federation.errors import RecordRefused
from federation.schemas import first_error

RECORD_TYPES = ("community", "venue", "member", "event", "listing", "decision",
                "question")
MAX_BATCH = 100


@dataclass(frozen=True)
class Record:
    type: str
    id: str
    origin: str
    version: int
    updated: str
    deleted: bool
    payload: Mapping[str, Any] | None

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.type, "id": self.id, "origin": self.origin, "version": self.version,
            "updated": self.updated, "deleted": self.deleted,
            "payload": None if self.payload is None else dict(self.payload),
        }


def parse_utc(text: str) -> datetime.datetime:
    """RFC 3339 UTC (`...Z`) to an aware datetime; ValueError on impossible dates."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _check_dates(data: Mapping[str, Any], index: int | None) -> None:
    try:
        parse_utc(data["updated"])
        payload = data["payload"] or {}
        if data["type"] == "event" and not data["deleted"]:
            starts = parse_utc(payload["starts_at"])
            if payload.get("ends_at") is not None and parse_utc(payload["ends_at"]) < starts:
                raise RecordRefused("payload_invalid", "ends_at is before starts_at", index)
    except ValueError as exc:
        raise RecordRefused("record_invalid", f"impossible date: {exc}", index) from exc


def validate_record(data: Any, index: int | None = None) -> Record:
    """Check an envelope and its payload against the schemas; return a frozen Record."""
    if isinstance(data, Mapping) and data.get("type") not in RECORD_TYPES and "type" in data:
        kind = str(data["type"])[:40]
        raise RecordRefused("record_type_unknown", f"unknown record type {kind!r}", index)
    error = first_error("envelope", data)
    if error is not None:
        raise RecordRefused("record_invalid", error, index)
    if not data["deleted"]:
        error = first_error(data["type"], data["payload"])
        if error is not None:
            raise RecordRefused("payload_invalid", error, index)
    _check_dates(data, index)
    return Record(data["type"], data["id"], data["origin"], data["version"], data["updated"],
                  data["deleted"], data["payload"])


def validate_batch(data: Any, max_records: int = MAX_BATCH) -> list[Record]:
    """A `{"records": [...]}` batch; the refusal names the index of the bad record."""
    if isinstance(data, Mapping) and isinstance(data.get("records"), list):
        if len(data["records"]) > max_records:
            raise RecordRefused("batch_too_large", f"at most {max_records} records per batch")
    error = first_error("batch", data)
    if error is not None:
        raise RecordRefused("batch_invalid", error)
    return [validate_record(item, index) for index, item in enumerate(data["records"])]


def check_origin(record: Record, peer_node_id: str, index: int | None = None) -> None:
    """Identity binding: a peer may only create, change or delete its own records."""
    if record.origin != peer_node_id:
        raise RecordRefused("origin_mismatch",
                            f"{peer_node_id!r} may not change records of {record.origin!r}", index)


def should_apply(stored_version: int | None, incoming: Record) -> bool:
    """Apply only strictly newer versions: redelivery and reordering change nothing."""
    return stored_version is None or incoming.version > stored_version
