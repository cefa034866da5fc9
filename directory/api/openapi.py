"""The OpenAPI 3.1 description of ``/api/v1``, kept next to the views it describes."""

from __future__ import annotations

from typing import Any


def _param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}


_TEXT = {"type": "string", "maxLength": 200}
_PAGE = _param("page", "Page number (1-based).", {"type": "integer", "minimum": 1,
                                                   "maximum": 1000, "default": 1})
_TERRITORY = _param("territory", "Node id of one territory.", _TEXT)
_INSEE = {"type": "string", "pattern": "^[0-9][0-9AB][0-9]{3}$"}

_PAGED: dict[str, Any] = {
    "type": "object",
    "required": ["total", "page", "pages", "page_size", "items"],
    "properties": {"total": {"type": "integer"}, "page": {"type": "integer"},
                   "pages": {"type": "integer"}, "page_size": {"type": "integer"},
                   "items": {"type": "array", "items": {"type": "object"}}},
}
_ERRORS = {
    "description": "Invalid parameters.",
    "content": {"application/json": {"schema": {
        "type": "object", "required": ["error", "message", "errors"],
        "properties": {
            "error": {"type": "string"}, "message": {"type": "string"},
            "errors": {"type": "array", "items": {
                "type": "object", "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}}}}},
}


def _get(summary: str, parameters: list[dict[str, Any]], schema: dict[str, Any]
         ) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": parameters, "responses": {
        "200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
        "400": _ERRORS}}}


def openapi_document(public_url: str) -> dict[str, Any]:
    """The document served at ``/api/v1/openapi.json``."""
    facets = {"type": "object", "additionalProperties": {"type": "array", "items": {
        "type": "object", "properties": {"value": {"type": "string"},
                                         "label": {"type": "string"},
                                         "count": {"type": "integer"}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Chaleur — annuaire du Pays", "version": "1.0.0",
                 "description": "Read-only access to what village nodes share with the Pays "
                                "directory. Records of suspended nodes are never returned."},
        "servers": [{"url": f"{public_url}/api/v1"}],
        "paths": {
            "/search": _get("Search people", [
                _param("q", "Words (accent-insensitive, prefix and French stem).", _TEXT),
                _param("trade", "Exact trade (accent- and case-insensitive).", _TEXT),
                _param("skill", "Exact skill.", _TEXT),
                _param("commune", "INSEE code of the member's commune.", _INSEE),
                _TERRITORY,
                _param("near", "Commune to measure distance from: its INSEE code or its name "
                       "(accents, hyphens and « St » ignored; an ambiguous or unknown name "
                       "is a 400 naming the candidates).", {"type": "string", "maxLength": 200}),
                _param("km", "Radius around `near`, in km (default 15).",
                       {"type": "number", "exclusiveMinimum": 0, "maximum": 200}),
                _PAGE], {**_PAGED, "properties": {**_PAGED["properties"], "facets": facets}}),
            "/listings": _get("Offers and needs", [
                _param("q", "Words.", _TEXT),
                _param("kind", "offer or need.", {"type": "string", "enum": ["offer", "need"]}),
                _TERRITORY, _PAGE], _PAGED),
            "/events": _get("Upcoming rencontres", [_TERRITORY, _PAGE], _PAGED),
            "/territories": _get("Admitted territories with contact and health", [], {
                "type": "object", "properties": {"items": {"type": "array",
                                                           "items": {"type": "object"}}}}),
            "/statistics": _get("Counts per territory, trade, skill and month", [], {
                "type": "object", "additionalProperties": {"type": "array", "items": {
                    "type": "object", "properties": {"label": {"type": "string"},
                                                     "count": {"type": "integer"}}}}}),
        },
    }
