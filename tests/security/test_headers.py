"""Secure headers on every page for every role, cookies, and no inline script or style."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from flask import Flask
from flask.testing import FlaskClient

from tests.directory.conftest import COORDINATOR_EMAIL, COORDINATOR_PASSWORD
from tests.security.conftest import (
    ADMIN_EMAIL,
    ANIMATOR_EMAIL,
    MEMBER_EMAIL,
    directory_session,
    login_form,
    session_for,
)
from tests.security.world import World, build_world

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)
# The agenda a mairie embeds: any site may frame it, so it must hold no form and no script.
EMBEDDABLE_PATHS = ("/agenda/integrer", "/agenda/integrer/fragment")


def _directives(csp: str) -> dict[str, str]:
    return {part.strip().split(" ", 1)[0]: part.strip() for part in csp.split(";") if part.strip()}


def check_page(url: str, response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    directives = _directives(headers.get("Content-Security-Policy", ""))
    script = directives.get("script-src") or directives.get("default-src", "")
    assert script and "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, url
    style = directives.get("style-src") or directives.get("default-src", "")
    assert style and "'unsafe-inline'" not in style, url
    if url.split("?")[0] in EMBEDDABLE_PATHS:
        assert directives.get("frame-ancestors") == "frame-ancestors *", url
        assert directives.get("form-action") == "form-action 'none'", url
        assert "<form" not in response.get_data(as_text=True), url  # type: ignore[attr-defined]
        assert "<script" not in response.get_data(as_text=True), url  # type: ignore[attr-defined]
    else:
        assert directives.get("frame-ancestors") == "frame-ancestors 'none'" \
            or headers.get("X-Frame-Options") == "DENY", url
    assert headers.get("X-Content-Type-Options") == "nosniff", url
    if response.mimetype == "text/html":  # type: ignore[attr-defined]
        html = response.get_data(as_text=True)  # type: ignore[attr-defined]
        assert not INLINE_SCRIPT.search(html), f"inline script in {url}"
        assert not STYLE_ATTRIBUTE.search(html), f"style attribute in {url}"
        assert not STYLE_ELEMENT.search(html), f"style element in {url}"


def get_urls(app: Flask, world: World | None) -> Iterator[str]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or set()) or rule.endpoint in ("static",):
            continue
        if world is not None:
            yield world.url(app, rule)
        elif not rule.arguments:
            yield rule.rule


def test_every_node_page_for_every_role(make_node: Callable[..., Flask]) -> None:
    app = make_node()
    world = build_world(app)
    clients: list[FlaskClient] = [app.test_client()] + [
        session_for(app, email) for email in (MEMBER_EMAIL, ANIMATOR_EMAIL, ADMIN_EMAIL)]
    seen_html = 0
    for client in clients:
        for url in get_urls(app, world):
            response = client.get(url)
            assert response.status_code < 500, url
            check_page(url, response)
            response.close()
            seen_html += response.mimetype == "text/html" and response.status_code == 200
    assert seen_html >= 60  # the admin pages were really rendered, not only redirects


def test_every_directory_page(make_directory: Callable[..., Flask]) -> None:
    from tests.directory.test_site import seed_network

    app = make_directory()
    with app.app_context():
        seed_network()
    for client in (app.test_client(), directory_session(app, COORDINATOR_EMAIL)):
        urls = [*get_urls(app, None), "/coordination/noeuds/1", "/territoires/1/agenda.ics",
                "/statistiques/metiers.csv", "/page-qui-nexiste-pas"]
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, url
            check_page(url, response)
            response.close()


def _session_cookie(response: object, name: str) -> str:
    cookies = response.headers.getlist("Set-Cookie")  # type: ignore[attr-defined]
    found = [c for c in cookies if c.startswith(name + "=")]
    assert found, cookies
    return str(found[-1])


def test_node_session_cookie_flags(make_node: Callable[..., Flask]) -> None:
    for url, secure in (("https://sparsbach.example", True), ("http://node.test", False)):
        app = make_node(PUBLIC_URL=url)
        client = app.test_client()
        response = login_form(client, MEMBER_EMAIL)
        assert response.status_code == 302
        cookie = _session_cookie(response, "chaleur_session")
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("; Secure" in cookie) is secure
        if secure:
            assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_directory_session_cookie_flags(make_directory: Callable[..., Flask]) -> None:
    for url, secure in (("https://pays.example", True), ("http://pays.test", False)):
        app = make_directory(PUBLIC_URL=url)
        response = login_form(app.test_client(), COORDINATOR_EMAIL, COORDINATOR_PASSWORD,
                              path="/coordination/connexion")
        assert response.status_code == 302
        cookie = _session_cookie(response, "chaleur_directory_session")
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("; Secure" in cookie) is secure
