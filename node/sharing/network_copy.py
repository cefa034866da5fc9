"""The node's copy of the network overview, fetched from the directory, read by the Réseau page.

The directory signs `GET /federation/network`; the answer is kept only if its signature
verifies with the directory's stored key and every record in it is a valid envelope.
A failed refresh keeps the previous copy and records why, so the page stays readable
(with its date) while the directory is down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from federation.client import PeerError, PeerRefused
from federation.errors import FederationRefusal
from federation.keys import is_node_id, load_public_key_b64, parse_keyid
from federation.records import validate_record
from federation.urlpolicy import AddressRefused
from node.extensions import db
from node.models import NetworkCopy, utcnow
from node.peering.directory import directory_keys, federation_client
from node.peering.membership import registered_directory
from node.services import network_contacts

BASE_URL = re.compile(r"https?://[a-z0-9.-]+(?::[0-9]{1,5})?")
#: List name in the network answer -> record type its envelopes must have.
SECTIONS = {"territories": "community", "members": "member", "listings": "listing",
            "events": "event", "questions": "question"}


#: An endpoint path on a site's base URL (the node document's pattern).
PATH = re.compile(r"/[A-Za-z0-9._~/-]{0,199}")


class NetworkRefused(FederationRefusal):
    """The directory's network answer does not have the documented shape."""


def _village(item: Any, index: int) -> dict[str, Any]:
    """One entry of the ``nodes`` section: how to reach a village and check its signature."""
    where = f"nodes[{index}]"
    if not isinstance(item, dict) or not is_node_id(str(item.get("node_id", ""))):
        raise NetworkRefused("network_invalid", f"{where}: node_id")
    base_url, inbox = str(item.get("base_url", "")), str(item.get("inbox", ""))
    if not BASE_URL.fullmatch(base_url) or not inbox.startswith("/") or len(inbox) > 200:
        raise NetworkRefused("network_invalid", f"{where}: base_url and inbox path")
    keys = item.get("keys")
    if not isinstance(keys, list) or not 1 <= len(keys) <= 4:
        raise NetworkRefused("network_invalid", f"{where}: 1 to 4 keys")
    checked = []
    for key in keys:
        keyid = str(key.get("keyid", "")) if isinstance(key, dict) else ""
        status = key.get("status") if isinstance(key, dict) else None
        try:
            if parse_keyid(keyid).node_id != item["node_id"]:
                raise ValueError(keyid)
            load_public_key_b64(str(key.get("public_key", "")))
        except (ValueError, TypeError) as exc:
            raise NetworkRefused("network_invalid", f"{where}: key {keyid[:80]!r}") from exc
        if status not in ("active", "retiring"):
            raise NetworkRefused("network_invalid", f"{where}: key status")
        checked.append({"keyid": keyid, "public_key": key["public_key"], "status": status})
    village = {"node_id": item["node_id"], "name": str(item.get("name", ""))[:200],
               "base_url": base_url, "inbox": inbox, "keys": checked}
    sign_in = item.get("sign_in")
    if sign_in is not None:  # where the village receives sign-in answers (section 11)
        if not isinstance(sign_in, str) or not PATH.fullmatch(sign_in):
            raise NetworkRefused("network_invalid", f"{where}: sign_in path")
        village["sign_in"] = sign_in
    return village


def validate_network(data: dict[str, Any]) -> dict[str, Any]:
    """Keep the documented sections, each a list of live envelopes of the right type, and
    the villages' addresses (``nodes``, absent from a directory of the first version)."""
    copy: dict[str, Any] = {"generated": data.get("generated")}
    if not isinstance(copy["generated"], str):
        raise NetworkRefused("network_invalid", "generated must be an RFC 3339 string")
    nodes = data.get("nodes", [])
    if not isinstance(nodes, list) or len(nodes) > 1000:
        raise NetworkRefused("network_invalid", "nodes must be a list")
    copy["nodes"] = [_village(item, index) for index, item in enumerate(nodes)]
    for section, record_type in SECTIONS.items():
        items = data.get(section, [])
        if not isinstance(items, list):
            raise NetworkRefused("network_invalid", f"{section} must be a list")
        records = [validate_record(item, index) for index, item in enumerate(items)]
        for index, record in enumerate(records):
            if record.type != record_type or record.deleted:
                raise NetworkRefused("network_invalid",
                                     f"{section}[{index}] must be a live {record_type} record")
        copy[section] = [record.as_json() for record in records]
    return copy


def stored_copy() -> NetworkCopy:
    row = db.session.get(NetworkCopy, 1)
    if row is None:
        row = NetworkCopy(id=1, data=None, last_error="")
        db.session.add(row)
    return row


@dataclass(frozen=True)
class PullResult:
    ok: bool
    message: str
    fetched_at: datetime | None


def pull_network_copy(now: datetime | None = None) -> PullResult:
    """Fetch, verify and store the directory's network overview; commit either way.

    Nothing is written before the directory has answered: a write begun first (even the
    attempt's time, flushed by the next query) would hold the database lock for as long as
    the Pays takes to answer, and a member signing in meanwhile would wait for it."""
    now = now or utcnow()
    peer = registered_directory()
    if peer is None:
        return PullResult(False, "aucun annuaire enregistré", None)
    data, error = None, ""
    try:
        keys = directory_keys(peer)
        with federation_client() as client:
            response = client.get(peer.endpoint("network"), verify_with=keys)
        data = validate_network(response.data or {})
    except PeerRefused as exc:
        error = f"HTTP {exc.status} {exc.code}"
    except (PeerError, AddressRefused) as exc:
        error = f"{getattr(exc, 'code', 'error')}: annuaire injoignable"
    except FederationRefusal as exc:
        error = f"{exc.code}: {exc.message}"[:500]
    row = stored_copy()
    row.last_attempt_at, row.last_error = now, error
    if data is not None:
        row.data, row.fetched_at = data, now
        network_contacts.refresh(data)  # address books follow the copy (issue 11)
    db.session.commit()
    ok = row.last_error == ""
    return PullResult(ok, "copie à jour" if ok else row.last_error, row.fetched_at)
