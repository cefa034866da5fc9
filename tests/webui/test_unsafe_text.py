"""Invisible control characters are refused in every form and every query string of both
sites, with the same French message (webui.unsafe_text).

The forms are not a hand-picked few: every form class defined in ``node`` and ``directory``
is found by importing both packages, each of its fields is sent the characters, and each must
be refused beside that field. The query strings are every GET route of both apps.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask_babel import force_locale
from flask_login import login_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import SelectFieldBase

import directory
import node
from tests.conftest import ADMIN_EMAIL, build_node
from tests.directory.conftest import build_directory
from webui.errors import JSON_PREFIXES
from webui.forms import Form
from webui.unsafe_text import first_unsafe, removed_message, unsafe_message, without_unsafe

# NUL, a right-to-left override, a left-to-right isolate, and a control that str.strip()
# takes for blank (so an Optional() validator would stop the field's own chain on it).
REFUSED = {"nul": "Dupont\x00Mairie", "rlo": "Facture \u202egnp.exe", "lri": "\u2066Lou\u2069",
           "blank-looking": "\x1f"}
ALLOWED = "Lou Potière — « atelier » 🙂\n\tligne 2\r\n"


def _import_all(package: ModuleType) -> None:
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".migrations" not in info.name and not info.name.endswith("__main__"):
            importlib.import_module(info.name)


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def every_form_class() -> list[type[FlaskForm]]:
    _import_all(node)
    _import_all(directory)
    found = {cls for cls in _subclasses(FlaskForm)
             if cls.__module__.startswith(("node.", "directory."))}
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


FORM_CLASSES = every_form_class()
# Forms with no field but the CSRF token (a click that confirms), and the file upload, whose
# content the import checks cell by cell (tests/node/admin/test_import.py).
NO_TEXT_FIELD = {"AttendanceForm", "ConfirmForm", "UploadForm"}
TEXT_FORMS = [cls for cls in FORM_CLASSES if cls.__qualname__ not in NO_TEXT_FIELD]


def test_the_enumeration_finds_the_forms_of_both_apps() -> None:
    names = {cls.__qualname__ for cls in FORM_CLASSES}
    assert {"JoinForm", "ProfileForm", "EventForm", "CancelForm", "VenueForm",
            "CommunityForm", "TokenForm", "DecisionForm"} <= names
    assert any(cls.__module__.startswith("directory.") for cls in FORM_CLASSES)
    assert len(FORM_CLASSES) >= 25


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda cls: cls.__qualname__)
def test_every_form_derives_from_the_shared_form(form_class: type[FlaskForm]) -> None:
    """A form written on FlaskForm directly would skip the check: refuse it here."""
    assert issubclass(form_class, Form)


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Flask]]:
    base: Path = tmp_path_factory.mktemp("unsafe")
    built = {"node": build_node(base / "node"), "directory": build_directory(base / "pays")}
    yield built
    _dispose(built)


def _dispose(apps: dict[str, Flask]) -> None:
    for name, app in apps.items():
        database = importlib.import_module(f"{name}.extensions").db
        with app.app_context():
            database.session.remove()
            database.engine.dispose()


def _submitted(app: Flask, form_class: type[FlaskForm], value: str) -> Any:
    """The form as it reads a POST where every one of its fields holds ``value``."""
    names = [field.name for field in form_class(formdata=None, meta={"csrf": False})]
    form = form_class(formdata=MultiDict({name: value for name in names}),
                      meta={"csrf": False})
    for field in form:
        if isinstance(field, SelectFieldBase) and getattr(field, "choices", ()) is None:
            field.choices = []  # filled by the view from the database (venues...)
    return form


def _app_for(apps: dict[str, Flask], form_class: type[FlaskForm]) -> Flask:
    return apps["directory" if form_class.__module__.startswith("directory.") else "node"]


@contextmanager
def _as_staff(app: Flask) -> Iterator[None]:
    """A POST request of the node's admin or the Pays coordinator (some forms read roles)."""
    with app.test_request_context(method="POST"):
        if app.import_name == "node":
            from node.extensions import db
            from node.models import Account

            login_user(db.session.scalars(db.select(Account).where(
                Account.email == ADMIN_EMAIL)).one())
        else:
            from directory.extensions import db as pays_db
            from directory.models import Coordinator

            login_user(pays_db.session.scalars(pays_db.select(Coordinator)).first())
        yield


@pytest.mark.parametrize("kind", list(REFUSED))
@pytest.mark.parametrize("form_class", TEXT_FORMS, ids=lambda cls: cls.__qualname__)
def test_every_field_of_every_form_refuses_invisible_controls(
        apps: dict[str, Flask], form_class: type[FlaskForm], kind: str) -> None:
    value = REFUSED[kind]
    app = _app_for(apps, form_class)
    with _as_staff(app):
        form = _submitted(app, form_class, value)
        fields = [field for field in form if field.raw_data]
        assert fields, f"{form_class.__qualname__} has no field to fill"
        assert form.validate() is False
        expected = removed_message(first_unsafe(value) or "")
        for field in fields:
            assert expected in field.errors, (form_class.__qualname__, field.name)
            assert first_unsafe(str(field())) is None, "shown back without them"
        assert form.errors  # the cached summary includes the added errors


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda cls: cls.__qualname__)
def test_ordinary_text_with_accents_emoji_and_line_breaks_is_not_refused(
        apps: dict[str, Flask], form_class: type[FlaskForm]) -> None:
    app = _app_for(apps, form_class)
    with _as_staff(app):
        form = _submitted(app, form_class, ALLOWED)
        form.validate()
        for field in form:
            assert not any("invisible" in str(error) for error in field.errors), field.name


def test_the_message_names_the_character_in_french_and_english(apps: dict[str, Flask]) -> None:
    with apps["node"].test_request_context():
        assert unsafe_message("\u202e") == ("Ce texte contient un caractère invisible interdit "
                                            "(U+202E, contrôle du sens d'écriture) : "
                                            "retirez-le, puis envoyez à nouveau.")
        assert "U+0000" in unsafe_message("\x00")
    with apps["node"].test_request_context(), force_locale("en"):
        assert "invisible" in unsafe_message("\u202e") and "U+202E" in unsafe_message("\u202e")
        assert "caractère" not in unsafe_message("\u202e")


def test_without_unsafe_keeps_everything_else() -> None:
    assert without_unsafe("Fa\u202ecture\x00 é\n") == "Facture é\n"
    assert first_unsafe(ALLOWED) is None


def _get_urls(app: Flask) -> list[str]:
    """Every GET route of the app, path variables filled with a plausible value."""
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" not in (rule.methods or set()):
            continue
        with app.test_request_context():
            from flask import url_for

            urls.append(url_for(rule.endpoint, **{name: "1" for name in rule.arguments}))
    return urls


@pytest.mark.parametrize("app_name", ["node", "directory"])
def test_every_query_string_of_both_apps_refuses_invisible_controls(
        apps: dict[str, Flask], app_name: str) -> None:
    app = apps[app_name]
    client = app.test_client()
    urls = _get_urls(app)
    assert len(urls) > 15
    for url in urls:
        for value in REFUSED.values():
            for query in (f"q={quote(value)}", f"{quote(value)}=1"):
                response = client.get(f"{url}?{query}")
                assert response.status_code == 400, (url, query, response.status_code)
                if url.startswith(JSON_PREFIXES):
                    body = response.get_json()["message"]
                else:
                    body = response.get_data(as_text=True)
                assert "caractère invisible interdit" in body, (url, query)
                response.close()
    # Ordinary queries still pass the gate (whatever the page then answers).
    assert client.get("/?q=" + quote("Potière « atelier »")).status_code == 200


# -- through the real views: refused beside the field, nothing stored ------------------------

def test_the_views_refuse_and_store_nothing(tmp_path: Path) -> None:
    from directory.extensions import db as pays_db
    from tests.directory.conftest import COORDINATOR_EMAIL, SPARSBACH
    from tests.security.conftest import directory_session, session_for, table_snapshot

    village = build_node(tmp_path / "village")
    member = session_for(village, "camille@example.org")
    before = table_snapshot(village)
    profile = member.post("/mon-profil", data={
        "display_name": "Camille", "trade": "Graphiste \u202eeipoc", "bio": "Bonjour",
        **{f"visibility_{g}": "public" for g in ("identity", "skills", "about", "contact")}})
    assert profile.status_code == 422
    page = profile.get_data(as_text=True)
    assert "U+202E, contrôle du sens d&#39;écriture" in page
    assert 'value="Graphiste eipoc"' in page  # kept, without the invisible character
    offer = member.post("/mon-profil/offres", data={"kind": "offer", "title": "Scie\x00",
                                                    "details": ""})
    assert offer.status_code == 422 and "U+0000, caractère nul" in offer.get_data(as_text=True)
    assert table_snapshot(village) == before

    pays = build_directory(tmp_path / "pays")
    coordinator = directory_session(pays, COORDINATOR_EMAIL)
    before = table_snapshot(pays, pays_db)
    response = coordinator.post("/coordination/noeuds/suspend", data={
        "node_id": SPARSBACH, "reason": "Décidé \u2067en réunion\u2069"})
    assert response.status_code == 302
    assert "Décision non enregistrée" in coordinator.get(
        response.location).get_data(as_text=True)
    assert table_snapshot(pays, pays_db) == before
    _dispose({"node": village, "directory": pays})


def test_fields_a_view_reads_beside_its_form_are_checked_too(apps: dict[str, Flask]) -> None:
    """A view that validates a form for its CSRF token, then reads one field per option or
    per row from the request, gets those fields checked by the same validate()."""
    from node.public.forms import ConfirmForm

    with apps["node"].test_request_context(method="POST", data={
            "option-12": "Oui \u202enon", "reason": "Parce que"}):
        form = ConfirmForm(meta={"csrf": False})
        assert form.validate() is False
        assert form.form_errors == [unsafe_message("\u202e")]
    with apps["node"].test_request_context(method="POST", data={"option-12": "Oui"}):
        assert ConfirmForm(meta={"csrf": False}).validate() is True
