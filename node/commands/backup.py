"""Backups: one file with the database and the keys; restore on another machine."""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import with_appcontext

from node.extensions import db
from node.services.backup import (
    BackupError,
    NodeFiles,
    create_backup,
    pg_dump_command,
    renumber_feed,
)
from node.services.backup import restore_backup as restore_archive
from webui.serving import running_server


def _fail(message: str) -> NoReturn:
    click.echo(f"Erreur : {message}", err=True)
    sys.exit(1)


def _node_files() -> NodeFiles:
    return NodeFiles(instance_path=Path(current_app.instance_path),
                     database_url=current_app.config["SQLALCHEMY_DATABASE_URI"])


def _default_output() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path(f"chaleur-sauvegarde-{stamp}.tar.gz")


@click.command(
    "backup",
    short_help="Sauvegarder le nœud dans un seul fichier.",
    help="Sauvegarder dans un seul fichier la base de données, la clé secrète et les clés "
         "du réseau. Gardez ce fichier hors de la machine : il contient des données "
         "personnelles.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Fichier à écrire (par défaut chaleur-sauvegarde-<date>.tar.gz ici).")
@with_appcontext
def backup_command(output: Path | None) -> None:
    """Save the database, the secret key and the federation keys in one file."""
    files = _node_files()
    output = output or _default_output()
    if files.sqlite_path is None:
        click.echo("La base de données n'est pas SQLite : elle n'est PAS dans cette archive.")
        click.echo("Sauvegardez-la avec pg_dump, par exemple :")
        click.echo("  " + pg_dump_command(files.database_url))
    try:
        manifest = create_backup(files, output, progress=click.echo)
    except (BackupError, OSError, sqlite3.Error) as error:
        _fail(str(error))
    click.echo(f"Sauvegarde écrite : {output} (accès réservé au propriétaire, mode 0600).")
    click.echo(f"Nœud « {manifest['node_name'] or '?'} », version du logiciel "
               f"{manifest['software_version']}"
               f", {len(manifest['keys'])} clé(s).")
    if not manifest["secret_included"]:
        click.echo("Attention : pas de fichier secret_key dans l'instance ; la clé vient de "
                   "CHALEUR_SECRET_KEY. Conservez-la à part.")
    click.echo("Gardez ce fichier hors de la machine (clé USB, autre serveur) : il contient "
               "des données personnelles et les clés du nœud.")


@click.command(
    "restore",
    short_help="Restaurer le nœud depuis une sauvegarde.",
    help="Remettre en service un nœud à partir du fichier de sauvegarde ARCHIVE, sous la "
         "même identité sur le réseau.",
)
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Écraser le nœud existant de cette instance.")
@with_appcontext
def restore_command(archive: Path, force: bool) -> None:
    """Bring a node back from a backup file, under the same identity."""
    files = _node_files()
    pid = running_server(files.instance_path)
    if pid is not None:
        _fail(f"le nœud est en service (processus {pid}) : une restauration sous un serveur "
              "en marche abîmerait la base. Arrêtez-le d'abord (Ctrl+C dans son terminal, ou "
              "« sudo systemctl stop chaleur-<identifiant> »), puis relancez la restauration.")
    click.echo(f"Restauration de {archive} dans {files.instance_path}…")
    db.session.remove()
    db.engine.dispose()
    try:
        report = restore_archive(archive, files, force=force, progress=click.echo)
    except (BackupError, OSError) as error:
        _fail(str(error))
    manifest = report.manifest
    if report.database_restored and files.sqlite_path is not None:
        epoch = renumber_feed(files.sqlite_path)
        if epoch:
            click.echo(f"Fil des changements renuméroté (époque {epoch}) : à sa prochaine "
                       "lecture, l'annuaire du Pays relit tout le nœud et se remet en phase "
                       "(les fiches supprimées depuis la sauvegarde reviennent, celles créées "
                       "après disparaissent).")
    click.echo(f"Nœud « {manifest.get('node_name') or '?'} » restauré "
               f"(sauvegarde du {manifest.get('created_at')}, logiciel "
               f"{manifest.get('software_version')}).")
    if not manifest.get("database_included"):
        click.echo("La base de données n'était pas dans l'archive : restaurez-la avec "
                   "pg_restore depuis votre fichier pg_dump.")
    if report.database_restored and manifest.get("schema_revision"):
        click.echo("Étape suivante : « chaleur db upgrade » si cette version du logiciel est "
                   "plus récente, puis « chaleur serve ».")
    else:
        click.echo("Étape suivante : « chaleur serve ».")


COMMANDS: list[click.Command] = [backup_command, restore_command]
