"""The Pays directory: aggregates what village nodes share and serves the Pays-level site.

:func:`create_app` builds one directory; nothing is configured at import time. The directory
never imports the node: both stand on ``federation``, ``webui`` and ``communes``.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

import webui
from directory.extensions import csrf, db, limiter, login_manager
from directory.services import fulltext
from directory.settings import load_settings
from webui.instance import DIRECTORY_FOLDER, locate_instance
from webui.sqlite_pragmas import set_sqlite_pragmas

fulltext.install(db.metadata)
SQLITE_BUSY_MS = 15_000
SQLITE_CACHE_KIB = 64 * 1024
MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")


def create_app(test_config: dict[str, Any] | None = None, *, with_cli: bool = True) -> Flask:
    """Build a directory app from the environment (``CHALEUR_*``), then ``test_config``.

    ``with_cli=False`` is the production server's app (:mod:`directory.serving`): no
    command-line machinery and no migration engine loaded in the long-running process.
    """
    instance_path = (test_config or {}).get("INSTANCE_PATH") or locate_instance(DIRECTORY_FOLDER)
    app = Flask(__name__, instance_path=os.path.abspath(instance_path),
                instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    load_settings(app, test_config)

    import directory.models  # noqa: F401  (tables registered before create_all)

    db.init_app(app)
    _tune_sqlite(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    webui.init_app(app, layout="directory/layout.html")

    from directory.admin.session import init_login

    init_login(app)
    _register_blueprints(app)
    _register_context(app)
    _register_fediverse(app)
    if with_cli:
        from directory.cli import register_commands

        register_commands(app)
    return app


def _register_fediverse(app: Flask) -> None:
    """The Pays as a fediverse Group (the villages' public rencontres, see
    directory.fediverse)."""
    from directory.fediverse.site import DirectoryFediverse
    from webui.fediverse import init_fediverse

    init_fediverse(app, DirectoryFediverse(), limiter)


def _register_blueprints(app: Flask) -> None:
    from directory.admin import bp as admin_bp
    from directory.api import bp as api_bp
    from directory.peering import bp as peering_bp
    from directory.site import bp as site_bp

    app.register_blueprint(site_bp)
    app.register_blueprint(admin_bp, url_prefix="/coordination")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)
    app.register_blueprint(peering_bp)
    csrf.exempt(peering_bp)
    from directory.peering.sign_in import relying_party
    from webui import village_sign_in

    # « Se connecter avec mon village »: the network's members see « Réseau » fields.
    village_sign_in.init_app(app, relying_party())


def _register_context(app: Flask) -> None:
    from directory.site.views import page_url

    @app.context_processor
    def inject_site() -> dict[str, Any]:
        # page_url goes to the page itself, which hands the two addresses to the shared pager
        # (a macro imported without context would not see it).
        return {"site_name": app.config["SITE_NAME"], "home_endpoint": "site.home",
                "page_url": page_url}


def _tune_sqlite(app: Flask) -> None:
    """WAL journal and foreign keys on every SQLite connection of this app.

    WAL lets the site read while a batch is applied, and ``synchronous=NORMAL`` (safe in WAL
    mode: a crash can lose the last commit, never corrupt the file) keeps one commit per batch
    cheap; the next pull simply brings the lost batch again. A larger page cache keeps the
    uuid and full-text indexes in memory while a big feed is applied.
    """
    # secure_delete: a withdrawn member's payload is overwritten on disk, not left in free
    # pages.
    # busy_timeout: a signed request writes its nonce while the pull thread may be applying
    # a long feed; waiting 15 s (not Python's 5) keeps a busy Pays from answering 500.
    set_sqlite_pragmas(app, db, ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                                 "secure_delete=ON", f"cache_size=-{SQLITE_CACHE_KIB}",
                                 f"busy_timeout={SQLITE_BUSY_MS}"))
