"""The OpenAPI 3.1 document of /api/v1, built from the schemas the views enforce.

Served at ``/api/v1/openapi.json``. A test checks it against the OpenAPI 3.1 meta-schema and
that every API route of the app is described here, and nothing else.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue

from node.api import bp, schemas
from node.api.errors import API_MAX_BODY

JSON = "application/json"

DESCRIPTION = f"""\
The JSON API of one Chaleur node (a village tiers-lieu): its community, rencontres (events),
venues, members, and the decisions the community takes (options and results; never who
answered an anonymous decision).

**Reading** needs no token: answers hold what an anonymous visitor may see (public rencontres,
public members' public fields). With a token, answers hold what the token's owner sees.

**Writing** needs `Authorization: Bearer <token>`. An admin creates tokens on the node's page
/admin/jetons; the token is shown once, the node keeps only its SHA-256. Admins and animators
may manage rencontres and venues; only admins may change the community. A missing, unknown or
revoked token is a 401 with `WWW-Authenticate: Bearer`; a token whose account is disabled or
lacks the role is a 403. Writes share a rate limit per client (429 when exceeded).

**Dates and times** are ISO 8601. Answers carry the Europe/Paris offset
(2026-03-05T18:30:00+01:00). Inputs with an offset (or `Z`) are converted; inputs without
one (2026-03-05T18:30) are read as Europe/Paris wall-clock time, and a time that the spring
clock change skips is refused.

**Errors** always have the shape `{{"error": code, "message": text}}` (messages in French).
Invalid field values are a 422 `validation_failed` with `fields: [{{"field", "message"}}]`;
a body that is not a JSON object, has unknown keys, non-finite numbers or text no database can
hold is a 400 with a reason. Bodies are limited to {API_MAX_BODY} bytes (413).

**Lists** are paginated: `page` (from 1) and `per_page` (1-100, default 20), with `total`,
`pages` and `links` (self, first, last, prev, next).
"""


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _json(schema_name: str) -> dict[str, Any]:
    return {JSON: {"schema": _ref("schemas", schema_name)}}


def _answer(description: str, schema_name: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": _json(schema_name), **extra}


def _error(description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": _json("Error"), **extra}


ERROR_RESPONSES = {
    "BadRequest": _error("Malformed request: bad parameter, not a JSON object, unknown keys."),
    "Unauthorized": _error("Missing, unknown or revoked token.", headers={
        "WWW-Authenticate": {"description": "Bearer challenge.",
                             "schema": {"type": "string"}}}),
    "Forbidden": _error("The token's account is disabled or lacks the role."),
    "NotFound": _error("No such resource, or not visible to the caller."),
    "Conflict": _error("The record's state refuses the change (e.g. a cancelled rencontre)."),
    "PayloadTooLarge": _error("Body larger than the limit."),
    "ValidationFailed": _error("Field values refused; `fields` lists each one."),
    "RateLimited": _error("Too many writes; retry later.", headers={
        "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}),
}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}


def _path(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string"}}


PARAMETERS = {
    "page": _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1}),
    "per_page": _query("per_page", "Items per page (default 20).",
                       {"type": "integer", "minimum": 1, "maximum": 100}),
    "limit": _query("limit", "Alias of per_page.",
                    {"type": "integer", "minimum": 1, "maximum": 100}),
    "from": _query("from", "Start of the window (default: now). ISO 8601; a bare date is the "
                   "start of that Paris day; without offset, Europe/Paris.",
                   {"type": "string"}),
    "to": _query("to", "End of the window (default and maximum: two years after `from`). A "
                 "bare date includes that whole Paris day.", {"type": "string"}),
    "q": _query("q", "Words to find in name, trade, business name, skills, offers and needs "
                "(accents and case ignored); only in fields the caller may see.",
                {"type": "string"}),
    "commune": _query("commune", "INSEE code of the member's commune.", {"type": "string"}),
    "skill": _query("skill", "One skill tag.", {"type": "string"}),
    "event_uuid": _path("event_uuid", "The rencontre's UUID."),
    "venue_ref": _path("venue_ref", "The venue's numeric id or its UUID."),
    "member_uuid": _path("member_uuid", "The member's UUID."),
    "decision_uuid": _path("decision_uuid", "The decision's UUID."),
    "state": _query("state", "open or closed.", {"type": "string", "enum": ["open", "closed"]}),
}

READ_SECURITY: list[dict[str, list[str]]] = [{}, {"bearerToken": []}]
WRITE_SECURITY: list[dict[str, list[str]]] = [{"bearerToken": []}]


def _operation(operation_id: str, summary: str, ok: dict[str, Any], *, tag: str,
               parameters: tuple[str, ...] = (), body: str | None = None,
               write: bool = False, errors: tuple[str, ...] = ()) -> dict[str, Any]:
    responses: dict[str, Any] = dict(ok)
    wanted = ["BadRequest", "Unauthorized", "Forbidden", *errors]
    if write:
        wanted += ["PayloadTooLarge", "RateLimited"]
    codes = {"BadRequest": "400", "Unauthorized": "401", "Forbidden": "403",
             "NotFound": "404", "Conflict": "409", "PayloadTooLarge": "413",
             "ValidationFailed": "422", "RateLimited": "429"}
    for name in wanted:
        responses[codes[name]] = _ref("responses", name)
    operation: dict[str, Any] = {
        "operationId": operation_id, "summary": summary, "tags": [tag],
        "security": WRITE_SECURITY if write else READ_SECURITY,
        "parameters": [_ref("parameters", name) for name in parameters],
        "responses": dict(sorted(responses.items())),
    }
    if body is not None:
        operation["requestBody"] = {"required": body != "EventCancel", "content": _json(body)}
    return operation


PAGING = ("page", "per_page", "limit")


def _paths() -> dict[str, Any]:
    return {
        "/openapi.json": {"get": {
            "operationId": "getOpenApi", "summary": "This document.", "tags": ["meta"],
            "security": READ_SECURITY,
            "responses": {"200": {"description": "OpenAPI 3.1 document.",
                                  "content": {JSON: {"schema": {"type": "object"}}}}}}},
        "/community": {
            "get": _operation("getCommunity", "The community: communes, contact, venues.",
                              {"200": _answer("The community.", "Community")},
                              tag="community", errors=("NotFound",)),
            "patch": _operation("patchCommunity", "Change the community (admins only).",
                                {"200": _answer("The community, changed.", "Community")},
                                tag="community", body="CommunityPatch", write=True,
                                errors=("NotFound", "ValidationFailed")),
        },
        "/events": {
            "get": _operation("listEvents", "Occurrences of rencontres in a time window, "
                              "soonest first (cancelled ones flagged).",
                              {"200": _answer("A page of occurrences.", "OccurrencePage")},
                              tag="events", parameters=("from", "to", *PAGING)),
            "post": _operation("createEvent", "Create a rencontre (staff).",
                               {"201": _answer("The new rencontre.", "Event", headers={
                                   "Location": {"description": "Its API address.",
                                                "schema": {"type": "string"}}})},
                               tag="events", body="EventCreate", write=True,
                               errors=("ValidationFailed",)),
        },
        "/events/{event_uuid}": {
            "get": _operation("getEvent", "One rencontre and its next occurrences.",
                              {"200": _answer("The rencontre.", "Event")}, tag="events",
                              parameters=("event_uuid",), errors=("NotFound",)),
            "patch": _operation("patchEvent", "Change a rencontre (staff); omitted fields keep "
                                "their value. Answers move with a changed start time.",
                                {"200": _answer("The rencontre, changed.", "Event")},
                                tag="events", parameters=("event_uuid",), body="EventPatch",
                                write=True, errors=("NotFound", "Conflict",
                                                    "ValidationFailed")),
        },
        "/events/{event_uuid}/cancel": {
            "post": _operation("cancelEvent", "Cancel a rencontre (staff) and e-mail everyone "
                               "who planned to come, with the optional `message`. The body "
                               "may be empty.",
                               {"200": _answer("The cancelled rencontre and how many people "
                                               "were told.", "EventCancelled")},
                               tag="events", parameters=("event_uuid",), body="EventCancel",
                               write=True, errors=("NotFound", "Conflict",
                                                   "ValidationFailed")),
        },
        "/venues": {
            "get": _operation("listVenues", "Venues in use (staff tokens: archived ones too).",
                              {"200": _answer("A page of venues.", "VenuePage")},
                              tag="venues", parameters=PAGING),
            "post": _operation("createVenue", "Add a venue (staff). Without coordinates it is "
                               "placed at its commune's centre.",
                               {"201": _answer("The new venue.", "Venue", headers={
                                   "Location": {"description": "Its API address.",
                                                "schema": {"type": "string"}}})},
                               tag="venues", body="VenueCreate", write=True,
                               errors=("ValidationFailed",)),
        },
        "/venues/{venue_ref}": {
            "get": _operation("getVenue", "One venue.", {"200": _answer("The venue.", "Venue")},
                              tag="venues", parameters=("venue_ref",), errors=("NotFound",)),
            "patch": _operation("patchVenue", "Change a venue (staff); omitted fields keep "
                                "their value.",
                                {"200": _answer("The venue, changed.", "Venue")},
                                tag="venues", parameters=("venue_ref",), body="VenuePatch",
                                write=True, errors=("NotFound", "ValidationFailed")),
        },
        "/members": {
            "get": _operation("listMembers", "Members listed for the caller, by name.",
                              {"200": _answer("A page of members.", "MemberPage")},
                              tag="members", parameters=("q", "commune", "skill", *PAGING)),
        },
        "/decisions": {
            "get": _operation("listDecisions", "Decisions with their options and results "
                              "(without a token: those shared with the network).",
                              {"200": _answer("A page of decisions.", "DecisionPage")},
                              tag="decisions", parameters=("state", *PAGING)),
        },
        "/decisions/{decision_uuid}": {
            "get": _operation("getDecision", "One decision, its options and results (results "
                              "are null while they are shown only after the close).",
                              {"200": _answer("The decision.", "Decision")}, tag="decisions",
                              parameters=("decision_uuid",), errors=("NotFound",)),
        },
        "/members/{member_uuid}": {
            "get": _operation("getMember", "What the caller may see of one member.",
                              {"200": _answer("The member.", "Member")}, tag="members",
                              parameters=("member_uuid",), errors=("NotFound",)),
        },
    }


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document (paths relative to the server URL /api/v1)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Chaleur — API d'un nœud", "version": "1.0.0",
                 "description": DESCRIPTION,
                 "license": {"name": "AGPL-3.0-or-later",
                             "identifier": "AGPL-3.0-or-later"}},
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": "/api/v1"}],
        "tags": [{"name": name} for name in ("community", "events", "venues", "members",
                                             "decisions", "meta")],
        "paths": _paths(),
        "components": {
            "schemas": schemas.COMPONENTS,
            "responses": ERROR_RESPONSES,
            "parameters": PARAMETERS,
            "securitySchemes": {"bearerToken": {
                "type": "http", "scheme": "bearer",
                "description": "A token created by an admin on /admin/jetons."}},
        },
    }


@bp.get("/openapi.json")
def openapi_document() -> ResponseReturnValue:
    return jsonify(document())
