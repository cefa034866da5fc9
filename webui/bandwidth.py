"""Light pages for slow rural lines: compressed answers, validators and 304s, cached assets.

Both apps call :func:`init_bandwidth` from :func:`webui.init_app`:

* **Compression**: HTML, feeds, JSON, CSV, SVG and CSS leave gzip-compressed when the
  browser accepts it (``Vary: Accept-Encoding``). The Pays home page, whose map is drawn
  inline, goes from 161 KB to about 55 KB on the wire. The standard library's gzip rather
  than Flask-Compress: measured with ``scripts/bench-node``, Flask-Compress (which loads
  Brotli and Zstandard) took the node's idle memory over its 80 MB target, for pages only
  4 % smaller with Brotli at a speed fit for every request (see docs/architecture.md).
* **Validators**: every page, feed and API answer gets a strong ``ETag`` (a hash of its
  body) and ``Cache-Control: no-cache``, so a browser asks again each time but a page that
  did not change comes back as an empty ``304 Not Modified``. A compressed body has its own
  ETag (``…:gzip``), checked after compression, so both forms revalidate.
* **What may be shared**: an answer is ``private`` (no proxy or shared cache may keep it)
  as soon as it could depend on who asks: the request carries a cookie or an
  ``Authorization`` header, the session was written (a CSRF token, a flash message, the
  language chosen), or the answer sets a cookie. Only what an anonymous visitor with no
  cookie gets may be stored by a shared cache, keyed on ``Accept-Language`` and ``Cookie``.
  Answers that already say ``no-store`` (CSV exports, API tokens, personal data export)
  keep it and get no validator. Signed federation answers are left exactly as signed.
* **Versioned static files**: ``url_for('webui.static', ...)`` adds ``?v=<hash of the file>``;
  a request carrying the current hash is cached for a year (``immutable``). A new stylesheet
  has a new hash, hence a new URL, so nobody keeps an old one. Static requests open no
  session (:class:`SiteSessionInterface`), so they never vary with the cookie.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, Request, Response, current_app, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

STATIC_ENDPOINTS = ("webui.static", "static")
STATIC_PREFIXES = ("/ui/static/", "/static/")
YEAR_SECONDS = 365 * 24 * 3600
VALIDATED_TYPES = frozenset({
    "text/html", "text/calendar", "text/vcard", "text/x-vcard", "text/csv", "text/plain",
    "application/json", "image/svg+xml", "application/rss+xml", "application/atom+xml",
    "application/activity+json", "application/jrd+json"})
COMPRESSED_TYPES = VALIDATED_TYPES | {"text/css", "application/javascript"}
SIGNED_HEADERS = ("Signature", "Content-Digest")
MIN_COMPRESSED_BYTES = 500  # below this, gzip's own header costs more than it saves
GZIP_LEVEL = 6


class SiteSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, left closed for static files.

    Flask marks the session read, hence adds ``Vary: Cookie``, as soon as anything looks at
    it (Flask-Login does on every answer). A stylesheet cached for a year must not vary with
    the cookie, or every new session cookie would fetch it again.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(STATIC_PREFIXES):
            return None  # Flask uses its null session: nothing read, nothing written
        return super().open_session(app, request)


def init_bandwidth(app: Flask) -> None:
    """Register validators, compression and static versioning on ``app``.

    One after-request hook does it in order: cache headers and the ETag on the body as the
    app made it, then compression, then the conditional answer for the compressed form.
    """
    app.session_interface = SiteSessionInterface()
    app.url_defaults(_version_static_urls)
    app.after_request(_lighten)


def _lighten(response: Response) -> Response:
    if any(name in response.headers for name in SIGNED_HEADERS):
        # A signed federation answer: its Content-Digest covers these exact bytes.
        return response
    if request.endpoint in STATIC_ENDPOINTS:
        _static_cache(response)
    else:
        _cache_headers(response)
    return _gzipped(response)


def _gzipped(response: Response) -> Response:
    """The answer gzip-compressed when the browser accepts it and it is worth it."""
    if response.mimetype not in COMPRESSED_TYPES:
        return response
    response.vary.add("Accept-Encoding")
    if (not request.accept_encodings["gzip"] or response.status_code != 200
            or "Content-Encoding" in response.headers
            or (response.is_streamed and request.endpoint not in STATIC_ENDPOINTS)):
        return response
    response.direct_passthrough = False  # a static file is read, then compressed
    response.headers.pop("Accept-Ranges", None)  # byte ranges of the file, not of this
    body = response.get_data()
    if len(body) < MIN_COMPRESSED_BYTES:
        return response
    # mtime=0: the same page always gives the same bytes, so its ETag stays meaningful.
    response.set_data(gzip.compress(body, GZIP_LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:
        # A compressed body is another representation: it gets its own validator.
        response.set_etag(f"{etag}:gzip")
        response.make_conditional(request)
    return response


@lru_cache(maxsize=256)
def _file_version(folder: str, filename: str, mtime_ns: int) -> str:
    """A short hash of a static file's content (cached per modification time)."""
    return hashlib.sha256((Path(folder) / filename).read_bytes()).hexdigest()[:12]


def _static_file(app: Flask, endpoint: str, filename: str) -> tuple[str, Path] | None:
    """The folder and path of a static file, or None when it does not exist."""
    owner: Any = app if endpoint == "static" else app.blueprints.get(endpoint.split(".")[0])
    folder = getattr(owner, "static_folder", None)
    if not folder:
        return None
    path = (Path(folder) / filename).resolve()
    if not path.is_file() or Path(folder).resolve() not in path.parents:
        return None
    return folder, path


def static_version(app: Flask, endpoint: str, filename: str) -> str | None:
    """The current version tag of a static file, or None when it does not exist."""
    found = _static_file(app, endpoint, filename)
    if found is None:
        return None
    folder, path = found
    relative = str(path.relative_to(Path(folder).resolve()))
    return _file_version(str(Path(folder).resolve()), relative, path.stat().st_mtime_ns)


def _version_static_urls(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint in STATIC_ENDPOINTS and "filename" in values and "v" not in values:
        version = static_version(current_app, endpoint, str(values["filename"]))
        if version:
            values["v"] = version


def _cache_headers(response: Response) -> None:
    cache_control = response.headers.get("Cache-Control", "")
    if "no-store" in cache_control:
        return
    personal = _may_be_personal(response)
    if personal:
        response.headers["Cache-Control"] = "private, no-cache"
    elif not cache_control:
        response.headers["Cache-Control"] = "no-cache"
    response.vary.update(("Accept-Language", "Cookie"))
    if (request.method in ("GET", "HEAD") and response.status_code == 200
            and not response.is_streamed and response.mimetype in VALIDATED_TYPES
            and "ETag" not in response.headers):
        response.add_etag()
        response.make_conditional(request)


def _may_be_personal(response: Response) -> bool:
    """Whether this answer could differ from one visitor to another (see module doc)."""
    return bool(
        request.headers.get("Cookie") or request.headers.get("Authorization")
        or session.modified or "Set-Cookie" in response.headers
        or "private" in response.headers.get("Cache-Control", ""))


def _static_cache(response: Response) -> None:
    """A year for a request naming the file's current version; otherwise revalidate."""
    filename = (request.view_args or {}).get("filename", "")
    current = static_version(current_app, str(request.endpoint), str(filename))
    if response.status_code in (200, 304) and current and request.args.get("v") == current:
        response.headers["Cache-Control"] = f"public, max-age={YEAR_SECONDS}, immutable"
    elif response.status_code in (200, 304):
        response.headers["Cache-Control"] = "no-cache"
