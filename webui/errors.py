"""Error answers: a friendly French page for people, a JSON body for programs.

No error ever shows a traceback; a 500 is logged on the server with its request id only.
Error pages keep the site's own layout (its menu), so a visitor on a wrong address is one
click from anywhere. A form sent with an expired or missing CSRF token (the page stayed open
too long, the session cookie was lost) is shown again with what the person typed, a fresh
token and a French message (:func:`expired_form`), never « The CSRF token is missing ».
"""

from __future__ import annotations

from flask import Flask, flash, g, jsonify, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

BASE_LAYOUT = "webui/base.html"

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


def expired_form_message() -> str:
    return str(_("Votre session a expiré (la page est peut-être restée ouverte longtemps) : "
                 "ce que vous avez saisi est conservé, vérifiez-le puis envoyez à nouveau."))


def form_expired() -> bool:
    """True while a form refused for its CSRF token is shown again (the base form then
    refuses to validate, so the view re-renders it instead of acting)."""
    return bool(g.get("form_expired"))


def _withdraw_flash(message: str) -> None:
    flashes = session.get("_flashes") or []
    if flashes and flashes[-1] == ("error", message):
        session["_flashes"] = flashes[:-1]


def _error_page(app: Flask, layout: str, status: int, title: str,
                description: str | None) -> str:
    """The error page in the site's layout; in the bare one if the layout itself fails
    (a 500 from the database must still answer)."""
    try:
        return render_template("webui/error.html", layout=layout, status=status, title=title,
                               description=description)
    except Exception:
        if layout == BASE_LAYOUT:
            raise
        app.logger.exception("error page layout %s failed", layout)
        return render_template("webui/error.html", layout=BASE_LAYOUT, status=status,
                               title=title, description=description)


def register_error_pages(app: Flask, layout: str = BASE_LAYOUT) -> None:
    """Error pages in ``layout`` (the site's own, with its menu)."""

    @app.errorhandler(CSRFError)
    def expired_form(error: CSRFError) -> ResponseReturnValue:
        """The page of the form, shown again by the view that answers its URL by GET, with
        what was typed (a form built while the request is a POST reads the posted fields).
        A GET view never acts; one that handles both methods acts only on a valid form, and
        the base form refuses to validate meanwhile. A button to a POST-only URL gets the
        French error page."""
        if wants_json() or request.method != "POST":
            return http_error(error)
        adapter = app.create_url_adapter(request)
        try:
            endpoint, args = adapter.match(method="GET") if adapter else ("", {})
        except HTTPException:
            return http_error(error)
        if endpoint not in app.view_functions:
            return http_error(error)
        g.form_expired = True
        message = expired_form_message()
        flash(message, "error")  # before the page is drawn: its layout shows the flashes
        try:
            response = app.make_response(
                app.ensure_sync(app.view_functions[endpoint])(**args))
        except HTTPException:  # that page is not for this visitor (any more)
            response = None
        if response is None or 300 <= response.status_code < 400:
            _withdraw_flash(message)  # nothing shown again: the error page says it
            return http_error(error)
        response.status_code = 400
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        title = _titles().get(status, error.name)
        if wants_json():
            code = error.name.lower().replace(" ", "_")
            response = error_response(status, code, error.description or title)
        else:
            description = expired_form_message() if isinstance(error, CSRFError) \
                else _page_description(error, status)
            response = app.make_response(
                (_error_page(app, layout, status, title, description), status))
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
