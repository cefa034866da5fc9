"""How the node's records look in API answers (the shapes in :mod:`node.api.schemas`).

Members are never serialised here from their columns: their answer is exactly
``visibility.visible_profile`` for the reader, plus the commune's name when its code is shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from flask import request, url_for

from node.models import Community, Event, Member, Venue
from node.services import calendar, events, rsvps
from node.services.community import commune_name
from node.services.visibility import Viewer, visible_profile

NEXT_OCCURRENCES = 10
T = TypeVar("T")


def stamp(moment: datetime) -> str:
    """ISO 8601 in Paris time with its offset, to the second: 2026-03-05T18:30:00+01:00."""
    return calendar.to_local(moment).isoformat(timespec="seconds")


def venue_resource(venue: Venue) -> dict[str, Any]:
    return {
        "id": venue.id, "uuid": venue.uuid, "name": venue.name, "address": venue.address,
        "commune_code": venue.commune_code, "commune_name": commune_name(venue.commune_code),
        "latitude": venue.latitude, "longitude": venue.longitude, "capacity": venue.capacity,
        "accessibility": venue.accessibility, "archived": venue.archived,
        "version": venue.version, "updated_at": stamp(venue.updated_at),
    }


def occurrence_resource(item: events.Occurrence) -> dict[str, Any]:
    event = item.event
    return {
        "id": event.uuid, "title": event.title, "description": event.description,
        "starts_at": stamp(item.starts_at), "ends_at": stamp(item.ends_at),
        "places_left": rsvps.places_left(event, item.starts_at),
        "cancelled": event.cancelled, "visibility": event.visibility,
        "capacity": event.capacity, "recurring": bool(event.rrule),
        "venue": venue_resource(event.venue) if event.venue else None,
        "url": events.public_link("public.event", event_uuid=event.uuid, quand=item.stamp),
    }


def event_resource(event: Event, now: datetime) -> dict[str, Any]:
    upcoming = events.occurrences(event, now, now + calendar.SERIES_HORIZON)[:NEXT_OCCURRENCES]
    return {
        "id": event.uuid, "title": event.title, "description": event.description,
        "starts_at": stamp(event.starts_at), "ends_at": stamp(event.ends_at),
        "rrule": event.rrule, "visibility": event.visibility, "capacity": event.capacity,
        "cancelled": event.cancelled,
        "venue": venue_resource(event.venue) if event.venue else None,
        "url": events.public_link("public.event", event_uuid=event.uuid),
        "version": event.version, "updated_at": stamp(event.updated_at),
        "next_occurrences": [
            {"starts_at": stamp(item.starts_at), "ends_at": stamp(item.ends_at),
             "places_left": rsvps.places_left(event, item.starts_at)} for item in upcoming],
    }


def community_resource(community: Community, venues: list[Venue]) -> dict[str, Any]:
    return {
        "id": community.uuid, "name": community.name, "description": community.description,
        "communes": [{"code": code, "name": commune_name(code)}
                     for code in community.communes or []],
        "contact": {"name": community.contact_name, "role": community.contact_role,
                    "email": community.contact_email, "phone": community.contact_phone},
        "signup_mode": community.signup_mode,
        "venues": [venue_resource(venue) for venue in venues],
        "version": community.version, "updated_at": stamp(community.updated_at),
    }


def member_resource(viewer: Viewer, member: Member) -> dict[str, Any] | None:
    """What this viewer may see of the member (None: not listed for them)."""
    return with_commune_name(visible_profile(viewer, member))


def with_commune_name(profile: dict[str, Any] | None) -> dict[str, Any] | None:
    if profile is not None and "commune_code" in profile:
        profile["commune_name"] = commune_name(profile["commune_code"])
    return profile


def page_resource(items: Sequence[T], page: int, per_page: int,
                  render: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
    """One page of ``items``, each rendered, with its links (query kept, page replaced).

    Only the page's items are rendered: an occurrence's free places cost a query each.
    """
    total = len(items)
    pages = max(1, math.ceil(total / per_page))
    start = (page - 1) * per_page

    def link(number: int) -> str:
        args = {**request.args.to_dict(), **(request.view_args or {}),
                "page": number, "per_page": per_page}
        args.pop("limit", None)
        return url_for(str(request.endpoint), **args)

    return {
        "items": [render(item) for item in items[start:start + per_page]],
        "total": total, "page": page, "per_page": per_page, "pages": pages,
        "links": {"self": link(page), "first": link(1), "last": link(pages),
                  "prev": link(page - 1) if 1 < page <= pages + 1 else None,
                  "next": link(page + 1) if page < pages else None},
    }
