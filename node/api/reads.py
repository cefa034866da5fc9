"""Reads: the community, its rencontres, venues and members, as the caller may see them.

Without a token the caller is an anonymous visitor: public rencontres, public members' public
fields only. With a token, the token owner's view (an admin sees what the admin pages show).
"""

from __future__ import annotations

from datetime import datetime

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from node.api import bp
from node.api.auth import api_viewer, token_account
from node.api.bodies import parse_datetime
from node.api.errors import bad_request, not_found
from node.api.resources import (
    community_resource,
    event_resource,
    member_resource,
    occurrence_resource,
    page_resource,
    venue_resource,
    with_commune_name,
)
from node.extensions import db
from node.models import Venue, utcnow
from node.services import calendar, directory_search, events, members, venues
from node.services.community import current_community

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_WINDOW = calendar.SERIES_HORIZON


def _int_param(name: str, default: int, minimum: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or not (
            minimum <= int(raw) <= maximum):
        raise bad_request("invalid_parameter", _("« %(name)s » : nombre entier entre %(min)s "
                                                 "et %(max)s.", name=name, min=minimum,
                                                 max=maximum))
    return int(raw)


def _paging() -> tuple[int, int]:
    """``page`` (from 1) and ``per_page`` (at most 100; ``limit`` is accepted as its alias)."""
    size_name = "limit" if "limit" in request.args and "per_page" not in request.args \
        else "per_page"
    per_page = _int_param(size_name, DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    return _int_param("page", 1, 1, 10**6), per_page


def _datetime_param(name: str, default: datetime, *, end: bool = False) -> datetime:
    raw = request.args.get(name)
    if not raw:
        return default
    try:
        return parse_datetime(raw, date_only_end=end)
    except ValueError as error:
        raise bad_request("invalid_parameter", f"« {name} » : {error}") from None


def _is_staff() -> bool:
    account = token_account()
    return account is not None and account.is_staff


@bp.get("/community")
def community() -> ResponseReturnValue:
    api_viewer()  # a bad token is refused here too
    record = current_community()
    if record is None:
        raise not_found()
    return jsonify(community_resource(record, venues.list_venues(include_archived=False)))


@bp.get("/events")
def event_list() -> ResponseReturnValue:
    """Occurrences between ``from`` (default now) and ``to`` (default two years later)."""
    viewer = api_viewer()
    start = _datetime_param("from", utcnow())
    finish = _datetime_param("to", start + MAX_WINDOW, end=True)
    if finish <= start or finish - start > MAX_WINDOW:
        raise bad_request("invalid_parameter", _("« to » doit suivre « from », de deux ans au "
                                                 "plus."))
    page, per_page = _paging()
    found = [item for event in events.calendar_events(viewer, now=start)
             for item in events.occurrences(event, start, finish)]
    found.sort(key=lambda item: (item.starts_at, item.event.id))
    return jsonify(page_resource(found, page, per_page, occurrence_resource))


@bp.get("/events/<event_uuid>")
def event_detail(event_uuid: str) -> ResponseReturnValue:
    event = events.find_event(event_uuid, api_viewer())
    if event is None:
        raise not_found()
    return jsonify(event_resource(event, utcnow()))


@bp.get("/venues")
def venue_list() -> ResponseReturnValue:
    """Venues in use; staff tokens also see archived ones."""
    api_viewer()
    page, per_page = _paging()
    rows = venues.list_venues(include_archived=_is_staff())
    return jsonify(page_resource(rows, page, per_page, venue_resource))


def venue_by_ref(ref: str) -> Venue | None:
    """A venue by numeric id (as the admin pages use) or by UUID (as the network does)."""
    if ref.isascii() and ref.isdigit() and len(ref) <= 9:
        return db.session.get(Venue, int(ref))
    found: Venue | None = db.session.scalars(db.select(Venue).where(Venue.uuid == ref)).first()
    return found


@bp.get("/venues/<venue_ref>")
def venue_detail(venue_ref: str) -> ResponseReturnValue:
    api_viewer()
    venue = venue_by_ref(venue_ref)
    if venue is None or (venue.archived and not _is_staff()):
        raise not_found()
    return jsonify(venue_resource(venue))


@bp.get("/members")
def member_list() -> ResponseReturnValue:
    """Members listed for the caller, filtered like the directory (q, commune, skill)."""
    viewer = api_viewer()
    page, per_page = _paging()
    query = directory_search.DirectoryQuery(q=request.args.get("q", "")[:200],
                                            commune=request.args.get("commune", "")[:10],
                                            skill=request.args.get("skill", "")[:100])
    profiles = [profile for profile in directory_search.listed_profiles(viewer)
                if directory_search.matches(profile, query)]
    return jsonify(page_resource(profiles, page, per_page, _rendered_profile))


def _rendered_profile(profile: dict[str, object]) -> dict[str, object]:
    rendered = with_commune_name(dict(profile))
    assert rendered is not None
    return rendered


@bp.get("/members/<member_uuid>")
def member_detail(member_uuid: str) -> ResponseReturnValue:
    viewer = api_viewer()
    member = members.member_by_uuid(member_uuid)
    profile = member_resource(viewer, member) if member is not None else None
    if profile is None:
        raise not_found()
    return jsonify(profile)

