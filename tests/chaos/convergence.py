"""Is the directory exactly the network-visible state of every node?

The expected state is computed from each node's own database with the node's own consent
function (:func:`node.sharing.payloads.shared_payload`): nothing here re-decides what a node
shares. The directory's live records must equal it, record for record (type, id, origin,
version, payload), and no marker typed in a field below network visibility may appear in
any column of any table of the directory's database.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from directory.extensions import db as pays_db
from directory.models import Peer as PaysPeer
from directory.models import Record
from node.extensions import db
from node.models import Community, Event, Listing, Member, Venue
from node.sharing.payloads import record_type, shared_payload

SHARED_MODELS = (Community, Venue, Member, Listing, Event)
MARKER = re.compile(r"zk[0-9a-f]{10}")
Key = tuple[str, str]  # (type, id)
Copy = tuple[str, int, str]  # (origin, version, payload as canonical JSON)


def _canonical(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False)


def node_shares(node_id: str, app: Flask) -> dict[Key, Copy]:
    """Every record the node shares now, as its consent function builds it."""
    shared: dict[Key, Copy] = {}
    with app.app_context():
        for model in SHARED_MODELS:
            for row in db.session.scalars(select(model)):
                payload = shared_payload(row)
                if payload is not None:
                    shared[(str(record_type(row)), row.uuid)] = (
                        node_id, row.version, _canonical(payload))
        db.session.remove()
    return shared


def directory_holds(app: Flask) -> tuple[dict[Key, Copy], list[str]]:
    """The directory's live records, and the tombstones that still carry a payload."""
    live: dict[Key, Copy] = {}
    bad_tombstones: list[str] = []
    with app.app_context():
        rows = pays_db.session.execute(
            select(Record, PaysPeer.node_id).join(PaysPeer, PaysPeer.id == Record.peer_id))
        for record, origin in rows:
            if record.deleted:
                if record.payload is not None:
                    bad_tombstones.append(f"{record.type} {record.uuid}")
                continue
            live[(record.type, record.uuid)] = (origin, record.version,
                                                _canonical(record.payload))
        pays_db.session.remove()
    return live, bad_tombstones


def database_markers(path: Path) -> set[str]:
    """Every marker found in any text/JSON/blob value of any table of a SQLite database."""
    found: set[str] = set()
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    if isinstance(value, str):
                        found.update(MARKER.findall(value))
    finally:
        connection.close()
    return found


@dataclass
class Verdict:
    differences: list[str] = field(default_factory=list)
    expected: int = 0
    live: int = 0

    @property
    def converged(self) -> bool:
        return not self.differences


def compare(nodes: dict[str, Flask], directory: Flask, directory_db: Path) -> Verdict:
    expected: dict[Key, Copy] = {}
    for node_id, app in nodes.items():
        expected.update(node_shares(node_id, app))
    live, bad_tombstones = directory_holds(directory)
    verdict = Verdict(expected=len(expected), live=len(live))
    out = verdict.differences
    for key in sorted(expected.keys() - live.keys()):
        out.append(f"lost: {key[0]} {key[1]} of {expected[key][0]} v{expected[key][1]} "
                   "is shared by its node but absent from the directory")
    for key in sorted(live.keys() - expected.keys()):
        out.append(f"stale: {key[0]} {key[1]} of {live[key][0]} v{live[key][1]} is live in "
                   "the directory but no longer shared by its node")
    for key in sorted(expected.keys() & live.keys()):
        (origin, version, payload), (d_origin, d_version, d_payload) = expected[key], live[key]
        if origin != d_origin:
            out.append(f"origin: {key[0]} {key[1]} is {origin}'s, directory says {d_origin}")
        if version != d_version:
            out.append(f"version: {key[0]} {key[1]} of {origin} is v{version}, directory "
                       f"holds v{d_version}")
        elif payload != d_payload:
            out.append(f"payload: {key[0]} {key[1]} of {origin} v{version} differs: node "
                       f"{payload} / directory {d_payload}")
    out.extend(f"tombstone with a payload: {name}" for name in bad_tombstones)
    allowed = set(MARKER.findall(" ".join(copy[2] for copy in expected.values())))
    for marker in sorted(database_markers(directory_db) - allowed):
        out.append(f"leak: marker {marker} is in the directory's database but in no record "
                   "any node shares now")
    return verdict
