"""The fediverse edge both apps share: routes, and what each app must provide.

A village node and the Pays directory are each one ActivityPub ``Group``. The routes are
the same for both (WebFinger, NodeInfo, actor, inbox, outbox, followers, Event objects);
what differs — the actor's name and key, which rencontres are public — comes from the
app's :class:`FediverseSite`, registered with :func:`init_fediverse` in ``create_app``.

The views live in :mod:`webui.fediverse_views`, imported by the first request that reaches
one (:class:`webui.lazy_view.LazyView`): a site nobody follows never loads the signing stack.
"""

from __future__ import annotations

import math
import time
from functools import wraps
from typing import Any, Protocol

from flask import Blueprint, Flask, current_app
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from sqlalchemy.orm import Session

from federation.activitypub.store import Tables
from federation.activitypub.vocabulary import Actor
from webui.errors import error_response
from webui.lazy_view import LazyView, View

EXTENSION_KEY = "chaleur_fediverse"
ACTOR_PATH = "/ap/actor"
INBOX_PATH = "/ap/inbox"
OUTBOX_PATH = "/ap/outbox"
FOLLOWERS_PATH = "/ap/followers"
EVENT_PATH = "/ap/events/"


class FediverseSite(Protocol):
    """What an app hands the fediverse edge. Nothing here may return non-public data."""

    tables: Tables

    def session(self) -> Session:
        """The app's database session (the edge flushes; the view commits once)."""
        ...

    def actor(self, with_key: bool = True) -> Actor | None:
        """The Group, or None while the site has no federation identity (then 404)."""
        ...

    def private_key(self) -> Any:
        """The actor's RSA private key (created on first use, mode 0600)."""
        ...

    def event_document(self, uuid: str) -> dict[str, Any] | None:
        """The live public Event object with this uuid, or None."""
        ...

    def event_page(self, object_id: str) -> str | None:
        """The page where people answer this Event (a Join is sent there), or None."""
        ...

    def open_registrations(self) -> bool:
        ...

    def allow_private_addresses(self) -> bool:
        ...

    def wake(self) -> None:
        """New deliveries are committed: let the app's worker send them now."""
        ...


def _inbox_rate() -> str:
    return str(current_app.config["FEDIVERSE_INBOX_RATE_LIMIT"])


def _limited_inbox(limiter: Limiter, view: View) -> View:
    """The inbox counts requests per address *before* checking signatures: a flood of
    unsigned or badly signed posts would otherwise make the site fetch a key and verify an
    RSA signature for each one. A remote server that is refused retries later (Retry-After),
    as it does when a site is down."""
    limited = limiter.limit(_inbox_rate, key_func=get_remote_address)(view)

    @wraps(view)
    def answer(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        try:
            return limited(*args, **kwargs)
        except RateLimitExceeded:
            current = limiter.current_limit
            wait = max(1, math.ceil(current.reset_at - time.time())) if current else 60
            response = current_app.make_response(error_response(
                429, "rate_limited", "Trop de messages : réessayez plus tard."))
            response.headers["Retry-After"] = str(wait)
            return response

    return answer


def init_fediverse(app: Flask, site: FediverseSite, limiter: Limiter) -> None:
    """Register the routes and keep ``site`` for the views and the delivery worker."""
    app.extensions[EXTENSION_KEY] = site
    bp = Blueprint("fediverse", __name__)
    views = "webui.fediverse_views."
    for rule, name, methods in (
            ("/.well-known/webfinger", "webfinger", ["GET"]),
            ("/.well-known/nodeinfo", "nodeinfo_links", ["GET"]),
            ("/nodeinfo/2.1", "nodeinfo", ["GET"]),
            (ACTOR_PATH, "actor", ["GET"]),
            (INBOX_PATH, "inbox", ["POST"]),
            (OUTBOX_PATH, "outbox", ["GET"]),
            (FOLLOWERS_PATH, "followers", ["GET"]),
            (EVENT_PATH + "<uuid>", "event", ["GET"])):
        view: View = LazyView(views + name)
        if name == "inbox":
            view = _limited_inbox(limiter, view)
        bp.add_url_rule(rule, endpoint=name, methods=methods, view_func=view)
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)  # remote servers sign; they have no session
