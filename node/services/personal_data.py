"""« Mes données » : all the node holds about one member, as one JSON document (RGPD).

The member sees all of their own data, but what they hold about *others* (their address book)
still goes through :mod:`node.services.visibility`: a contact who restricted their profile shows
up only with what the member may still see of them. Secrets (password hash, token hashes) never
appear.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from node.extensions import db
from node.models import (
    FIELDS_BY_GROUP,
    AlertSettings,
    Answer,
    AnswerElsewhere,
    Event,
    FieldGroup,
    Member,
    NetworkContact,
    Question,
    Rsvp,
)
from node.services import contact_relay
from node.services.members import address_book
from node.services.visibility import Viewer, visible_profile

FORMAT_VERSION = 1


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export_member_data(member: Member) -> dict[str, Any]:
    """The whole export, ready for ``json.dumps``."""
    account = member.account
    return {
        "format": "chaleur-member-export",
        "format_version": FORMAT_VERSION,
        "account": {
            "email": account.email,
            "role": account.role,
            "status": account.status,
            "created_at": _iso(account.created_at),
            "last_login_at": _iso(account.last_login_at),
            "join_message": account.join_message,
        },
        "profile": _profile(member),
        "listings": [
            {"id": item.uuid, "kind": item.kind, "title": item.title, "details": item.details,
             "skills": list(item.skills or []), "commune_code": item.commune_code,
             "radius_km": item.radius_km, "visibility": item.visibility, "state": item.state,
             "expires_at": _iso(item.expires_at), "created_at": _iso(item.created_at),
             "updated_at": _iso(item.updated_at)}
            for item in member.listings
        ],
        "address_book": _address_book(member),
        "network_address_book": [
            {"village": c.node_id, "village_name": c.village, "contact_id": c.member_uuid,
             "contact_name": c.profile.get("display_name"), "note": c.note,
             "added_at": _iso(c.created_at)}
            for c in db.session.scalars(select(NetworkContact).where(
                NetworkContact.owner_id == member.id))],
        "rsvps": _rsvps(member),
        "rsvps_elsewhere": [
            {"village": row.village, "village_name": row.village_name,
             "event_id": row.event_uuid, "event_title": row.title,
             "occurrence_at": _iso(row.starts_at), "occurrence_ends_at": _iso(row.ends_at),
             "status": row.status, "attended": row.attended, "url": row.url,
             "updated_at": _iso(row.updated_at)}
            for row in db.session.scalars(select(AnswerElsewhere).where(
                AnswerElsewhere.member_id == member.id).order_by(AnswerElsewhere.starts_at))
        ],
        "alerts": _alerts(member),
        "questions": [
            {"id": q.uuid, "title": q.title, "details": q.details, "audience": q.audience,
             "asked_at": _iso(q.created_at)}
            for q in db.session.scalars(select(Question).where(Question.member_id == member.id))
        ],
        "answers": [
            {"question_id": a.question.uuid, "body": a.body, "helped": a.helped,
             "hidden": a.hidden, "answered_at": _iso(a.created_at)}
            for a in db.session.scalars(select(Answer).where(Answer.member_id == member.id))
        ],
        "network_messages": contact_relay.export(member),
    }


def _alerts(member: Member) -> dict[str, Any]:
    chosen = db.session.get(AlertSettings, member.account_id)
    return {"match_alerts": bool(chosen and chosen.match_alerts),
            "weekly": bool(chosen and chosen.weekly),
            "last_weekly_at": _iso(chosen.last_weekly_at) if chosen else None}


def _profile(member: Member) -> dict[str, Any]:
    groups: dict[str, Any] = {}
    for group in FieldGroup:
        fields = {name: _plain(getattr(member, name))
                  for name in FIELDS_BY_GROUP[group] if name != "listings"}
        groups[group.value] = {"visibility": member.visibility_of(group).value,
                               "fields": fields}
    return {"id": member.uuid, "joined_at": _iso(member.joined_at),
            "updated_at": _iso(member.updated_at), "groups": groups}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _address_book(member: Member) -> list[dict[str, Any]]:
    viewer = Viewer.for_account(member.account)
    entries = []
    for entry in address_book(member):
        seen = visible_profile(viewer, entry.contact)
        entries.append({
            "contact_id": entry.contact.uuid,
            "contact_name": seen.get("display_name") if seen else None,
            "note": entry.note,
            "added_at": _iso(entry.created_at),
        })
    return entries


def _rsvps(member: Member) -> list[dict[str, Any]]:
    rows = db.session.execute(
        db.select(Rsvp, Event).join(Event, Rsvp.event_id == Event.id)
        .where(Rsvp.member_id == member.id).order_by(Rsvp.occurrence_at)
    ).all()
    return [
        {"event_id": event.uuid, "event_title": event.title,
         "occurrence_at": _iso(rsvp.occurrence_at),
         "occurrence_ends_at": _iso(rsvp.occurrence_at + (event.ends_at - event.starts_at)),
         "status": rsvp.status, "attended": rsvp.attended,
         "answered_at": _iso(rsvp.created_at), "updated_at": _iso(rsvp.updated_at)}
        for rsvp, event in rows
    ]
