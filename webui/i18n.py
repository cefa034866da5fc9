"""Language choice: French first, English too.

The visitor's explicit choice (``?lang=en``, kept in the session) wins, then the languages an
OpenID Connect authorization request names (``ui_locales``: the site that sent the member
here asks for its own language; for that request only), then the choice kept in the
session, then the browser's Accept-Language, then French. Source strings are written in
French; the English catalogue translates them, so a string nobody translated yet still reads
correctly in French.
"""

from __future__ import annotations

from flask import Flask, has_request_context, request, session
from flask_babel import Babel, get_locale

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

babel = Babel()


def select_locale() -> str:
    """The language this request is rendered in (French outside a request, e.g. the CLI)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    wanted = ui_locale(request.args.get("ui_locales", ""))
    if wanted is not None:
        return wanted
    kept = session.get("lang")
    if kept in LANGUAGES:
        return str(kept)
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def ui_locale(tags: str) -> str | None:
    """The first language we speak in an OpenID Connect ``ui_locales`` value: BCP 47 tags
    separated by spaces, preferred first (``fr-FR en`` → ``fr``)."""
    for tag in tags[:200].split()[:10]:
        language = tag.split("-")[0].lower()
        if language in LANGUAGES:
            return language
    return None


def current_language() -> str:
    """Two-letter code of the language in use, for ``<html lang>`` and links."""
    return str(get_locale() or DEFAULT_LANGUAGE)


def init_i18n(app: Flask, translations_dir: str) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Paris")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = translations_dir
    app.config.setdefault("WTF_I18N_ENABLED", True)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(current_language=current_language, LANGUAGES=LANGUAGES)
