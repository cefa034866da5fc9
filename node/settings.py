"""Node settings: defaults, then ``CHALEUR_*`` environment variables, then test overrides.

Every setting an operator may change is listed in :data:`DEFAULTS` with what it means, so the
compose file, ``.env.example`` and the docs can be checked against this one list.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

ENV_PREFIX = "CHALEUR"

DEFAULTS: dict[str, Any] = {
    # "production" refuses a plain-http PUBLIC_URL other than loopback (cookies would travel
    # in clear); "development" is a local run.
    "ENV_NAME": "development",
    # The origin people and peers use to reach this node (scheme://host[:port], no path).
    "PUBLIC_URL": "http://127.0.0.1:5000",
    # SQLAlchemy URL; empty means SQLite in the instance folder.
    "DATABASE_URL": "",
    # Mail: "smtp" sends through MAIL_SERVER; "file" writes each message to instance/mail/.
    "MAIL_BACKEND": "file",
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_FROM": "chaleur@localhost",
    # Rate-limit storage: memory:// for one process, redis://host:6379 for several workers.
    "RATELIMIT_STORAGE_URI": "memory://",
    "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    "SIGNUP_RATE_LIMIT": "5 per minute;20 per hour",
    # Writes through the JSON API (/api/v1), per client address, all endpoints together.
    "API_WRITE_RATE_LIMIT": "60 per minute;600 per hour",
    "LOG_LEVEL": "INFO",
    # Largest request body accepted, in bytes (CSV imports included).
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    # Days an invitation link stays valid; hours a password-reset link stays valid.
    "INVITATION_DAYS": 14,
    # Werkzeug hash method for passwords; the tests use a cheaper one to stay fast.
    "PASSWORD_HASH_METHOD": "scrypt",
    "PASSWORD_RESET_HOURS": 2,
    # Federation. Allow peers on loopback/private addresses: ONLY for the local demo and tests.
    "FEDERATION_ALLOW_PRIVATE": False,
    # The territory this node's network covers, as its node document states it.
    "FEDERATION_TERRITORY": "Pays de Saverne, Plaine et Plateau",
    # Largest body a peer may send to this node's federation endpoints, in bytes (413 beyond).
    "FEDERATION_MAX_BODY": 1024 * 1024,
    # Requests per verified peer (or per address before verification) on federation endpoints.
    "FEDERATION_RATE_LIMIT": "300 per minute",
    # Seconds between two outbox sweeps of the background pusher started by "chaleur serve".
    "FEDERATION_PUSH_INTERVAL": 30,
    # Seconds a claimed outbox row stays reserved for the pusher that claimed it (crash safety).
    "FEDERATION_PUSH_LEASE": 120,
    # Seconds between two refreshes of the network copy shown on the Réseau page.
    "FEDERATION_NETWORK_INTERVAL": 3600,
    # Days the previous key stays valid at peers after "chaleur federation rotate-key".
    "FEDERATION_KEY_GRACE_DAYS": 7,
    # Days superseded feed entries and tombstones are kept before "purge-feed" may drop them.
    "FEED_RETENTION_DAYS": 30,
}


class SettingsError(RuntimeError):
    """The node cannot start with these settings; the message says what to fix."""


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
            "sqlite:///" + str(Path(app.instance_path) / "node.db")
        )
    # hide_parameters: no SQL log line or database error message carries row values
    # (passwords hashes, private fields) into the logs.
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True,
                                                    "hide_parameters": True})
    config["SECRET_KEY"] = config.get("SECRET_KEY") or _instance_secret(app)
    secure = config["PUBLIC_URL"].startswith("https://")
    # Flask's own defaults exist for these keys, so they are set, not setdefault-ed.
    config["SESSION_COOKIE_SECURE"] = bool(config.get("SESSION_COOKIE_SECURE")) or secure
    config["REMEMBER_COOKIE_SECURE"] = config["SESSION_COOKIE_SECURE"]
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["REMEMBER_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    config["SESSION_COOKIE_NAME"] = "chaleur_session"
    config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    _validate(config)


def _instance_secret(app: Flask) -> str:
    """The random secret kept in the instance folder (mode 0600), created on first start.

    A node never runs on a built-in or guessable secret: either CHALEUR_SECRET_KEY is set or
    this file holds 48 random bytes that survive restarts (and travel with backups).
    """
    path = Path(app.instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret


def _validate(config: Any) -> None:
    if not str(config["PUBLIC_URL"]).startswith(("http://", "https://")):
        raise SettingsError(f"CHALEUR_PUBLIC_URL doit commencer par http:// ou https:// "
                            f"(reçu : {config['PUBLIC_URL']!r}).")
    if config["ENV_NAME"] == "production" and _plain_http_off_loopback(config["PUBLIC_URL"]):
        raise SettingsError("En production, CHALEUR_PUBLIC_URL doit être en https:// "
                            f"(reçu : {config['PUBLIC_URL']!r}).")
    if config["MAIL_BACKEND"] not in ("smtp", "file"):
        raise SettingsError("CHALEUR_MAIL_BACKEND doit valoir « smtp » ou « file ».")
    if len(str(config["SECRET_KEY"])) < 16:
        raise SettingsError("CHALEUR_SECRET_KEY est trop courte (16 caractères au moins).")


def _plain_http_off_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return url.startswith("http://") and host not in ("localhost", "127.0.0.1", "::1")
