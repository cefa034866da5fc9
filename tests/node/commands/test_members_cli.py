"""``chaleur members import`` and ``chaleur members export`` through the real CLI."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from flask import Flask

from node.extensions import db
from node.models import Account
from node.services import accounts

GOOD = ("nom;email;métier;commune\n"
        "Lou Potière;lou@example.org;Potière;Sparsbach\n"
        "Max Menuisier;max@example.org;Menuisier;67475\n")
BAD = ("nom;email;siret\n"
       "Lou Potière;lou@example.org;\n"
       "Max Menuisier;max@example.org;12345678901234\n"
       "Camille;camille@example.org;\n")


def emails(app: Flask) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(db.select(Account.email)))


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "membres.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_import_with_errors_lists_rows_and_writes_nothing(app: Flask, runner: Any,
                                                          tmp_path: Path) -> None:
    before = emails(app)
    result = runner.invoke(args=["members", "import", write(tmp_path, BAD)])
    assert result.exit_code == 1
    assert "2 ligne(s) sur 3 en erreur" in result.output
    assert "ligne 3 : siret — Numéro SIRET invalide" in result.output
    assert "ligne 4 : email — Un compte existe déjà" in result.output
    assert "Vérification 3/3" in result.output
    assert emails(app) == before


def test_dry_run_checks_without_writing(app: Flask, runner: Any, tmp_path: Path) -> None:
    before = emails(app)
    result = runner.invoke(args=["members", "import", "--dry-run", write(tmp_path, GOOD)])
    assert result.exit_code == 0, result.output
    assert "2 ligne(s) valides" in result.output
    assert emails(app) == before


def test_import_writes_every_row(app: Flask, runner: Any, tmp_path: Path) -> None:
    result = runner.invoke(args=["members", "import", write(tmp_path, GOOD, "latin-1")])
    assert result.exit_code == 0, result.output
    assert "Import 2/2" in result.output and "2 membre(s) importé(s)" in result.output
    with app.app_context():
        lou = accounts.find_account("lou@example.org")
        assert lou is not None and lou.member.trade == "Potière"
        assert lou.member.commune_code == "67475" and lou.password_hash is None


def test_import_of_missing_file_fails_cleanly(runner: Any, tmp_path: Path) -> None:
    result = runner.invoke(args=["members", "import", str(tmp_path / "absent.csv")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_export_to_file_and_stdout(app: Flask, runner: Any, tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    result = runner.invoke(args=["members", "export", "--output", str(target)])
    assert result.exit_code == 0, result.output
    body = target.read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0][0] == "Nom"
    assert sorted(row[5] for row in rows[1:]) == emails(app)
    positional = tmp_path / "positional.csv"
    assert runner.invoke(args=["members", "export", str(positional)]).exit_code == 0
    assert positional.read_bytes() == body
    stdout = runner.invoke(args=["members", "export"])
    assert stdout.exit_code == 0
    assert "camille@example.org" in stdout.output
