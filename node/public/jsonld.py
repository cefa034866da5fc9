"""schema.org ``Event`` data for search engines and calendar tools, safe inside a page.

The JSON goes into ``<script type="application/ld+json">``; a description containing
``</script>`` must not end that element, so ``<``, ``>`` and ``&`` are written as ``\\u003c``
and friends, which JSON parsers read back unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from node.models import Community
from node.services import calendar
from node.services.community import commune_name
from node.services.events import Occurrence

ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def script_safe_json(data: Any) -> Markup:
    """JSON that cannot close the surrounding script element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    for char, escaped in ESCAPES.items():
        text = text.replace(char, escaped)
    return Markup(text)  # noqa: S704 - every markup-significant character is escaped above


def event_data(occurrence: Occurrence, url: str, community: Community | None,
               public_url: str) -> dict[str, Any]:
    """The schema.org description of one occurrence."""
    event = occurrence.event
    status = "EventCancelled" if event.cancelled else "EventScheduled"
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "startDate": calendar.to_local(occurrence.starts_at).isoformat(),
        "endDate": calendar.to_local(occurrence.ends_at).isoformat(),
        "eventStatus": f"https://schema.org/{status}",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "url": url,
    }
    if event.description:
        data["description"] = event.description
    if event.capacity is not None:
        data["maximumAttendeeCapacity"] = event.capacity
    if community is not None:
        data["organizer"] = {"@type": "Organization", "name": community.name, "url": public_url}
    if event.venue is not None:
        venue = event.venue
        place: dict[str, Any] = {
            "@type": "Place", "name": venue.name,
            "address": {"@type": "PostalAddress", "streetAddress": venue.address,
                        "addressLocality": commune_name(venue.commune_code),
                        "addressCountry": "FR"},
        }
        if venue.latitude is not None and venue.longitude is not None:
            place["geo"] = {"@type": "GeoCoordinates", "latitude": venue.latitude,
                            "longitude": venue.longitude}
        data["location"] = place
    return data
