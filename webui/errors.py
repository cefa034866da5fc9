"""Error answers: a friendly French page for people, a JSON body for programs.

No error ever shows a traceback; a 500 is logged on the server with its request id only.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

JSON_PREFIXES = ("/api/", "/federation/", "/.well-known/", "/ap/", "/nodeinfo/")


def wants_json() -> bool:
    """True for API and federation paths, or when the client asks for JSON only."""
    if request.path.startswith(JSON_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


def error_response(status: int, code: str, message: str) -> ResponseReturnValue:
    """The one JSON error shape: ``{"error": code, "message": text}``."""
    response = jsonify(error=code, message=message)
    response.status_code = status
    return response


def _titles() -> dict[int, str]:
    return {
        400: _("Demande incorrecte"),
        401: _("Connexion nécessaire"),
        403: _("Accès refusé"),
        404: _("Page introuvable"),
        405: _("Méthode non autorisée"),
        413: _("Envoi trop volumineux"),
        422: _("Données invalides"),
        429: _("Trop de tentatives"),
        500: _("Erreur du serveur"),
    }


def _explanations() -> dict[int, str]:
    """What to do next, in French: shown instead of the framework's English default text."""
    return {
        400: _("La demande n'a pas pu être comprise. Revenez en arrière et réessayez."),
        403: _("Cette page est réservée à d'autres personnes que vous."),
        404: _("Aucune page ne se trouve à cette adresse : le lien est peut-être ancien, ou "
               "la page a été retirée."),
        405: _("Cette adresse ne s'ouvre pas ainsi : revenez en arrière et utilisez le "
               "formulaire de la page."),
        413: _("Le fichier envoyé est trop volumineux."),
        500: _("Une erreur inattendue s'est produite. Réessayez dans un moment."),
    }


def _page_description(error: HTTPException, status: int) -> str | None:
    """A message written for people by our code, else a French explanation of the status.

    Werkzeug's default descriptions are English sentences that would sit on a French page.
    """
    if error.description and error.description != type(error).description:
        return str(error.description)
    return _explanations().get(status)


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        title = _titles().get(status, error.name)
        if wants_json():
            code = error.name.lower().replace(" ", "_")
            response = error_response(status, code, error.description or title)
        else:
            response = app.make_response(
                (render_template("webui/error.html", status=status, title=title,
                                 description=_page_description(error, status)), status)
            )
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value  # type: ignore[union-attr]
        if error.response is not None and "Retry-After" in error.response.headers:
            response.headers["Retry-After"] = error.response.headers["Retry-After"]  # type: ignore[union-attr]
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> ResponseReturnValue:
        app.logger.exception("unexpected error on %s %s", request.method, request.path)
        return http_error(InternalServerError())
