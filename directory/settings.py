"""Directory settings: defaults, then ``CHALEUR_*`` environment variables, then test overrides.

Same conventions as a village node, so an operator who runs both reads one kind of ``.env``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

ENV_PREFIX = "CHALEUR"

DEFAULTS: dict[str, Any] = {
    # "production" refuses to start without a real secret key.
    "ENV_NAME": "development",
    # The origin people and nodes use to reach the directory.
    "PUBLIC_URL": "http://127.0.0.1:5050",
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
    # Seconds between two scheduled pulls of every admitted node's feed.
    "FEDERATION_PULL_INTERVAL": 300,
    # Longest grace a rotation may give a node's retiring key.
    "FEDERATION_MAX_GRACE_DAYS": 30,
}


class SettingsError(RuntimeError):
    """The directory cannot start with these settings; the message says what to fix."""


def load_settings(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    """Fill ``app.config`` from defaults, environment and overrides, then validate it."""
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env(ENV_PREFIX)
    if overrides:
        app.config.update(overrides)
    config = app.config
    config["PUBLIC_URL"] = str(config["PUBLIC_URL"]).rstrip("/")
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"] or (
            "sqlite:///" + str(Path(app.instance_path) / "directory.db")
        )
    # hide_parameters: no SQL log line or database error message carries row values
    # (passwords hashes, private fields) into the logs.
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True,
                                                    "hide_parameters": True})
    config["SECRET_KEY"] = config.get("SECRET_KEY") or _instance_secret(app)
    secure = config["PUBLIC_URL"].startswith("https://")
    # Flask's own defaults exist for these keys (setdefault would keep "session", no
    # SameSite, no Secure), so they are set, as on a node.
    config["SESSION_COOKIE_SECURE"] = bool(config.get("SESSION_COOKIE_SECURE")) or secure
    config["REMEMBER_COOKIE_SECURE"] = config["SESSION_COOKIE_SECURE"]
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["REMEMBER_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    config["SESSION_COOKIE_NAME"] = "chaleur_directory_session"
    config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    _validate(config)


def _instance_secret(app: Flask) -> str:
    """The secret kept in the instance folder; created on a local run, required in production."""
    path = Path(app.instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    if app.config["ENV_NAME"] == "production":
        raise SettingsError(
            "CHALEUR_SECRET_KEY n'est pas défini et aucune clé n'existe dans le dossier "
            f"d'instance ({path}). Lancez « python -m directory init » ou définissez "
            "CHALEUR_SECRET_KEY.")
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret


def _validate(config: Any) -> None:
    if not str(config["PUBLIC_URL"]).startswith(("http://", "https://")):
        raise SettingsError("CHALEUR_PUBLIC_URL doit commencer par http:// ou https:// "
                            f"(reçu : {config['PUBLIC_URL']!r}).")
    if len(str(config["SECRET_KEY"])) < 16:
        raise SettingsError("CHALEUR_SECRET_KEY est trop courte (16 caractères au moins).")
    try:
        hours = float(config["STALE_AFTER_HOURS"])
    except (TypeError, ValueError):
        hours = -1
    if hours <= 0:
        raise SettingsError("CHALEUR_STALE_AFTER_HOURS doit être un nombre d'heures positif.")
    config["STALE_AFTER_HOURS"] = hours
    config["FEDERATION_ALLOW_PRIVATE"] = _flag(config["FEDERATION_ALLOW_PRIVATE"])
    try:
        interval = float(config["FEDERATION_PULL_INTERVAL"])
    except (TypeError, ValueError):
        interval = -1
    if interval <= 0:
        raise SettingsError("CHALEUR_FEDERATION_PULL_INTERVAL doit être un nombre de secondes "
                            "positif.")
    config["FEDERATION_PULL_INTERVAL"] = interval


def _flag(value: Any) -> bool:
    """Environment flags arrive as text (``1``/``true``) or, from from_prefixed_env, as JSON."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "oui")
    return bool(value)
