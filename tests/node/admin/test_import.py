"""The CSV member import: preview with per-row errors, then all rows or none."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from node.extensions import db
from node.models import DEFAULT_VISIBILITY, Account, AccountStatus, Member
from node.services import accounts, spreadsheets
from node.services.member_fields import siret_is_valid
from webui.unsafe_text import first_unsafe, unsafe_message

HEADER = "nom;email;métier;siret;commune;compétences;langues"


def valid_siret(prefix: str = "1234567890123") -> str:
    """A SIRET passing the Luhn check, built from any 13 digits."""
    for last in "0123456789":
        if siret_is_valid(prefix + last):
            return prefix + last
    raise AssertionError("no check digit found")


CLEAN = "\n".join([
    HEADER,
    f"Lou Potière;lou@example.org;Potière;{valid_siret()};Sparsbach;poterie, émail;fr, de",
    "Max Menuisier;MAX@example.org;Menuisier;;67475;bois;",
    "",  # blank lines are skipped
]) + "\n"

MIXED = "\n".join([
    HEADER,
    f"Lou Potière;lou@example.org;Potière;{valid_siret()};Sparsbach;poterie;",  # line 2 ok
    "Max Menuisier;max@example.org;Menuisier;12345678901234;67475;;",  # 3: bad SIRET
    "Zoé Graphiste;zoe@example.org;Graphiste;;Atlantis;;",  # 4: unknown commune
    "Lou bis;LOU@example.org;;;67475;;",  # 5: duplicate of line 2
    "Camille bis;camille@example.org;;;;;",  # 6: account exists
    "<script>alert(1)</script>;script@example.org;<b>gras</b>;;;;",  # 7: valid, escaped
    ";noname@example.org;;;;;",  # 8: name missing
    "Sans adresse;pas-une-adresse;;;;;",  # 9: bad e-mail
]) + "\n"


def upload(client: FlaskClient, content: bytes | str, name: str = "membres.csv") -> str:
    """POST the file as a browser would; the body is built here so that a large file does
    not leave the test client's temporary file open."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    boundary = "----chaleur-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n").encode() + data + (
        f"\r\n--{boundary}--\r\n").encode()
    response = client.post("/admin/import", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    return response.get_data(as_text=True) + f"\nSTATUS {response.status_code}"


def upload_id(html: str) -> str:
    match = re.search(r'name="upload" type="hidden" value="([^"]+)"', html) or re.search(
        r'type="hidden" name="upload" value="([^"]+)"', html)
    assert match, "no confirmation form"
    return match.group(1)


def account_count(app: Flask) -> int:
    with app.app_context():
        return len(db.session.scalars(db.select(Account)).all())


def test_mixed_file_shows_row_errors_and_writes_nothing(app: Flask,
                                                         admin_client: FlaskClient) -> None:
    before = account_count(app)
    html = upload(admin_client, MIXED)
    assert html.endswith("STATUS 422")
    assert "Corrigez les lignes 3, 4, 5, 6, 8, 9" in html
    assert "Numéro SIRET invalide" in html
    assert "Commune inconnue : « Atlantis »" in html
    assert "Adresse déjà présente à la ligne 2 du fichier" in html
    assert "Un compte existe déjà avec cette adresse" in html
    assert "Le nom affiché est obligatoire" in html
    assert "Adresse e-mail invalide" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "&lt;b&gt;gras&lt;/b&gt;" in html
    assert 'action="/admin/import/confirmer"' not in html  # no way to import part of it
    assert account_count(app) == before


def test_clean_file_imports_every_row_on_confirmation(app: Flask,
                                                      admin_client: FlaskClient) -> None:
    before = account_count(app)
    html = upload(admin_client, CLEAN)
    assert html.endswith("STATUS 200")
    assert "Importer ces 2 membres" in html
    assert "Sparsbach (67475)" in html  # the commune, found by name, shown with its code
    assert account_count(app) == before  # the preview writes nothing
    response = admin_client.post("/admin/import/confirmer", data={"upload": upload_id(html)})
    assert response.status_code == 302
    assert account_count(app) == before + 2
    with app.app_context():
        lou = accounts.find_account("lou@example.org")
        max_ = accounts.find_account("max@example.org")
        assert lou is not None and max_ is not None
        assert (lou.status, lou.role, lou.password_hash) == (AccountStatus.ACTIVE, "member", None)
        member: Member = lou.member
        assert (member.display_name, member.trade, member.commune_code) == (
            "Lou Potière", "Potière", "67475")
        assert member.skills == ["poterie", "émail"] and member.languages == ["fr", "de"]
        assert member.siret == valid_siret() and member.contact_email == "lou@example.org"
        assert all(member.visibility_of(g) == v for g, v in DEFAULT_VISIBILITY.items())
        assert max_.member.commune_code == "67475"
    again = admin_client.post("/admin/import/confirmer", data={"upload": upload_id(html)})
    assert again.status_code == 302  # the stored upload is gone: nothing imported twice
    assert account_count(app) == before + 2


def test_confirmation_checks_again_and_writes_nothing(app: Flask,
                                                     admin_client: FlaskClient) -> None:
    html = upload(admin_client, CLEAN)
    with app.app_context():  # someone joined with one of the addresses meanwhile
        accounts.create_account("max@example.org", "Max déjà là", None)
        db.session.commit()
    before = account_count(app)
    response = admin_client.post("/admin/import/confirmer", data={"upload": upload_id(html)})
    assert response.status_code == 422
    assert "Un compte existe déjà avec cette adresse" in response.get_data(as_text=True)
    assert account_count(app) == before


def test_latin1_comma_file(app: Flask, admin_client: FlaskClient) -> None:
    content = ("Nom,E-mail,Métier,Commune,Téléphone,Colonne perso\n"
               "Jérôme Bâtisseur,jerome@example.org,Maçon,67475,03 88 12 34 56,x\n")
    html = upload(admin_client, content.encode("latin-1"))
    assert html.endswith("STATUS 200")
    assert "Jérôme Bâtisseur" in html and "Maçon" in html
    assert "Colonne perso" in html  # reported as ignored
    admin_client.post("/admin/import/confirmer", data={"upload": upload_id(html)})
    with app.app_context():
        jerome = accounts.find_account("jerome@example.org")
        assert jerome is not None
        assert (jerome.member.display_name, jerome.member.trade, jerome.member.phone) == (
            "Jérôme Bâtisseur", "Maçon", "03 88 12 34 56")


def test_utf8_bom_file_with_english_headers() -> None:
    content = "\ufeffName;Email;Trade;Skills;Website\nAnn Smith;ann@example.org;Baker;bread;" \
              "ann.example\n"
    text = spreadsheets.decode_upload(content.encode("utf-8"))
    assert spreadsheets.detect_separator(text) == ";"
    assert spreadsheets.header_field("Compétences") == "skills"
    assert spreadsheets.decode_upload("Métier".encode("cp1252")) == "Métier"


def test_refused_files_show_the_reason_beside_the_field(app: Flask,
                                                        admin_client: FlaskClient) -> None:
    html = upload(admin_client, "nom;métier\nLou;Potière\n")
    assert html.endswith("STATUS 422")
    assert 'id="file-error"' in html and "Colonnes obligatoires absentes : e-mail" in html
    big = HEADER + "\n" + ("Lou;lou@example.org;;;;;\n" * 60000)
    html = upload(admin_client, big)
    assert 'id="file-error"' in html and "trop volumineux" in html
    html = upload(admin_client, b"")
    assert 'id="file-error"' in html


def test_unknown_or_foreign_upload_id_writes_nothing(app: Flask,
                                                     admin_client: FlaskClient) -> None:
    before = account_count(app)
    for bogus in ("x" * 43, "../../secret_key", ""):
        response = admin_client.post("/admin/import/confirmer", data={"upload": bogus})
        assert response.status_code in (302, 400)
    assert account_count(app) == before


def test_stored_uploads_are_private_and_expire(tmp_path: Path) -> None:
    folder = tmp_path / "imports"
    upload_id = spreadsheets.store_upload(folder, "nom;email\n", owner_id=1)
    path = folder / f"{upload_id}.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert spreadsheets.load_upload(folder, upload_id, owner_id=2) is None
    assert spreadsheets.load_upload(folder, upload_id, owner_id=1) == "nom;email\n"
    old = time.time() - spreadsheets.UPLOAD_LIFETIME_SECONDS - 1
    os.utime(path, (old, old))
    assert spreadsheets.load_upload(folder, upload_id, owner_id=1) is None
    assert not path.exists()


def test_import_service_all_or_nothing(any_db_app: Flask) -> None:
    """On SQLite and PostgreSQL: a valid file is written whole; a late failure leaves nothing."""
    with any_db_app.app_context(), force_locale("fr"):
        preview = spreadsheets.parse_member_file(CLEAN.encode("utf-8"))
        assert preview.is_valid and len(preview.rows) == 2
        created = spreadsheets.apply_import(preview)
        db.session.commit()
        assert [m.account.email for m in created] == ["lou@example.org", "max@example.org"]
        other = CLEAN.replace("lou@", "lea@").replace("max@", "mia@").replace("MAX@", "mia@")
        preview = spreadsheets.parse_member_file(other)
        assert preview.is_valid
        accounts.create_account("mia@example.org", "Mia arrivée entre-temps", None)
        db.session.commit()
        with pytest.raises(accounts.AccountError):
            spreadsheets.apply_import(preview)
        db.session.rollback()  # what the view and the command do
        assert accounts.find_account("lea@example.org") is None  # first row rolled back
        emails = sorted(db.session.scalars(db.select(Account.email)))
        assert emails == ["admin@example.org", "camille@example.org", "lou@example.org",
                          "max@example.org", "mia@example.org"]


# -- invisible control characters and formulas, in every column -----------------------------

REFUSED = ["Lou\x00", "Lou \u202eerèitoP", "\u2066Potière\u2069", "Po\x1btière"]
# One header each import column is known by (every column the import reads).
COLUMNS = {field_name: next(h for h, f in spreadsheets.HEADER_SYNONYMS.items()
                            if f == field_name)
           for field_name in sorted(set(spreadsheets.HEADER_SYNONYMS.values()))}


def _one_row_file(column: str, value: str) -> str:
    cells = {"display_name": "Lou Potière", "email": "lou@example.org", column: value}
    headers = [COLUMNS[name] for name in cells]
    return ";".join(headers) + "\n" + ";".join(f'"{v}"' for v in cells.values()) + "\n"


def test_every_column_refuses_invisible_controls(app: Flask) -> None:
    assert len(COLUMNS) == 11  # every member field the import knows, e-mail included
    with app.test_request_context():
        for column in COLUMNS:
            for value in REFUSED:
                preview = spreadsheets.parse_member_file(_one_row_file(column, value))
                [row] = preview.rows
                char = next(c for c in value if c in "\x00\u202e\u2066\x1b")
                assert row.errors.get(column) == unsafe_message(char), (column, value)
                assert not preview.is_valid
                assert first_unsafe(row.raw[column]) is None  # the preview shows it without


def test_preview_page_names_the_invisible_character_and_imports_nothing(
        app: Flask, admin_client: FlaskClient) -> None:
    before = account_count(app)
    html = upload(admin_client, _one_row_file("trade", "Potier \u202eeinimmoc"))
    assert html.endswith("STATUS 422")
    assert "caractère invisible interdit (U+202E, contrôle du sens d&#39;écriture)" in html
    assert "\u202e" not in html
    assert 'action="/admin/import/confirmer"' not in html
    assert account_count(app) == before


@pytest.mark.parametrize("formula", ["=1+2", "+1+1", "-2+3", "@SUM(A1)",
                                     '=HYPERLINK("http://x")'])
def test_every_column_flags_a_cell_a_spreadsheet_would_run(app: Flask, formula: str) -> None:
    with app.test_request_context():
        for column in COLUMNS:
            preview = spreadsheets.parse_member_file(_one_row_file(column, formula))
            [row] = preview.rows
            assert column in row.warnings, (column, formula)
            assert f"Commence par « {formula[0]} »" in row.warnings[column]


def test_numbers_and_phone_numbers_are_not_flagged(app: Flask) -> None:
    with app.test_request_context():
        for column, value in (("phone", "+33 3 88 00 00 00"), ("trade", "-12,5"),
                              ("bio", "Menuisier = ébéniste")):
            [row] = spreadsheets.parse_member_file(_one_row_file(column, value)).rows
            assert row.warnings == {}, (column, value)


def test_formula_cells_are_flagged_in_the_preview_then_imported_as_text(
        app: Flask, admin_client: FlaskClient) -> None:
    content = ("nom;email;métier;entreprise;téléphone\n"
               'Lou Potière;lou@example.org;"=HYPERLINK(""http://x"")";@SUM(A1);+33 3 88 12 34 56\n'
               "Max Menuisier;max@example.org;Menuisier;;\n")
    html = upload(admin_client, content)
    assert html.endswith("STATUS 200")  # flagged, not refused: the file can be imported
    assert "2 cellules commencent par =, +, - ou @" in html
    assert "Attention — Métier : Commence par « = »" in html
    assert "Attention — Entreprise : Commence par « @ »" in html
    assert "Téléphone : Commence" not in html  # a phone number runs nothing
    response = admin_client.post("/admin/import/confirmer", data={"upload": upload_id(html)})
    assert response.status_code == 302
    with app.app_context():
        lou = accounts.find_account("lou@example.org")
        assert lou is not None and lou.member.trade == '=HYPERLINK("http://x")'
    exported = admin_client.get("/admin/export/membres.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in exported and "'@SUM(A1)" in exported
