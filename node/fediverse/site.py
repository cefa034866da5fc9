"""The node's :class:`webui.fediverse.FediverseSite`: its Group actor and public Events.

Every read here goes through SQL on the current connection (no ORM autoflush), so the
publishing hook can call it from inside a flush.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

import communes
from federation.activitypub import vocabulary
from federation.activitypub.store import Tables
from federation.activitypub.vocabulary import Actor, Place, PublicEvent
from node.extensions import db
from node.models import Community, Event, NodeIdentity, SignupMode, Visibility, fediverse_tables
from node.services import calendar

KEY_FILE = "activitypub-rsa.pem"


def is_published(event: Event) -> bool:
    """The one rule of what goes to the fediverse: public and not cancelled."""
    return event.visibility == Visibility.PUBLIC.value and not event.cancelled


def public_url() -> str:
    return str(current_app.config["PUBLIC_URL"]).rstrip("/")


def event_id(uuid: str) -> str:
    return f"{public_url()}/ap/events/{uuid}"


def _username(session: Session) -> str | None:
    connection = session.connection()
    node_id = connection.scalar(select(NodeIdentity.__table__.c.node_id).limit(1))
    if node_id:
        return str(node_id)
    from node.peering.identity import node_id_from_name

    name = connection.scalar(select(Community.__table__.c.name).limit(1))
    return node_id_from_name(str(name)) or None if name else None


def build_actor(session: Session, public_key_pem: str = "") -> Actor | None:
    username = _username(session)
    if username is None:
        return None
    row = session.connection().execute(
        select(Community.__table__.c.name, Community.__table__.c.description).limit(1)).first()
    base = public_url()
    actor_id = f"{base}/ap/actor"
    return Actor(
        id=actor_id, username=username, host=urlsplit(base).netloc,
        name=row.name if row else username, summary=row.description if row else "",
        profile_url=f"{base}/",
        icon_url=f"{base}/ui/static/favicon.svg",
        public_key_pem=public_key_pem, inbox=f"{base}/ap/inbox", outbox=f"{base}/ap/outbox",
        followers=f"{base}/ap/followers", shared_inbox=f"{base}/ap/inbox")


def public_event(event: Event) -> PublicEvent:
    """A published rencontre as the fediverse sees it (French, Paris time)."""
    venue = event.venue
    place = None
    if venue is not None:
        commune = communes.find(venue.commune_code) if venue.commune_code else None
        place = Place(name=venue.name, street=venue.address,
                      locality=commune.name if commune else venue.commune_code,
                      latitude=venue.latitude, longitude=venue.longitude)
    with force_locale("fr"):
        when = calendar.describe_when(event.starts_at, event.ends_at)
    if event.rrule:
        when = f"{when} (rencontre régulière)"
    return PublicEvent(
        id=event_id(event.uuid), url=f"{public_url()}/rencontres/{event.uuid}",
        uuid=event.uuid, title=event.title, description=event.description,
        starts_at=event.starts_at, ends_at=event.ends_at, when=when, place=place,
        published=event.updated_at, updated=event.updated_at, capacity=event.capacity,
        cancelled=event.cancelled)


class NodeFediverse:
    """The village's answers to the fediverse edge."""

    tables: Tables = fediverse_tables

    def session(self) -> Session:
        session: Session = db.session()
        return session

    def key_path(self) -> Path:
        return Path(current_app.instance_path) / "keys" / KEY_FILE

    def private_key(self) -> Any:
        from federation.activitypub.signatures import load_or_create_rsa_key

        return load_or_create_rsa_key(self.key_path())

    def actor(self, with_key: bool = True) -> Actor | None:
        pem = ""
        if with_key:
            from federation.activitypub.signatures import public_key_pem

            pem = public_key_pem(self.private_key())
        return build_actor(self.session(), pem)

    def event_document(self, uuid: str) -> dict[str, Any] | None:
        event = db.session.scalars(db.select(Event).where(Event.uuid == uuid)).first()
        actor = self.actor(with_key=False)
        if event is None or actor is None or not is_published(event):
            return None
        return vocabulary.event_object(public_event(event), actor)

    def event_page(self, object_id: str) -> str | None:
        uuid = object_id.rstrip("/").rsplit("/", 1)[-1]
        event = db.session.scalars(db.select(Event).where(Event.uuid == uuid)).first()
        if event is None or not is_published(event):
            return None
        return f"{public_url()}/rencontres/{event.uuid}"

    def open_registrations(self) -> bool:
        community = db.session.scalars(db.select(Community).limit(1)).first()
        return community is not None and community.signup_mode == SignupMode.REQUEST

    def allow_private_addresses(self) -> bool:
        return bool(current_app.config.get("FEDERATION_ALLOW_PRIVATE"))

    def wake(self) -> None:
        from node.sharing.worker import wake_worker

        wake_worker()
