"""Node settings: defaults, ``settings.toml``, ``CHALEUR_*`` variables, then test overrides.

Every setting an operator may change is listed in :data:`DEFAULTS` with what it means, so the
compose file, ``.env.example`` and the docs can be checked against this one list.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from webui.settings import SettingsError, load_web_settings

__all__ = ["DEFAULTS", "SettingsError", "load_settings"]

DEFAULTS: dict[str, Any] = {
    # "production" refuses a plain-http PUBLIC_URL other than loopback (cookies would travel
    # in clear); "development" is a local run.
    "ENV_NAME": "development",
    # The origin people and peers use to reach this node (scheme://host[:port], no path).
    "PUBLIC_URL": "http://127.0.0.1:5000",
    # Where "chaleur serve" listens (setup writes them; the service unit needs no option).
    "SERVE_HOST": "127.0.0.1",
    "SERVE_PORT": 5000,
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
    # Posts per address to the fediverse inbox (/ap/inbox), counted before any signature check.
    "FEDIVERSE_INBOX_RATE_LIMIT": "300 per minute",
    # Seconds between two outbox sweeps of the background pusher started by "chaleur serve".
    "FEDERATION_PUSH_INTERVAL": 30,
    # Seconds a claimed outbox row stays reserved for the pusher that claimed it (crash safety).
    "FEDERATION_PUSH_LEASE": 120,
    # Seconds between two refreshes of the network copy shown on the Réseau page.
    "FEDERATION_NETWORK_INTERVAL": 3600,
    # Seconds after another village accepted one of our members' answers before the network
    # copy is refreshed (instead of up to FEDERATION_NETWORK_INTERVAL): time for that village
    # to push the question again to the Pays, then the answer shows with the others here.
    "FEDERATION_NETWORK_SOON": 60,
    # Days the previous key stays valid at peers after "chaleur federation rotate-key".
    "FEDERATION_KEY_GRACE_DAYS": 7,
    # Days tombstones are kept in the feed before "purge-feed" may drop them (a change drops
    # the record's earlier entries at once).
    "FEED_RETENTION_DAYS": 30,
    # Collective decisions: hours before the close when those who have not answered get a
    # reminder; days before an action's due date when its owner gets one; days before a
    # mandate ends when the staff and the holder are told.
    "DECISION_REMINDER_HOURS": 24,
    "ACTION_REMINDER_DAYS": 2,
    "MANDATE_REMINDER_DAYS": 30,
    # Seconds between two rounds of scheduled work (closing decisions, planning and sending
    # reminders) in the background worker started by "chaleur serve".
    "SCHEDULE_INTERVAL": 60,
}


def load_settings(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    """Fill ``app.config`` from defaults, environment and overrides, then validate it."""
    config = load_web_settings(app, DEFAULTS, overrides, database_file="node.db",
                               cookie_name="chaleur_session")
    if config["MAIL_BACKEND"] not in ("smtp", "file"):
        raise SettingsError("CHALEUR_MAIL_BACKEND doit valoir « smtp » ou « file ».")
