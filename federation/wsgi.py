"""What a WSGI server hands an app, turned into what `verify_signed_request` needs.

Both apps (node and directory) must rebuild the request target from the raw request
line, not from a framework's decoded and normalised path: a signature covers the exact
bytes the sender put on the wire (`%2F` stays `%2F`, an empty `?` stays). This module
reads the plain WSGI environ so it stays framework-free.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

#: Request-line targets as WSGI servers expose them: gunicorn RAW_URI, waitress and
#: werkzeug REQUEST_URI.
_RAW_TARGET_KEYS = ("RAW_URI", "REQUEST_URI")


def request_target(environ: Mapping[str, Any]) -> str:
    """The path + query as received (origin-form), with a faithful fallback.

    Without a raw request line (some test clients), the target is re-encoded from
    PATH_INFO and QUERY_STRING, which is exact for the ASCII paths the protocol uses.
    """
    for key in _RAW_TARGET_KEYS:
        raw = environ.get(key)
        if isinstance(raw, str) and raw:
            return raw
    path = urllib.parse.quote(
        (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1"),
        safe="/:@!$&'()*+,;=-._~")
    query = environ.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


def request_headers(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Header field lines from a WSGI environ (CONTENT_TYPE/LENGTH included)."""
    lines: list[tuple[str, str]] = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            lines.append((key[5:].replace("_", "-").title(), str(value)))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            lines.append((key.replace("_", "-").title(), str(value)))
    return lines
