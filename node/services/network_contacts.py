"""People of other villages in a member's address book (issue 11: « add anyone of the
network to your address book »).

What is kept is what the network copy shows of the person — the payload their home node
shared at network level, which the Pays handed back in the signed copy — with the name of
their village; never more. When the copy changes (:func:`refresh`, called after each
successful pull) the kept profile follows it, and a person gone from the copy (stopped
sharing, left, village gone) leaves every address book. Each function flushes; the caller
commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from node.extensions import db
from node.models import Member, NetworkContact, NetworkCopy
from node.services.villages import own_node_id

#: Payload keys that describe the record rather than the person.
NOT_SHOWN = frozenset({"public"})


def _copy() -> dict[str, Any]:
    row = db.session.get(NetworkCopy, 1)
    return (row.data or {}) if row is not None else {}


def _people(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(village node id, member uuid) -> what the copy shows of them."""
    return {(str(record.get("origin")), str(record.get("id"))): {
        key: value for key, value in (record.get("payload") or {}).items()
        if key not in NOT_SHOWN} for record in data.get("members", [])}


def _villages(data: dict[str, Any]) -> dict[str, str]:
    """Village node id -> its name (its community record, else the network list)."""
    names = {str(node.get("node_id")): str(node.get("name") or "")
             for node in data.get("nodes", [])}
    for record in data.get("territories", []):
        name = (record.get("payload") or {}).get("name")
        if name:
            names[str(record.get("origin"))] = str(name)
    return names


def find(owner: Member, node_id: str, member_uuid: str) -> NetworkContact | None:
    return db.session.scalars(select(NetworkContact).where(
        NetworkContact.owner_id == owner.id, NetworkContact.node_id == node_id,
        NetworkContact.member_uuid == member_uuid)).first()


def add(owner: Member, node_id: str, member_uuid: str) -> NetworkContact | None:
    """Keep a person of another village; None when the copy does not show them (or they
    live in this village: the local address book keeps those). Adding twice keeps one."""
    data = _copy()
    person = _people(data).get((node_id, member_uuid))
    if person is None or node_id == own_node_id():
        return None
    found = find(owner, node_id, member_uuid)
    if found is None:
        found = NetworkContact(owner_id=owner.id, node_id=node_id, member_uuid=member_uuid,
                               village=_villages(data).get(node_id, node_id), profile=person)
        db.session.add(found)
        db.session.flush()
    return found


def remove(contact: NetworkContact) -> None:
    db.session.delete(contact)
    db.session.flush()


def contacts_of(owner: Member) -> list[NetworkContact]:
    found = db.session.scalars(select(NetworkContact).where(
        NetworkContact.owner_id == owner.id))
    return sorted(found, key=lambda c: (str(c.profile.get("display_name", "")).casefold(),
                                        c.id))


def kept_by(owner: Member) -> set[tuple[str, str]]:
    """(village, member uuid) of everyone of the network the owner keeps (Réseau page)."""
    return {(node, uuid) for node, uuid in db.session.execute(
        select(NetworkContact.node_id, NetworkContact.member_uuid).where(
            NetworkContact.owner_id == owner.id))}


def refresh(data: dict[str, Any]) -> tuple[int, int]:
    """Follow a new network copy: update what changed, remove whoever is gone from it.
    (updated, removed)."""
    people, villages = _people(data), _villages(data)
    updated = removed = 0
    for contact in db.session.scalars(select(NetworkContact)):
        person = people.get((contact.node_id, contact.member_uuid))
        if person is None:
            db.session.delete(contact)
            removed += 1
            continue
        village = villages.get(contact.node_id, contact.village)
        if contact.profile != person or contact.village != village:
            contact.profile, contact.village = person, village
            updated += 1
    db.session.flush()
    return updated, removed
