"""The staff's members page finds, filters, sorts and pages accounts (issue #15, fix 9),
and its buttons bring the staff back to the list as they left it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import AccountStatus, Role, utcnow
from node.services import accounts
from tests.conftest import AuthActions

PEOPLE = (  # name, e-mail, trade, status, role, days since they joined or asked
    ("Élodie Zéphyr", "elodie@village.example", "Ébéniste", AccountStatus.ACTIVE,
     Role.MEMBER, 400),
    ("Bruno Aubépine", "bruno@village.example", "Plombier", AccountStatus.PENDING,
     Role.MEMBER, 3),
    ("Nadia Tilleul", "nadia@village.example", "Graphiste", AccountStatus.PENDING,
     Role.MEMBER, 9),
    ("Yves Sapin", "yves@village.example", "Comptable", AccountStatus.DISABLED,
     Role.MEMBER, 200),
    ("Rose Anim", "rose@village.example", "Animatrice", AccountStatus.ACTIVE,
     Role.ANIMATOR, 30),
    ("Paul Refus", "paul@village.example", "", AccountStatus.REFUSED, Role.MEMBER, 50),
)


@pytest.fixture
def staff(app: Flask, auth: AuthActions) -> FlaskClient:
    with app.app_context():
        now = utcnow()
        for name, email, trade, status, role, days in PEOPLE:
            account = accounts.create_account(email, name, None, role=role, status=status)
            account.member.trade = trade
            account.created_at = now - timedelta(days=days)
            account.member.joined_at = now - timedelta(days=days)
        db.session.commit()
    assert auth.login_admin().status_code == 302
    return auth.client


def names(client: FlaskClient, query: str = "") -> list[str]:
    html = client.get(f"/admin/membres{query}").get_data(as_text=True)
    assert client.get(f"/admin/membres{query}").status_code == 200
    rows = html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""
    return re.findall(r'<td class="roster-name">\s*<strong>([^<]+)</strong>', rows)


def test_default_order_puts_waiting_requests_first_oldest_first(staff: FlaskClient) -> None:
    listed = names(staff)
    assert listed[:2] == ["Nadia Tilleul", "Bruno Aubépine"]  # asked 9, then 3 days ago
    assert listed[2:] == sorted(listed[2:], key=lambda n: n.replace("É", "E"))


@pytest.mark.parametrize(("query", "expected"), [
    ("?q=elodie", ["Élodie Zéphyr"]),  # accents ignored
    ("?q=ZEPHYR", ["Élodie Zéphyr"]),
    ("?q=nadia%40village", ["Nadia Tilleul"]),  # the e-mail address
    ("?q=plombier", ["Bruno Aubépine"]),  # the trade
    ("?q=village+yves", ["Yves Sapin"]),  # every word must match
    ("?statut=pending", ["Nadia Tilleul", "Bruno Aubépine"]),
    ("?statut=disabled", ["Yves Sapin"]),
    ("?statut=refused", ["Paul Refus"]),
    ("?role=animator", ["Rose Anim"]),
    ("?role=member&statut=active&q=e", ["Camille Testeuse", "Élodie Zéphyr"]),
    ("?q=nobody-at-all", []),
])
def test_search_and_filters(staff: FlaskClient, query: str, expected: list[str]) -> None:
    assert names(staff, query) == expected


def test_sorting(staff: FlaskClient) -> None:
    assert names(staff, "?tri=recent&statut=active")[-1] == "Élodie Zéphyr"
    assert names(staff, "?tri=ancien&statut=active")[0] == "Élodie Zéphyr"
    by_name = names(staff, "?tri=nom")
    assert by_name[0] == "Alix Admin" and by_name.index("Bruno Aubépine") == 1


def test_bad_parameters_fall_back_instead_of_failing(staff: FlaskClient) -> None:
    everyone = names(staff)
    for query in ("?statut=emperor", "?role=emperor", "?tri=chaos", "?page=abc", "?page=-2",
                  "?page=99999999"):
        assert names(staff, query) == everyone, query


def test_counts_per_status_in_the_filter(staff: FlaskClient) -> None:
    html = staff.get("/admin/membres").get_data(as_text=True)
    assert re.search(r'<option value="pending">En attente \(2\)</option>', html)
    assert re.search(r'<option value="">Tous \(8\)</option>', html)


def test_pages_of_twenty_five_keep_the_filters(app: Flask, staff: FlaskClient) -> None:
    with app.app_context():
        for n in range(30):
            accounts.create_account(f"artisan{n:02d}@village.example", f"Artisan {n:02d}", None)
        db.session.commit()
    first = staff.get("/admin/membres?q=artisan&tri=nom").get_data(as_text=True)
    assert "30 comptes · page 1 sur 2" in first
    assert names(staff, "?q=artisan&tri=nom") == [f"Artisan {n:02d}" for n in range(25)]
    nxt = re.search(r'rel="next" href="([^"]+)"', first)
    assert nxt and "q=artisan" in nxt.group(1) and "tri=nom" in nxt.group(1)
    second = nxt.group(1).replace("&amp;", "&")
    assert names(staff, second[len("/admin/membres"):]) == [f"Artisan {n}" for n in range(25, 30)]


def test_an_action_returns_to_the_filtered_list(app: Flask, staff: FlaskClient) -> None:
    html = staff.get("/admin/membres?statut=pending&q=bruno").get_data(as_text=True)
    action = re.search(r'action="(/admin/membres/\d+/admettre[^"]*)"', html)
    assert action and "statut=pending" in action.group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    response = staff.post(action.group(1).replace("&amp;", "&"),
                          data={"csrf_token": token.group(1) if token else ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/membres?q=bruno&statut=pending")
    with app.app_context():
        assert accounts.find_account("bruno@village.example").status == "active"  # type: ignore[union-attr]
