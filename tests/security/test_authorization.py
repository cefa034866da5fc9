"""Authorization: every admin route by role, the member area, the directory's coordination
pages, and no power of one node's session over another node."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from directory.extensions import db as directory_db
from node.extensions import db
from node.models import Account, AccountStatus
from tests.directory.conftest import COORDINATOR_EMAIL
from tests.security.conftest import (
    ADMIN_EMAIL,
    ANIMATOR_EMAIL,
    MEMBER_EMAIL,
    WRITE_METHODS,
    directory_session,
    login_form,
    session_for,
    table_snapshot,
)
from tests.security.world import World, build_world

# What only admins may do; everything else under /admin is for staff (admins + animators).
ADMIN_ONLY = {"admin.community", "admin.communes", "admin.change_role", "admin.tokens",
              "admin.token_revoke"}


def _admin_rules(app: Flask, prefix: str = "admin.") -> list[tuple[str, str]]:
    """(endpoint, method) for every admin endpoint; GET before writes."""
    pairs = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(prefix):
            methods = (rule.methods or set()) & ({"GET"} | WRITE_METHODS)
            pairs += [(rule.endpoint, method) for method in methods]
    return sorted(pairs, key=lambda pair: (pair[1] != "GET", pair[0]))


def _call(app: Flask, client: object, world: World, endpoint: str, method: str) -> object:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    return client.open(world.url(app, rule), method=method,  # type: ignore[attr-defined]
                       data={"status": "disabled", "role": "admin", "name": "Piraté"})


def test_admin_routes_refuse_anonymous_and_members(make_node: Callable[..., Flask]) -> None:
    app = make_node()
    world = build_world(app)
    pairs = _admin_rules(app)
    assert len(pairs) >= 30
    before = table_snapshot(app)
    anonymous, member = app.test_client(), session_for(app, MEMBER_EMAIL)
    for endpoint, method in pairs:
        response = _call(app, anonymous, world, endpoint, method)
        assert response.status_code == 302, (endpoint, method)  # type: ignore[attr-defined]
        assert "/connexion" in response.headers["Location"]  # type: ignore[attr-defined]
        refused = _call(app, member, world, endpoint, method)
        assert refused.status_code == 403, (endpoint, method)  # type: ignore[attr-defined]
    assert table_snapshot(app) == before


def test_animators_are_staff_but_not_admins(make_node: Callable[..., Flask]) -> None:
    app = make_node()
    world = build_world(app)
    animator = session_for(app, ANIMATOR_EMAIL)
    for endpoint, method in _admin_rules(app):
        response = _call(app, animator, world, endpoint, method)
        status = response.status_code  # type: ignore[attr-defined]
        if endpoint in ADMIN_ONLY:
            assert status == 403, (endpoint, method)
        else:
            assert status not in (401, 403), (endpoint, method)
            assert "/connexion" not in response.headers.get("Location", "")  # type: ignore[attr-defined]
    with app.app_context():
        account = db.session.get(Account, int(world.values["account_id"]))
        assert account is not None and account.role == "member"


def test_an_animator_cannot_disable_an_admin(make_node: Callable[..., Flask]) -> None:
    app = make_node()
    with app.app_context():
        admin_id = db.session.scalars(
            db.select(Account.id).where(Account.email == ADMIN_EMAIL)).one()
    response = session_for(app, ANIMATOR_EMAIL).post(
        f"/admin/membres/{admin_id}/statut", data={"status": "disabled"})
    assert response.status_code == 403
    with app.app_context():
        admin = db.session.get(Account, admin_id)
        assert admin is not None and admin.status == AccountStatus.ACTIVE


def test_member_area_needs_a_session(make_node: Callable[..., Flask]) -> None:
    app = make_node()
    world = build_world(app)
    anonymous = app.test_client()
    private = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("members.")
               and rule.endpoint not in ("members.profile", "members.vcard")]
    assert len(private) >= 10
    for rule in private:
        for method in sorted((rule.methods or set()) & ({"GET"} | WRITE_METHODS)):
            response = anonymous.open(world.url(app, rule), method=method)
            assert response.status_code == 302, (rule.rule, method)
            assert "/connexion" in response.headers["Location"]


def test_a_session_of_node_a_has_no_power_on_node_b(make_node: Callable[..., Flask]) -> None:
    node_a = make_node(SECRET_KEY="secret-of-sparsbach-0123456789")
    node_b = make_node(SECRET_KEY="secret-of-westhouse-0123456789")
    twin = make_node(SECRET_KEY="secret-of-sparsbach-0123456789")  # control: same secret
    client_a = node_a.test_client()
    assert login_form(client_a, ADMIN_EMAIL).status_code == 302
    cookie = client_a.get_cookie("chaleur_session")
    assert cookie is not None and client_a.get("/admin/").status_code == 200
    for target, accepted in ((node_b, False), (twin, True)):
        replay = target.test_client()
        replay.set_cookie("chaleur_session", cookie.value)
        response = replay.get("/admin/")
        assert (response.status_code == 200) is accepted
        if not accepted:
            assert "/connexion" in response.headers["Location"]


def test_node_api_writes_need_a_token(make_node: Callable[..., Flask]) -> None:
    """Every write under /api/ answers 401 JSON without a token (routes found dynamically, so
    a write added later is covered too)."""
    app = make_node()
    world = build_world(app)
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        writes = (rule.methods or set()) & WRITE_METHODS
        if not rule.rule.startswith("/api/") or not writes:
            continue
        for method in writes:
            response = client.open(world.url(app, rule), method=method, json={})
            assert response.status_code == 401 and response.is_json, rule.rule


def test_directory_coordination_needs_a_coordinator(make_directory: Callable[..., Flask],
                                                    make_node: Callable[..., Flask]) -> None:
    app = make_directory()
    pairs = [(e, m) for e, m in _admin_rules(app) if e != "admin.login"]
    assert {e for e, _ in pairs} >= {"admin.dashboard", "admin.decide", "admin.node"}
    urls = {"admin.node": "/coordination/noeuds/1", "admin.decide": "/coordination/noeuds/suspend",
            "admin.dashboard": "/coordination/", "admin.decisions": "/coordination/journal",
            "admin.logout": "/coordination/deconnexion",
            "admin.identity_change": "/coordination/noeuds/1/changement/approuver"}
    before = table_snapshot(app, directory_db)
    # A node admin's cookie, signed with the SAME secret (one .env for both apps).
    node_admin = make_node(SECRET_KEY="test-secret-key-not-for-production")
    node_cookie_client = node_admin.test_client()
    login_form(node_cookie_client, ADMIN_EMAIL)
    node_cookie = node_cookie_client.get_cookie("chaleur_session")
    assert node_cookie is not None
    strangers = [app.test_client(), app.test_client()]
    strangers[1].set_cookie("chaleur_directory_session", node_cookie.value)
    for endpoint, method in pairs:
        for client in strangers:
            response = client.open(urls[endpoint], method=method,
                                   data={"node_id": "https://sparsbach.example"})
            assert response.status_code == 302, (endpoint, method)
            assert "/coordination/connexion" in response.headers["Location"]
    assert table_snapshot(app, directory_db) == before
    coordinator = directory_session(app, COORDINATOR_EMAIL)
    assert coordinator.get("/coordination/").status_code == 200  # a real session does open it


def test_directory_api_is_read_only(make_directory: Callable[..., Flask]) -> None:
    app = make_directory()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            assert not (rule.methods or set()) & WRITE_METHODS, rule.rule
            response = app.test_client().post(rule.rule, json={"x": 1})
            assert response.status_code == 405 and response.is_json


def _token_for(app: Flask, email: str) -> str:
    from node.services import api_tokens

    with app.app_context():
        account = db.session.scalars(db.select(Account).where(Account.email == email)).one()
        secret = api_tokens.create_token(account, "essai").secret
        db.session.commit()
    return secret


def test_an_api_token_has_no_power_on_another_node_nor_for_a_member(
        make_node: Callable[..., Flask]) -> None:
    node_a, node_b = make_node(), make_node()
    admin_token_a = _token_for(node_a, ADMIN_EMAIL)
    member_token_b = _token_for(node_b, MEMBER_EMAIL)
    change = {"description": "Repris par un autre nœud"}
    before = table_snapshot(node_b, db)

    foreign = node_b.test_client().patch(
        "/api/v1/community", json=change, headers={"Authorization": f"Bearer {admin_token_a}"})
    assert foreign.status_code == 401 and foreign.is_json
    as_member = node_b.test_client().patch(
        "/api/v1/community", json=change, headers={"Authorization": f"Bearer {member_token_b}"})
    assert as_member.status_code == 403 and as_member.is_json
    after = table_snapshot(node_b, db)
    assert {k: v for k, v in after.items() if k != "api_token"} == \
        {k: v for k, v in before.items() if k != "api_token"}

    own = node_a.test_client().patch(
        "/api/v1/community", json=change, headers={"Authorization": f"Bearer {admin_token_a}"})
    assert own.status_code == 200  # the same token does work on its own node
