"""The ActivityPub documents a village or the Pays publishes, as plain dictionaries.

Every builder takes frozen values the app computed from its **public** data only, so
nothing here can reach a private field. The Event object is written for the importers it
must satisfy (golden tests in ``tests/federation/activitypub/test_vocabulary.py``):

* **Mastodon** shows an Event as a post made of ``name`` and ``summary`` only: the date and
  the place are therefore written into ``summary``, with a link to the page.
* **Mobilizon** reads ``category`` as an uppercase word of its list (anything else falls
  back to its default, ``MEETING``, which is what we send), ``location`` with float
  ``latitude``/``longitude`` and a ``PostalAddress``, a ``name`` on every attachment, and
  makes the event public only when the Public collection is in ``to``.
* **Gancio** expects an ``attachment`` array (possibly empty) whose items all carry a
  ``mediaType``.
* **FEP-8a8e**: ``startTime``, ``endTime``, ``timezone``, ``location`` as a ``Place`` with
  an ``address`` of type ``PostalAddress``, ``eventStatus``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
ACTIVITY_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
EVENT_CONTEXT: dict[str, Any] = {
    "sc": "http://schema.org#",
    "mz": "https://joinmobilizon.org/ns#",
    "PostalAddress": "sc:PostalAddress",
    "address": {"@id": "sc:address", "@type": "sc:PostalAddress"},
    "addressCountry": "sc:addressCountry",
    "addressLocality": "sc:addressLocality",
    "postalCode": "sc:postalCode",
    "streetAddress": "sc:streetAddress",
    "category": "sc:category",
    "eventStatus": "sc:eventStatus",
    "timezone": {"@id": "mz:timezone", "@type": "sc:Text"},
    "joinMode": {"@id": "mz:joinMode", "@type": "mz:joinModeType"},
    "externalParticipationUrl": {"@id": "mz:externalParticipationUrl", "@type": "sc:URL"},
    "inLanguage": "sc:inLanguage",
}
#: Mobilizon's default category, present in every version's list.
CATEGORY = "MEETING"
TIMEZONE = "Europe/Paris"


@dataclass(frozen=True)
class Actor:
    """The followable Group: a village or the Pays, and the addresses of its collections."""

    id: str
    username: str  # the handle's local part: the site's federation id
    host: str
    name: str
    summary: str  # plain text
    profile_url: str  # the public home page
    icon_url: str
    public_key_pem: str
    inbox: str
    outbox: str
    followers: str
    shared_inbox: str

    @property
    def key_id(self) -> str:
        return f"{self.id}#main-key"

    @property
    def handle(self) -> str:
        return f"{self.username}@{self.host}"


@dataclass(frozen=True)
class Place:
    name: str
    street: str
    locality: str
    latitude: float | None
    longitude: float | None
    country: str = "FR"


@dataclass(frozen=True)
class PublicEvent:
    """One public rencontre as the fediverse sees it."""

    id: str  # the ActivityPub id (answers 410 Gone once removed)
    url: str  # the page where people answer
    uuid: str
    title: str
    description: str  # plain text
    starts_at: datetime  # aware
    ends_at: datetime  # aware
    when: str  # « samedi 12 juillet 2026, 18 h 00 – 20 h 00 », in French
    place: Place | None
    published: datetime
    updated: datetime
    capacity: int | None = None
    cancelled: bool = False


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _local(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(TIMEZONE)).isoformat(timespec="seconds")


def paragraphs(text: str) -> str:
    """Plain text as escaped HTML paragraphs (what every importer renders)."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>"
                   for block in blocks if block)


def webfinger(actor: Actor) -> dict[str, Any]:
    return {
        "subject": f"acct:{actor.handle}",
        "aliases": [actor.id, actor.profile_url],
        "links": [
            {"rel": "self", "type": ACTIVITY_JSON, "href": actor.id},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
             "href": actor.profile_url},
        ],
    }


def actor_document(actor: Actor) -> dict[str, Any]:
    """The Group actor: the only type ordinary Mobilizon users can follow."""
    return {
        "@context": [AS_CONTEXT, SECURITY_CONTEXT],
        "id": actor.id,
        "type": "Group",
        "preferredUsername": actor.username,
        "name": actor.name,
        "summary": paragraphs(actor.summary),
        "url": actor.profile_url,
        "icon": {"type": "Image", "mediaType": "image/svg+xml", "url": actor.icon_url},
        "inbox": actor.inbox,
        "outbox": actor.outbox,
        "followers": actor.followers,
        "endpoints": {"sharedInbox": actor.shared_inbox},
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "publicKey": {"id": actor.key_id, "owner": actor.id,
                      "publicKeyPem": actor.public_key_pem},
    }


def _location(place: Place) -> dict[str, Any]:
    location: dict[str, Any] = {
        "type": "Place",
        "name": place.name,
        "address": {"type": "PostalAddress", "streetAddress": place.street,
                    "addressLocality": place.locality, "addressCountry": place.country},
    }
    if place.latitude is not None and place.longitude is not None:
        location["latitude"] = float(place.latitude)
        location["longitude"] = float(place.longitude)
    return location


def event_summary(event: PublicEvent) -> str:
    """What Mastodon shows: when, where, and where to answer (it shows no other field)."""
    where = ""
    if event.place is not None:
        where = ", ".join(part for part in (event.place.name, event.place.locality) if part)
    lines = [f"📅 {html.escape(event.when)}"]
    if where:
        lines.append(f"📍 {html.escape(where)}")
    link = html.escape(event.url, quote=True)
    lines.append(f'<a href="{link}">{link}</a>')
    return "<p>" + "<br>".join(lines) + "</p>"


def event_object(event: PublicEvent, actor: Actor) -> dict[str, Any]:
    """The Event as every importer reads it (see the module's docstring)."""
    data: dict[str, Any] = {
        "@context": [AS_CONTEXT, EVENT_CONTEXT],
        "id": event.id,
        "type": "Event",
        "name": event.title,
        "summary": event_summary(event),
        "content": paragraphs(event.description) or event_summary(event),
        "mediaType": "text/html",
        "url": event.url,
        "uuid": event.uuid,
        "attributedTo": actor.id,
        "actor": actor.id,
        "to": [PUBLIC],
        "cc": [actor.followers],
        "published": stamp(event.published),
        "updated": stamp(event.updated),
        "startTime": _local(event.starts_at),
        "endTime": _local(event.ends_at),
        "timezone": TIMEZONE,
        "category": CATEGORY,
        "eventStatus": "EventCancelled" if event.cancelled else "EventScheduled",
        "status": "CANCELLED" if event.cancelled else "CONFIRMED",
        "inLanguage": "fr",
        "joinMode": "external",
        "externalParticipationUrl": event.url,
        "commentsEnabled": False,
        "tag": [],
        "attachment": [{"type": "Link", "name": "Inscription", "mediaType": "text/html",
                        "href": event.url}],
    }
    if event.place is not None:
        data["location"] = _location(event.place)
    if event.capacity is not None:
        data["maximumAttendeeCapacity"] = event.capacity
    return data


def tombstone(object_id: str, deleted: datetime) -> dict[str, Any]:
    return {"@context": AS_CONTEXT, "id": object_id, "type": "Tombstone",
            "formerType": "Event", "deleted": stamp(deleted)}


def activity(kind: str, activity_id: str, actor: Actor, obj: Any,
             published: datetime) -> dict[str, Any]:
    """Create, Update or Delete of an Event, addressed to the public and the followers."""
    body = obj if isinstance(obj, str) else {k: v for k, v in obj.items() if k != "@context"}
    context = obj.get("@context", AS_CONTEXT) if isinstance(obj, dict) else AS_CONTEXT
    return {"@context": context, "id": activity_id, "type": kind, "actor": actor.id,
            "published": stamp(published), "to": [PUBLIC], "cc": [actor.followers],
            "object": body}


def accept(activity_id: str, actor: Actor, follow: dict[str, Any]) -> dict[str, Any]:
    """Accept{Follow}, the Follow embedded as received (Mastodon matches on its id)."""
    embedded = {k: follow[k] for k in ("id", "type", "actor", "object") if k in follow}
    return {"@context": AS_CONTEXT, "id": activity_id, "type": "Accept", "actor": actor.id,
            "to": [str(follow.get("actor", ""))], "object": embedded}


def ignore(activity_id: str, actor: Actor, join: dict[str, Any], page_url: str) -> dict[str, Any]:
    """A Join is not taken here: Ignore it, with a link to answer on the site."""
    embedded = {k: join[k] for k in ("id", "type", "actor", "object") if k in join}
    link = html.escape(page_url, quote=True)
    return {"@context": AS_CONTEXT, "id": activity_id, "type": "Ignore", "actor": actor.id,
            "to": [str(join.get("actor", ""))], "object": embedded,
            "content": f'<p>Pour participer, répondez sur le site : <a href="{link}">{link}</a>'
                       "</p>",
            "url": page_url}


def collection(collection_id: str, total: int, first: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {"@context": AS_CONTEXT, "id": collection_id,
                            "type": "OrderedCollection", "totalItems": total}
    if first:
        data["first"] = first
    return data


def collection_page(page_id: str, part_of: str, items: list[Any],
                    next_page: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {"@context": AS_CONTEXT, "id": page_id,
                            "type": "OrderedCollectionPage", "partOf": part_of,
                            "orderedItems": items}
    if next_page:
        data["next"] = next_page
    return data


def nodeinfo_links(base_url: str) -> dict[str, Any]:
    return {"links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                       "href": f"{base_url}/nodeinfo/2.1"}]}


def nodeinfo(version: str, open_registrations: bool, local_posts: int,
             name: str) -> dict[str, Any]:
    """NodeInfo 2.1. Usage counts only what is public anyway: one user (the Group) and the
    number of public rencontres; never how many members a village has."""
    return {
        "version": "2.1",
        "software": {"name": "chaleur", "version": version},
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0", "rss2.0"]},
        "openRegistrations": open_registrations,
        "usage": {"users": {"total": 1, "activeMonth": 1, "activeHalfyear": 1},
                  "localPosts": local_posts},
        "metadata": {"nodeName": name},
    }
