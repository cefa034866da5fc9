"""Writes with a staff token: rencontres, venues (admins and animators), the community (admins).

Each view checks the token, reads a body against its schema, fills the same value objects the
admin forms fill, and calls the same service; the service's refusal becomes a 422 naming the
field. A refused request is rolled back, so it leaves nothing behind.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, jsonify, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from node.api import bp, schemas
from node.api.auth import require_admin, require_staff
from node.api.bodies import paris_wall_time, read_json_body
from node.api.errors import ApiError, FieldError, not_found, validation_failed
from node.api.reads import venue_by_ref
from node.api.resources import community_resource, event_resource, venue_resource
from node.extensions import db, limiter
from node.models import Event, SignupMode, utcnow
from node.services import calendar, community_settings, event_notices, events, venues
from node.services.community import current_community
from node.services.member_fields import FieldInvalid, clean_email, clean_phone
from node.services.visibility import Viewer

# The events service names the form's fields; the API has one field per datetime.
EVENT_FIELD_NAMES = {"start_time": "starts_at", "start_date": "starts_at",
                     "end_time": "ends_at", "end_date": "ends_at"}


def write_limit() -> str:
    return str(current_app.config["API_WRITE_RATE_LIMIT"])


# One budget for every write of a client, whichever endpoint it calls.
api_write_limit = limiter.shared_limit(write_limit, scope="api-write")


def _conflict(message: str) -> ApiError:
    return ApiError(409, "conflict", message)


# -- rencontres ------------------------------------------------------------------------------

def _local(event: Event | None, name: str) -> datetime | None:
    if event is None:
        return None
    return calendar.to_local(getattr(event, name)).replace(tzinfo=None)


def _event_input(data: dict[str, Any], event: Event | None) -> events.EventInput:
    """The organiser's input: the body's values, the stored ones for what it leaves out."""
    errors: list[FieldError] = []
    times: dict[str, datetime | None] = {}
    for name in ("starts_at", "ends_at"):
        times[name] = _local(event, name)
        if name in data:
            try:
                times[name] = paris_wall_time(data[name])
            except ValueError as error:
                errors.append(FieldError(name, str(error)))
    if errors:
        raise validation_failed(errors)
    starts, ends = times["starts_at"], times["ends_at"]
    assert starts is not None and ends is not None  # required on creation by the schema

    def value(name: str, default: Any) -> Any:
        return data[name] if name in data else (getattr(event, name) if event else default)

    capacity = value("capacity", None)
    return events.EventInput(
        title=value("title", ""), description=value("description", ""),
        starts_local=starts, ends_local=ends, venue_id=value("venue_id", None),
        capacity=None if capacity is None else int(capacity), rrule=value("rrule", ""),
        visibility=value("visibility", "community"))


def _event_refused(error: events.EventError) -> ApiError:
    db.session.rollback()
    if error.field is None:
        return _conflict(str(error))
    name = EVENT_FIELD_NAMES.get(error.field, error.field)
    return validation_failed([FieldError(name, str(error))])


def _staff_event(event_uuid: str) -> Event:
    account = require_staff()
    event = events.find_event(event_uuid, Viewer.for_account(account))
    if event is None:
        raise not_found()
    return event


@bp.post("/events")
@api_write_limit
def event_create() -> ResponseReturnValue:
    account = require_staff()
    data = read_json_body(schemas.EVENT_CREATE)
    try:
        event = events.create_event(_event_input(data, None), created_by=account)
    except events.EventError as error:
        raise _event_refused(error) from None
    db.session.commit()
    response = jsonify(event_resource(event, utcnow()))
    response.status_code = 201
    response.headers["Location"] = url_for("api.event_detail", event_uuid=event.uuid)
    return response


@bp.patch("/events/<event_uuid>")
@api_write_limit
def event_patch(event_uuid: str) -> ResponseReturnValue:
    event = _staff_event(event_uuid)
    data = read_json_body(schemas.EVENT_PATCH)
    try:
        change = events.update_event(event, _event_input(data, event))
    except events.EventError as error:
        raise _event_refused(error) from None
    db.session.commit()
    event_notices.after_update(change)
    return jsonify(event_resource(event, utcnow()))


@bp.post("/events/<event_uuid>/cancel")
@api_write_limit
def event_cancel(event_uuid: str) -> ResponseReturnValue:
    event = _staff_event(event_uuid)
    data = read_json_body(schemas.EVENT_CANCEL, optional=True)
    try:
        events.cancel_event(event)
    except events.EventError as error:
        raise _event_refused(error) from None
    db.session.commit()
    told = event_notices.tell_cancelled(event, data.get("message", ""))
    return jsonify({"event": event_resource(event, utcnow()), "notified": told})


# -- venues ----------------------------------------------------------------------------------

def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _venue_values(data: dict[str, Any], venue: Any) -> venues.VenueValues:
    def value(name: str, default: Any) -> Any:
        return data[name] if name in data else (getattr(venue, name) if venue else default)

    capacity = value("capacity", None)
    return venues.VenueValues(
        name=value("name", ""), address=value("address", ""),
        commune_code=value("commune_code", ""), latitude=_number(value("latitude", None)),
        longitude=_number(value("longitude", None)),
        capacity=None if capacity is None else int(capacity),
        accessibility=value("accessibility", ""))


def _save_venue(venue: Any, data: dict[str, Any]) -> Any:
    try:
        saved = venues.save_venue(venue, _venue_values(data, venue))
    except venues.VenueInvalid as error:
        db.session.rollback()
        raise validation_failed([FieldError(error.field, str(error))]) from None
    db.session.commit()
    return saved


@bp.post("/venues")
@api_write_limit
def venue_create() -> ResponseReturnValue:
    require_staff()
    venue = _save_venue(None, read_json_body(schemas.VENUE_CREATE))
    response = jsonify(venue_resource(venue))
    response.status_code = 201
    response.headers["Location"] = url_for("api.venue_detail", venue_ref=venue.id)
    return response


@bp.patch("/venues/<venue_ref>")
@api_write_limit
def venue_patch(venue_ref: str) -> ResponseReturnValue:
    require_staff()
    venue = venue_by_ref(venue_ref)
    if venue is None:
        raise not_found()
    return jsonify(venue_resource(_save_venue(venue, read_json_body(schemas.VENUE_PATCH))))


# -- the community ---------------------------------------------------------------------------

def _community_values(data: dict[str, Any], record: Any) -> community_settings.CommunityValues:
    """What the community form would pass, from the body and the stored record."""
    errors: list[FieldError] = []

    def value(name: str) -> Any:
        return data[name] if name in data else getattr(record, name)

    name = value("name").strip()
    if not name:
        errors.append(FieldError("name", _("Le nom est obligatoire.")))
    cleaned: dict[str, str] = {}
    for field, cleaner in (("contact_email", clean_email), ("contact_phone", clean_phone)):
        try:
            cleaned[field] = cleaner(data[field]) if field in data else getattr(record, field)
        except FieldInvalid as error:
            errors.append(FieldError(field, str(error)))
    if errors:
        raise validation_failed(errors)
    codes = [_commune_code(entry) for entry in value("communes") or []]
    return community_settings.CommunityValues(
        name=name, description=value("description").strip(),
        commune_codes=list(dict.fromkeys(codes)),
        contact_name=value("contact_name").strip(), contact_role=value("contact_role").strip(),
        contact_email=cleaned["contact_email"], contact_phone=cleaned["contact_phone"],
        signup_mode=SignupMode(value("signup_mode")))


def _commune_code(entry: str) -> str:
    """A code for a code or an exact name; anything else as sent, for the service to refuse."""
    commune = community_settings.resolve_commune(entry)
    return commune.code if commune is not None else " ".join(entry.split())


@bp.patch("/community")
@api_write_limit
def community_patch() -> ResponseReturnValue:
    require_admin()
    data = read_json_body(schemas.COMMUNITY_PATCH)
    record = current_community()
    if record is None:
        raise not_found()
    try:
        community_settings.update_community(record, _community_values(data, record))
    except community_settings.SettingsInvalid as error:
        db.session.rollback()
        raise validation_failed([FieldError(error.field, str(error))]) from None
    db.session.commit()
    return jsonify(community_resource(record, venues.list_venues(include_archived=False)))
