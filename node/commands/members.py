"""Members from the command line: CSV import and export.

``chaleur members import FILE [--dry-run]`` checks every row first and writes nothing unless
the whole file is valid (exit status 1 and the list of faulty rows otherwise), exactly as the
admin page does; ``chaleur members export [FILE | --output FILE]`` writes the members CSV.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from node.extensions import db
from node.services import spreadsheets
from node.services.accounts import AccountError

CLI_LANGUAGE = "fr"


def _progress(label: str) -> spreadsheets.ProgressCallback:
    def report(done: int, total: int) -> None:
        step = max(1, total // 10)  # about ten lines, whatever the file's length
        if done % step == 0 or done == total:
            click.echo(f"{label} {done}/{total}", err=True)

    return report


def _print_errors(preview: spreadsheets.ImportPreview) -> None:
    bad = preview.rows_with_errors
    click.echo(f"{len(bad)} ligne(s) sur {len(preview.rows)} en erreur ; rien n'a été importé.",
               err=True)
    for row in bad:
        for name, message in row.errors.items():
            click.echo(f"  ligne {row.line} : {name} — {message}", err=True)


@click.command(
    "import",
    short_help="Importer des membres depuis un fichier CSV.",
    help="Importer des membres depuis le fichier CSV FILE : toutes les lignes ou aucune. "
         "Chaque ligne est vérifiée d'abord ; rien n'est enregistré si une ligne est en "
         "erreur.",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Vérifier le fichier sans rien enregistrer.")
@with_appcontext
def import_command(file: Path, dry_run: bool) -> None:
    """Import members from a CSV file (all rows or none)."""
    with force_locale(CLI_LANGUAGE):  # no request here to choose a language from
        _import(file.read_bytes(), dry_run)


def _import(data: bytes, dry_run: bool) -> None:
    try:
        preview = spreadsheets.parse_member_file(data, progress=_progress("Vérification"))
    except spreadsheets.ImportRefused as error:
        click.echo(f"Erreur : {error}", err=True)
        sys.exit(1)
    if preview.ignored_columns:
        click.echo("Colonnes ignorées : " + ", ".join(preview.ignored_columns), err=True)
    if not preview.rows:
        click.echo("Erreur : le fichier ne contient aucune ligne de membre.", err=True)
        sys.exit(1)
    if not preview.is_valid:
        _print_errors(preview)
        sys.exit(1)
    if dry_run:
        click.echo(f"{len(preview.rows)} ligne(s) valides. --dry-run : rien n'a été enregistré.")
        return
    try:
        created = spreadsheets.apply_import(preview, progress=_progress("Import"))
    except AccountError as error:
        db.session.rollback()
        click.echo(f"Erreur : {error} Rien n'a été importé.", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"{len(created)} membre(s) importé(s). Ils n'ont pas encore de mot de passe : "
               "invitez-les depuis l'administration.")


@click.command(
    "export",
    short_help="Exporter les membres en CSV.",
    help="Exporter tous les membres en CSV (UTF-8 avec BOM, séparateur « ; », pour Excel), "
         "dans FILE, dans le fichier de --output, ou sur la sortie standard.",
)
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="Fichier à écrire (sinon la sortie standard).")
@with_appcontext
def export_command(file: Path | None, output: Path | None) -> None:
    """Export every member as CSV (UTF-8 with BOM, ';' separator, for Excel)."""
    if file and output and file != output:
        click.echo("Erreur : indiquez le fichier une seule fois (FILE ou --output).", err=True)
        sys.exit(2)
    target = output or file
    with force_locale(CLI_LANGUAGE):
        body = spreadsheets.members_csv()
    if target is None:
        click.echo(body, nl=False)  # bytes go to the binary stdout untouched
        return
    target.write_bytes(body)
    click.echo(f"Membres exportés dans {target}.", err=True)


@click.group("members", help="Membres : import et export CSV.",
             short_help="Membres : import et export CSV.")
def members_group() -> None:
    """Members: CSV import and export."""


members_group.add_command(import_command)
members_group.add_command(export_command)

COMMANDS: list[click.Command] = [members_group]
