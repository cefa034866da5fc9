"""The directory's :class:`webui.fediverse.FediverseSite`: the Pays's Group and the public
rencontres of its villages."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, format_datetime
from sqlalchemy import select
from sqlalchemy.orm import Session

import communes
from directory.extensions import db
from directory.models import DirectoryIdentity, Peer, PeerStatus, Record, fediverse_tables
from federation.activitypub import vocabulary
from federation.activitypub.store import Tables
from federation.activitypub.vocabulary import Actor, Place, PublicEvent

KEY_FILE = "activitypub-rsa.pem"
PARIS = ZoneInfo("Europe/Paris")


def is_published(payload: dict[str, Any] | None, peer_status: str) -> bool:
    """The one rule: the village marked it public, it is not cancelled, the village is
    admitted (a suspended village's rencontres are withdrawn)."""
    return (payload is not None and payload.get("public") is True
            and not payload.get("cancelled") and peer_status == PeerStatus.ADMITTED)


def public_url() -> str:
    return str(current_app.config["PUBLIC_URL"]).rstrip("/")


def event_id(uuid: str) -> str:
    return f"{public_url()}/ap/events/{uuid}"


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def build_actor(session: Session, public_key_pem: str = "") -> Actor | None:
    node_id = session.connection().scalar(select(DirectoryIdentity.__table__.c.node_id)
                                          .limit(1))
    if not node_id:
        return None
    base = public_url()
    name = str(current_app.config["SITE_NAME"])
    return Actor(
        id=f"{base}/ap/actor", username=str(node_id), host=urlsplit(base).netloc, name=name,
        summary=f"Les rencontres publiques des tiers-lieux du {name}.",
        profile_url=f"{base}/", icon_url=f"{base}/ui/static/favicon.svg",
        public_key_pem=public_key_pem, inbox=f"{base}/ap/inbox", outbox=f"{base}/ap/outbox",
        followers=f"{base}/ap/followers", shared_inbox=f"{base}/ap/inbox")


def public_event(uuid: str, payload: dict[str, Any], village: str,
                 updated: datetime) -> PublicEvent | None:
    starts = _time(payload.get("starts_at"))
    if starts is None:
        return None
    ends = _time(payload.get("ends_at")) or starts
    code = str(payload.get("commune_code") or "")
    commune = communes.find(code) if code else None
    venue = str(payload.get("venue_name") or "")
    place = None
    if venue or commune:
        place = Place(name=venue or (commune.name if commune else ""), street="",
                      locality=commune.name if commune else "",
                      latitude=commune.lat if commune else None,
                      longitude=commune.lon if commune else None)
    with force_locale("fr"):
        when = str(format_datetime(starts.astimezone(PARIS), "EEEE d MMMM y, HH:mm",
                                   rebase=False))
    url = str(payload.get("url") or public_url() + "/agenda")
    return PublicEvent(
        id=event_id(uuid), url=url, uuid=uuid, title=str(payload.get("title") or "?"),
        description=f"{payload.get('description') or ''}\n\n{village}".strip(),
        starts_at=starts, ends_at=max(ends, starts), when=when, place=place,
        published=updated, updated=updated, capacity=payload.get("capacity"))


def event_from_record(record: Record, peer: Peer) -> PublicEvent | None:
    if record.type != "event" or record.deleted or not is_published(record.payload,
                                                                     peer.status):
        return None
    return public_event(record.uuid, record.payload or {}, peer.label,
                        record.updated or record.received_at)


class DirectoryFediverse:
    tables: Tables = fediverse_tables

    def session(self) -> Session:
        session: Session = db.session()
        return session

    def private_key(self) -> Any:
        from federation.activitypub.signatures import load_or_create_rsa_key

        return load_or_create_rsa_key(Path(current_app.instance_path) / "keys" / KEY_FILE)

    def actor(self, with_key: bool = True) -> Actor | None:
        pem = ""
        if with_key:
            from federation.activitypub.signatures import public_key_pem

            pem = public_key_pem(self.private_key())
        return build_actor(self.session(), pem)

    def _record(self, uuid: str) -> tuple[Record, Peer] | None:
        row = db.session.execute(select(Record, Peer).join(Peer, Peer.id == Record.peer_id)
                                 .where(Record.type == "event", Record.uuid == uuid)).first()
        return None if row is None else (row[0], row[1])

    def event_document(self, uuid: str) -> dict[str, Any] | None:
        found = self._record(uuid)
        actor = self.actor(with_key=False)
        event = event_from_record(*found) if found else None
        if event is None or actor is None:
            return None
        return vocabulary.event_object(event, actor)

    def event_page(self, object_id: str) -> str | None:
        found = self._record(object_id.rstrip("/").rsplit("/", 1)[-1])
        event = event_from_record(*found) if found else None
        return event.url if event else None

    def open_registrations(self) -> bool:
        return False  # the Pays has coordinators, not sign-ups

    def allow_private_addresses(self) -> bool:
        return bool(current_app.config.get("FEDERATION_ALLOW_PRIVATE"))

    def wake(self) -> None:
        from directory.peering.worker import EXTENSION_KEY

        worker = current_app.extensions.get(EXTENSION_KEY)
        if worker is not None:
            worker.wake.set()
