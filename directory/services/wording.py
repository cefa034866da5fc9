"""Messages raised by services, which run in requests, CLI commands and federation jobs."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_babel import gettext


def _(message: str, **values: Any) -> str:
    """Translated while serving a request; the French source text elsewhere (CLI, jobs).

    Named ``_`` so the catalogue extraction picks the strings up like any other.
    """
    if has_request_context():
        return str(gettext(message, **values))
    return message % values if values else message
