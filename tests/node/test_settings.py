"""Settings: secrets are never built in, and production refuses clear-text cookies."""

import os
import stat

import pytest

from node import create_app
from node.settings import SettingsError


def test_secret_is_created_once_with_owner_only_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    instance = tmp_path / "instance"
    first = create_app({"INSTANCE_PATH": str(instance)})
    second = create_app({"INSTANCE_PATH": str(instance)})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 48
    assert stat.S_IMODE(os.stat(instance / "secret_key").st_mode) == 0o600


def test_production_refuses_plain_http_public_url(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SettingsError, match="https"):
        create_app({"INSTANCE_PATH": str(tmp_path), "ENV_NAME": "production",
                    "PUBLIC_URL": "http://sparsbach.example.org"})
    app = create_app({"INSTANCE_PATH": str(tmp_path), "ENV_NAME": "production",
                      "PUBLIC_URL": "https://sparsbach.example.org"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_session_cookie_is_httponly_and_samesite(client) -> None:  # type: ignore[no-untyped-def]
    app = client.application
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_SECURE"] is False  # the test node is plain http


def test_passwords_are_hashed_with_scrypt_by_default(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from node.services.accounts import hash_password

    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        assert hash_password("correct-horse-battery").startswith("scrypt:")
