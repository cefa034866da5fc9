"""Settings every Chaleur web app shares: environment, database, secret, cookies, origin.

The village node and the Pays directory read the same ``CHALEUR_*`` variables the same way,
so an operator who runs both writes one kind of ``.env``. Each app then checks its own keys.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Config, Flask

ENV_PREFIX = "CHALEUR"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class SettingsError(RuntimeError):
    """The app cannot start with these settings; the message says what to fix."""


def load_web_settings(app: Flask, defaults: dict[str, Any], overrides: dict[str, Any] | None,
                      *, database_file: str, cookie_name: str) -> Config:
    """Defaults, then the instance's ``settings.toml``, then ``CHALEUR_*`` variables, then
    overrides; shared checks applied."""
    from webui.instance import read_settings

    app.config.update(defaults)
    app.config.update(read_settings(Path(app.instance_path), defaults))
    app.config.from_prefixed_env(ENV_PREFIX)
    if overrides:
        app.config.update(overrides)
    config = app.config
    config["PUBLIC_URL"] = str(config["PUBLIC_URL"]).rstrip("/")
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"] or (
            "sqlite:///" + str(Path(app.instance_path) / database_file))
    # hide_parameters: no SQL log line or database error message carries row values
    # (password hashes, private fields) into the logs.
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True,
                                                    "hide_parameters": True})
    config["SECRET_KEY"] = config.get("SECRET_KEY") or instance_secret(app)
    _apply_cookie_policy(config, cookie_name)
    config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    _check_origin_and_secret(config)
    return config


def instance_secret(app: Flask) -> str:
    """The random secret kept in the instance folder (mode 0600), created on first start.

    An app never runs on a built-in or guessable secret: either CHALEUR_SECRET_KEY is set or
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


def _apply_cookie_policy(config: Config, cookie_name: str) -> None:
    # Flask has its own defaults for these keys (no SameSite, never Secure), so they are
    # set, not setdefault-ed.
    secure = str(config["PUBLIC_URL"]).startswith("https://")
    config["SESSION_COOKIE_SECURE"] = bool(config.get("SESSION_COOKIE_SECURE")) or secure
    config["REMEMBER_COOKIE_SECURE"] = config["SESSION_COOKIE_SECURE"]
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["REMEMBER_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    # Browsers keep one cookie jar per host, whatever the port (RFC 6265 §8.5): two sites on
    # one host (the demo, docker compose on one machine) would overwrite each other's session
    # and sign the visitor out. A public address with its own port names its cookies after it.
    port = urlsplit(str(config["PUBLIC_URL"])).port
    config["SESSION_COOKIE_NAME"] = f"{cookie_name}_{port}" if port else cookie_name
    if port:
        config["REMEMBER_COOKIE_NAME"] = f"remember_token_{port}"


def _check_origin_and_secret(config: Config) -> None:
    url = str(config["PUBLIC_URL"])
    if not url.startswith(("http://", "https://")):
        raise SettingsError("CHALEUR_PUBLIC_URL doit commencer par http:// ou https:// "
                            f"(reçu : {url!r}).")
    host = (urlsplit(url).hostname or "").lower()
    if config["ENV_NAME"] == "production" and url.startswith("http://") \
            and host not in LOOPBACK_HOSTS:
        raise SettingsError(f"En production, CHALEUR_PUBLIC_URL doit être en https:// "
                            f"(reçu : {url!r}) : les cookies de session circuleraient en clair.")
    if len(str(config["SECRET_KEY"])) < 16:
        raise SettingsError("CHALEUR_SECRET_KEY est trop courte (16 caractères au moins).")


def flag(value: Any) -> bool:
    """Environment flags arrive as text (``1``/``true``/``oui``) or, parsed as JSON, as values."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "oui")
    return bool(value)
