"""The Chaleur village node: one micro-community's members, rencontres and pages.

:func:`create_app` builds one node; nothing is configured at import time, so a test can run
several nodes side by side.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, g

import webui
from node.extensions import NodeSession, csrf, db, limiter, login_manager
from node.request_log import configure_logging
from node.settings import load_settings
from node.sharing import changes, visitor_answers
from webui.instance import NODE_FOLDER, locate_instance
from webui.sqlite_pragmas import set_sqlite_pragmas

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")


def create_app(test_config: dict[str, Any] | None = None, *, with_cli: bool = True) -> Flask:
    """Build a node app from the environment (``CHALEUR_*``), then ``test_config``.

    ``with_cli=False`` is the production server's app (:mod:`node.serving`): no command-line
    machinery and no migration engine loaded, to keep a village's small machine light.
    """
    instance_path = (test_config or {}).get("INSTANCE_PATH") or locate_instance(NODE_FOLDER)
    app = Flask(__name__, instance_path=os.path.abspath(instance_path),
                instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    load_settings(app, test_config)
    configure_logging(app)

    db.init_app(app)
    changes.register(NodeSession)  # versions, feed and outbox follow every flush
    visitor_answers.register(NodeSession)  # a visitor's village hears of their answer
    # The schema's ON DELETE rules hold, and a deleted member's data is overwritten on disk
    # instead of lingering in the file's free pages.
    # busy_timeout: the background worker's writes and a request's may meet; wait 15 s for
    # the lock rather than Python's 5 s, past which the request would answer 500.
    set_sqlite_pragmas(app, db, ("foreign_keys=ON", "secure_delete=ON", "busy_timeout=15000"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    webui.init_app(app, layout="node/layout.html")

    from node.auth.session import init_login

    init_login(app)
    _register_blueprints(app)
    _register_context(app)
    _register_hooks()
    _register_fediverse(app)
    if with_cli:
        from node.cli import register_commands

        register_commands(app)
    return app


def _register_fediverse(app: Flask) -> None:
    """The village as a fediverse Group (public rencontres only, see node.fediverse)."""
    from node.fediverse.publishing import init_publishing
    from node.fediverse.site import NodeFediverse
    from webui.fediverse import init_fediverse

    init_fediverse(app, NodeFediverse(), limiter)
    init_publishing()


def _register_blueprints(app: Flask) -> None:
    from node.admin import bp as admin_bp
    from node.api import bp as api_bp
    from node.auth import bp as auth_bp
    from node.decisions import bp as decisions_bp
    from node.decisions import init_templates as init_decision_templates
    from node.exchange import bp as exchange_bp
    from node.exchange.views import unsubscribe
    from node.members import bp as members_bp
    from node.oidc import bp as oidc_bp
    from node.peering import bp as peering_bp
    from node.peering import network_bp
    from node.public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(members_bp)
    app.register_blueprint(decisions_bp)
    app.register_blueprint(exchange_bp)
    csrf.exempt(unsubscribe)  # the signed link is the proof; mail clients POST it (RFC 8058)
    init_decision_templates(app)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)
    app.register_blueprint(peering_bp)  # federation endpoints: peers sign, no session
    csrf.exempt(peering_bp)
    app.register_blueprint(network_bp)
    app.register_blueprint(oidc_bp)  # signing in elsewhere in the network (OpenID Connect)
    csrf.exempt("node.oidc.views.token")  # sites authenticate with a signed assertion
    from node.peering.sign_in import relying_party
    from webui import village_sign_in

    # « Se connecter avec mon village » for members of the other villages.
    village_sign_in.init_app(app, relying_party())


def _register_hooks() -> None:
    """Service hooks, registered here where a reader looks for them (never on import)."""
    from node.services.answers_elsewhere import withdraw_elsewhere
    from node.services.members import on_member_deleted
    from node.services.questions import forget_member
    from node.services.rsvps import give_freed_places

    on_member_deleted(give_freed_places)  # a leaving member's places go to the waitlist
    on_member_deleted(withdraw_elsewhere)  # ... and their places in other villages too
    on_member_deleted(forget_member)  # their questions and answers leave the network too


def _register_context(app: Flask) -> None:
    from node.services.community import current_community

    @app.context_processor
    def inject_site() -> dict[str, Any]:
        community = current_community()
        return {"site_name": community.name if community else "Chaleur",
                "community": community}

    @app.before_request
    def reset_request_cache() -> None:
        g.pop("community", None)
