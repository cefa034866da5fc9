"""Keep one-time tokens out of the logs.

Invitation and password-reset links carry their token in the URL path, and the request log
writes every path. This filter rewrites those paths before any handler sees the record.
"""

from __future__ import annotations

import logging
import re

TOKEN_PATH = re.compile(r"(/(?:invitation|mot-de-passe)/)(?!oubli\b)[^/\s?\"']+")
REDACTED = r"\1[jeton masqué]"
LOGGERS = ("chaleur.request", "werkzeug")


class TokenRedaction(logging.Filter):
    """Replace the token segment of invitation and reset paths in a record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = TOKEN_PATH.sub(REDACTED, message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def install_token_redaction() -> None:
    """Attach the filter once to the loggers that write request paths."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenRedaction) for f in logger.filters):
            logger.addFilter(TokenRedaction())
