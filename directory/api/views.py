"""JSON endpoints: same parameters and services as the site; 400 with field errors, never 500."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from directory.api import bp
from directory.api.openapi import openapi_document
from directory.services import agenda, overview, params, search
from directory.services.params import FieldError

SEARCH_PARAMS = ("q", "trade", "skill", "commune", "territory", "near", "km", "page")
LISTING_PARAMS = ("q", "kind", "territory", "page")
EVENT_PARAMS = ("territory", "page")


def _invalid(errors: Sequence[FieldError]) -> ResponseReturnValue:
    response = jsonify(error="invalid_parameters",
                       message=_("Paramètres invalides."),
                       errors=[error.as_dict() for error in errors])
    response.status_code = 400
    return response


def _page(results: search.Page) -> dict[str, Any]:
    return {"total": results.total, "page": results.page, "pages": results.pages,
            "page_size": results.page_size, "items": [_plain(i) for i in results.items]}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in item.items() if key != "peer"}


def _size() -> int:
    return int(current_app.config["PAGE_SIZE"])


@bp.get("/search")
def search_people() -> ResponseReturnValue:
    query, errors = params.people_query(request.args)
    errors += params.unknown_parameters(request.args, SEARCH_PARAMS)
    if errors:
        return _invalid(errors)
    results = search.search_people(query, _size())
    body = _page(results)
    body["facets"] = {name: [{"value": f.value, "label": f.label, "count": f.count}
                             for f in facets] for name, facets in results.facets.items()}
    return jsonify(body)


@bp.get("/listings")
def listings() -> ResponseReturnValue:
    query, errors = params.listing_query(request.args)
    errors += params.unknown_parameters(request.args, LISTING_PARAMS)
    if errors:
        return _invalid(errors)
    return jsonify(_page(search.search_listings(query, _size())))


@bp.get("/events")
def events() -> ResponseReturnValue:
    query, errors = params.event_query(request.args)
    errors += params.unknown_parameters(request.args, EVENT_PARAMS)
    if errors:
        return _invalid(errors)
    return jsonify(_page(agenda.upcoming_events(query, _size())))


@bp.get("/territories")
def territories() -> ResponseReturnValue:
    errors = params.unknown_parameters(request.args, ())
    if errors:
        return _invalid(errors)
    return jsonify(items=[_plain(t) for t in overview.territories()])


@bp.get("/statistics")
def statistics() -> ResponseReturnValue:
    errors = params.unknown_parameters(request.args, ())
    if errors:
        return _invalid(errors)
    tables = overview.statistics()
    return jsonify({name: [{"label": label, "count": count} for label, count in rows]
                    for name, rows in tables.items()})


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(openapi_document(current_app.config["PUBLIC_URL"]))
