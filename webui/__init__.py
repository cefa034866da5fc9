"""The shared look of every Chaleur site: layout, form macros, stylesheet, languages, headers.

The village node and the Pays directory both call :func:`init_app`, so a member moving from
their village's pages to the Pays site sees the same type, colours, forms and language switch.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from webui.bandwidth import init_bandwidth
from webui.errors import register_error_pages
from webui.i18n import babel, init_i18n
from webui.security import init_security_headers
from webui.unsafe_text import refuse_unsafe_query
from webui.views import bp

TRANSLATIONS_DIR = str(Path(__file__).parent / "translations")

__all__ = ["babel", "init_app", "TRANSLATIONS_DIR"]


def init_app(app: Flask, layout: str = "webui/base.html") -> None:
    """Attach the shared layout, static files, i18n, error pages (in the site's ``layout``,
    menu included), security headers, the refusal of invisible control characters in query
    strings, and light answers (compression, validators, versioned static files:
    :mod:`webui.bandwidth`)."""
    app.register_blueprint(bp)
    init_i18n(app, TRANSLATIONS_DIR)
    init_security_headers(app)
    register_error_pages(app, layout)
    refuse_unsafe_query(app)
    init_bandwidth(app)
