"""Directory settings: defaults, ``settings.toml``, ``CHALEUR_*`` variables, then test overrides.

Same conventions as a village node, so an operator who runs both reads one kind of ``.env``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from webui.settings import SettingsError, flag, load_web_settings

__all__ = ["DEFAULTS", "SettingsError", "load_settings"]

DEFAULTS: dict[str, Any] = {
    # "production" refuses to start without a real secret key.
    "ENV_NAME": "development",
    # The origin people and nodes use to reach the directory.
    "PUBLIC_URL": "http://127.0.0.1:5050",
    # Where "chaleur-directory serve" listens (init writes them in settings.toml).
    "SERVE_HOST": "127.0.0.1",
    "SERVE_PORT": 5050,
    # SQLAlchemy URL; empty means SQLite in the instance folder (instance/directory.db).
    "DATABASE_URL": "",
    # Name shown in the header of every page.
    "SITE_NAME": "Pays de Saverne, Plaine et Plateau",
    # A node whose last successful exchange is older than this is marked stale.
    "STALE_AFTER_HOURS": 48,
    # Results per page in the annuaire, the agenda and the API.
    "PAGE_SIZE": 20,
    "RATELIMIT_STORAGE_URI": "memory://",
    "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    "LOG_LEVEL": "INFO",
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    # --- Federation (docs/federation.md) ---
    # Territory named in the directory's node document.
    "FEDERATION_TERRITORY": "Pays de Saverne, Plaine et Plateau",
    # Contact in the node document (defaults to the site name and the first coordinator).
    "FEDERATION_CONTACT_EMAIL": "",
    # Loopback/private addresses for outgoing calls: local demo and tests only.
    "FEDERATION_ALLOW_PRIVATE": False,
    # Largest signed request body accepted (413 above).
    "FEDERATION_MAX_BODY": 1024 * 1024,
    # Per verified node (or per address before verification).
    "FEDERATION_RATE_LIMIT": "300 per minute",
    # Posts per address to the fediverse inbox (/ap/inbox), counted before any signature check.
    "FEDIVERSE_INBOX_RATE_LIMIT": "300 per minute",
    # Seconds between two scheduled pulls of every admitted node's feed.
    "FEDERATION_PULL_INTERVAL": 300,
    # Longest grace a rotation may give a node's retiring key.
    "FEDERATION_MAX_GRACE_DAYS": 30,
}


def load_settings(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    """Fill ``app.config`` from defaults, environment and overrides, then validate it."""
    config = load_web_settings(app, DEFAULTS, overrides, database_file="directory.db",
                               cookie_name="chaleur_directory_session")
    config["STALE_AFTER_HOURS"] = _positive_number(
        config["STALE_AFTER_HOURS"], "CHALEUR_STALE_AFTER_HOURS doit être un nombre d'heures "
        "positif.")
    config["FEDERATION_PULL_INTERVAL"] = _positive_number(
        config["FEDERATION_PULL_INTERVAL"], "CHALEUR_FEDERATION_PULL_INTERVAL doit être un "
        "nombre de secondes positif.")
    config["FEDERATION_ALLOW_PRIVATE"] = flag(config["FEDERATION_ALLOW_PRIVATE"])


def _positive_number(value: Any, message: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1
    if number <= 0:
        raise SettingsError(message)
    return number
