"""The API's one error shape: ``{"error": code, "message": text}`` (+ ``fields`` on 422).

Every refusal raised inside an API view ends here, HTTP errors included (413 body too large,
429 rate limit), so a program never has to parse an HTML page or guess a format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from node.api import bp

# Bodies of API writes are small (an event's description is 5 000 characters at most): a
# tighter limit than the node-wide MAX_CONTENT_LENGTH keeps a flood of JSON off the parser.
API_MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class FieldError:
    """One refused field of a request body: its name and a French reason."""

    field: str
    message: str


@dataclass
class ApiError(Exception):
    """A refusal with its HTTP status, a stable code for programs and a message for people."""

    status: int
    code: str
    message: str
    fields: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


def validation_failed(fields: list[FieldError]) -> ApiError:
    return ApiError(422, "validation_failed",
                    _("Les données envoyées sont invalides : voir « fields »."), fields)


def bad_request(code: str, message: str) -> ApiError:
    return ApiError(400, code, message)


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("Aucune ressource à cette adresse."))


@bp.before_request
def limit_body_size() -> None:
    request.max_content_length = min(API_MAX_BODY,
                                     current_app.config.get("MAX_CONTENT_LENGTH") or API_MAX_BODY)


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> ResponseReturnValue:
    body: dict[str, object] = {"error": error.code, "message": error.message}
    if error.fields:
        body["fields"] = [{"field": item.field, "message": item.message}
                          for item in error.fields]
    response = jsonify(body)
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


def _http_messages() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad_request", _("Demande incorrecte.")),
        404: ("not_found", _("Aucune ressource à cette adresse.")),
        405: ("method_not_allowed", _("Méthode non autorisée sur cette adresse.")),
        413: ("payload_too_large",
              _("Corps de requête trop volumineux (%(n)s octets au plus).", n=API_MAX_BODY)),
        429: ("rate_limited", _("Trop de requêtes : réessayez un peu plus tard.")),
    }


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    code, message = _http_messages().get(
        status, (error.name.lower().replace(" ", "_"), error.description or error.name))
    if error.description and error.description != type(error).description:
        message = str(error.description)  # a reason our code wrote (e.g. webui.unsafe_text)
    response = api_error(ApiError(status, code, message))
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value  # type: ignore[union-attr]
    if error.response is not None and "Retry-After" in error.response.headers:
        response.headers["Retry-After"] = error.response.headers["Retry-After"]  # type: ignore[union-attr]
    return response
