"""The shareable payload of each kind of record: one function per type, one dispatch table.

A payload holds only what may leave the node. ``None`` means "not shared (any more)": the
change is then announced as a tombstone so every copy forgets the record. Member consent is
decided by :func:`node.services.visibility.network_payload` and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import object_session

from federation.identity import short_name
from federation.schemas import schema
from node.models import (
    AccountStatus,
    Community,
    Decision,
    Event,
    Listing,
    Member,
    NodeIdentity,
    Question,
    Venue,
    Visibility,
    utcnow,
)
from node.services import calendar
from node.services.visibility import (
    Viewer,
    can_see_listing,
    is_listed,
    listing_is_public,
    network_payload,
)

SHARED_EVENT_LEVELS = {Visibility.NETWORK.value, Visibility.PUBLIC.value}


def _url(path: str) -> str:
    return str(current_app.config["PUBLIC_URL"]) + path


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def community_payload(community: Community) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "name": community.name, "description": community.description,
        "communes": list(community.communes or []), "contact_name": community.contact_name,
        "contact_role": community.contact_role, "contact_email": community.contact_email,
        "contact_phone": community.contact_phone, "url": _url("/"),
    }
    if community.shared_figures:  # counts only (services.shared_figures), never a name
        payload["figures"] = community.shared_figures
    return payload


def venue_payload(venue: Venue) -> dict[str, Any] | None:
    if venue.archived:
        return None
    return {
        "name": venue.name, "address": venue.address, "commune_code": venue.commune_code,
        "latitude": venue.latitude, "longitude": venue.longitude, "capacity": venue.capacity,
        "accessibility": venue.accessibility,
    }


def member_payload(member: Member) -> dict[str, Any] | None:
    payload = network_payload(member)
    if payload is None:
        return None
    payload.pop("listings", None)  # offers and needs travel as their own records
    # The village page opens to anyone only for a public profile: the Pays links to its own
    # card for the others, never to a page that answers 404.
    if is_listed(Viewer.anonymous(), member):
        payload["profile_url"] = _url(f"/membres/{member.uuid}")
    return payload


def listing_payload(listing: Listing) -> dict[str, Any] | None:
    """An active listing the network may see; a fulfilled or expired one, or one narrowed
    to the village, travels as a tombstone so every copy forgets it."""
    member = listing.member
    if member is None or member_payload(member) is None:
        return None
    if not can_see_listing(Viewer.network(), listing):
        return None
    return {"kind": listing.kind, "title": listing.title, "details": listing.details,
            "member_id": member.uuid, "skills": list(listing.skills or []),
            "commune_code": listing.commune_code, "radius_km": listing.radius_km,
            "expires_at": _iso(listing.expires_at), "public": listing_is_public(listing)}


def _event_venue(event: Event) -> Venue | None:
    """The venue ``venue_id`` names now. The ``venue`` relationship cannot be trusted while
    the flush runs: it is not loaded yet on a new event (a rencontre created with a venue
    would reach the Pays without its place) and still holds the old venue after
    ``venue_id`` changed on a loaded one. ``Session.get`` reads the identity map first."""
    if event.venue_id is None:
        return None
    session = object_session(event)
    if session is None:
        return event.venue
    return session.get(Venue, event.venue_id)


def event_payload(event: Event) -> dict[str, Any] | None:
    if event.visibility not in SHARED_EVENT_LEVELS:
        return None
    venue = _event_venue(event)
    payload: dict[str, Any] = {
        "title": event.title, "description": event.description,
        "starts_at": _iso(event.starts_at), "ends_at": _iso(event.ends_at),
        "venue_id": venue.uuid if venue else None, "venue_name": venue.name if venue else "",
        "commune_code": venue.commune_code if venue else "", "capacity": event.capacity,
        "rrule": event.rrule or "", "cancelled": event.cancelled,
        # Only a public rencontre's page opens to anyone (see member_payload), and only a
        # public one is shown to anonymous visitors of the Pays or leaves the network (the
        # Pays's fediverse account).
        "public": event.visibility == Visibility.PUBLIC.value,
        "url": _url(f"/rencontres/{event.uuid}")
        if event.visibility == Visibility.PUBLIC.value else None,
    }
    if event.rrule and event.cancelled_dates:
        payload["exdates"] = [_iso(calendar.parse_utc_stamp(stamp))
                              for stamp in sorted(event.cancelled_dates)]
    return payload


def decision_payload(decision: Decision) -> dict[str, Any] | None:
    """Only what the community chose to share: never an answer, a name or a count per
    person; another village's decision is shared by that village, not here."""
    if not decision.shared or decision.host_node is not None or decision.subject == "agenda":
        return None
    from node.services.notice_texts import outcome_line

    closed = decision.state != "open"
    return {
        "title": decision.title[:200], "description": decision.description[:5000],
        "kind": decision.kind, "state": decision.state,
        "opens_at": _iso(decision.opens_at), "closes_at": _iso(decision.closes_at),
        "villages": list(decision.villages or []),
        "participants": int((decision.outcome or {}).get("participants", 0)) if closed else None,
        "outcome": outcome_line(decision)[:1000] if closed else "",
        "url": _url(f"/decisions/{decision.uuid}"),
    }


#: Answers a question record carries at most (the latest); ``answer_count`` counts them all.
SHARED_ANSWERS = 50


def question_payload(question: Question) -> dict[str, Any] | None:
    """A question asked to the network, with the answers its village shows: names as
    « Prénom N. » and the village of each, never an e-mail. Hidden answers are left out,
    so hiding one takes it off the Pays and the other villages at the next version."""
    member = question.member
    session = object_session(question)
    if question.audience != Visibility.NETWORK.value or member is None or session is None:
        return None
    if member.account is None or member.account.status != AccountStatus.ACTIVE.value:
        return None  # a deactivated member's questions leave the network with them
    own = session.scalars(select(NodeIdentity.node_id).limit(1)).first()
    if not own:
        return None
    shown = [answer for answer in question.answers if not answer.hidden]
    return {
        "title": question.title[:200], "details": question.details[:4000],
        "asker": short_name(member.display_name)[:200],
        "asked_at": _iso(question.created_at or utcnow()), "state": question.state,
        "answer_count": len(shown),
        "answers": [{"id": answer.uuid, "name": short_name(answer.author_label)[:200],
                     "village": answer.author_village or own, "text": answer.body[:4000],
                     "helped": bool(answer.helped),
                     "answered_at": _iso(answer.created_at or utcnow())}
                    for answer in shown[-SHARED_ANSWERS:]],
    }


PAYLOAD_BUILDERS: dict[type, tuple[str, Callable[[Any], dict[str, Any] | None]]] = {
    Community: ("community", community_payload),
    Venue: ("venue", venue_payload),
    Member: ("member", member_payload),
    Listing: ("listing", listing_payload),
    Event: ("event", event_payload),
    Decision: ("decision", decision_payload),
    Question: ("question", question_payload),
}


def record_type(obj: object) -> str | None:
    entry = PAYLOAD_BUILDERS.get(type(obj))
    return entry[0] if entry else None


def without_blanks(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Drop optional fields left empty ("" or None): the schemas give optional fields a
    format (an e-mail, a commune code, a number), which an empty value would break."""
    required = set(schema(kind).get("required", []))
    return {key: value for key, value in payload.items()
            if key in required or (value != "" and value is not None)}


def shared_payload(obj: object) -> dict[str, Any] | None:
    """The payload this record may share, or None when it shares nothing."""
    entry = PAYLOAD_BUILDERS.get(type(obj))
    if entry is None:
        return None
    payload = entry[1](obj)
    return None if payload is None else without_blanks(entry[0], payload)
