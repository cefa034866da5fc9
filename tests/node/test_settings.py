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


def test_sites_on_one_host_keep_their_own_session_cookie(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Browsers ignore the port for cookies: the demo's two villages on 127.0.0.1 signed the
    visitor out of one when they visited the other, until each named its cookie after its
    port."""
    from directory import create_app as create_directory

    names = {create_app({"INSTANCE_PATH": str(tmp_path / str(port)),
                         "PUBLIC_URL": f"http://127.0.0.1:{port}"}).config["SESSION_COOKIE_NAME"]
             for port in (5101, 5102)}
    pays = create_directory({"INSTANCE_PATH": str(tmp_path / "pays"),
                             "PUBLIC_URL": "http://127.0.0.1:5100"})
    assert names == {"chaleur_session_5101", "chaleur_session_5102"}
    assert pays.config["SESSION_COOKIE_NAME"] == "chaleur_directory_session_5100"
    plain = create_app({"INSTANCE_PATH": str(tmp_path / "plain"),
                        "PUBLIC_URL": "https://sparsbach.example.org"})
    assert plain.config["SESSION_COOKIE_NAME"] == "chaleur_session"
