"""Backups of a node: one ``.tar.gz`` that brings the node back, same identity, elsewhere.

The archive holds a consistent copy of the SQLite database (taken with SQLite's online backup
API, so a node that is serving requests is copied safely), the instance secret key, the feed
secret and ``settings.toml``, every file of ``instance/keys/`` (federation keys) with its
file mode, and a ``manifest.json``. A restore needs nothing else: no ``init`` first.
A PostgreSQL database is not copied here: ``pg_dump`` is the right tool, and the archive then
says so in its manifest instead of pretending.

These functions take plain paths and report progress through a callback, so the CLI prints
and the tests read the same steps.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "node.db"
SECRET = "secret_key"
#: Other instance files a restore needs: the feed's cursor secret (without it the Pays's
#: cursors no longer verify) and the settings written by ``chaleur setup``.
INSTANCE_FILES = ("feed_secret", "settings.toml")
KEYS_DIR = "keys"
SECRET_MODE = 0o600

Progress = Callable[[str], None]


class BackupError(RuntimeError):
    """A backup or restore was refused or failed; the message says why, in French."""


@dataclass(frozen=True)
class NodeFiles:
    """Where one node keeps what a backup must carry."""

    instance_path: Path
    database_url: str

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file behind the database URL, or None for another database."""
        url = make_url(self.database_url)
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            return None
        return Path(url.database)

    @property
    def secret_path(self) -> Path:
        return self.instance_path / SECRET

    @property
    def keys_path(self) -> Path:
        return self.instance_path / KEYS_DIR


@dataclass
class RestoreReport:
    """What a restore put back, for the CLI to print."""

    manifest: dict[str, Any]
    restored: list[str] = field(default_factory=list)
    database_restored: bool = False


def pg_dump_command(database_url: str, output: str = "chaleur.dump") -> str:
    """The ``pg_dump`` command for this database, without its password."""
    url = make_url(database_url)
    bare = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                      database=url.database, query=url.query)
    return f'pg_dump --format=custom --file={output} "{bare.render_as_string()}"'


def _software_version() -> str:
    try:
        return metadata.version("chaleur")
    except metadata.PackageNotFoundError:
        return "inconnue"


def _snapshot(source: Path, target: Path) -> None:
    """Copy a live SQLite database page by page, consistent even while it is being written."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def _describe(database: Path) -> tuple[str, str | None]:
    """Node name and alembic revision read from a database copy (either may be missing)."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        name = ""
        if "community" in tables:
            row = connection.execute("SELECT name FROM community ORDER BY id LIMIT 1").fetchone()
            name = row[0] if row else ""
        revision = None
        if "alembic_version" in tables:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        return name, revision
    finally:
        connection.close()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes, mode: int) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _key_files(files: NodeFiles) -> list[Path]:
    if not files.keys_path.is_dir():
        return []
    return sorted(path for path in files.keys_path.iterdir() if path.is_file())


def create_backup(files: NodeFiles, output: Path, progress: Progress = lambda _: None,
                  node_name: str = "") -> dict[str, Any]:
    """Write the archive to ``output`` (mode 0600: it holds secrets) and return its manifest."""
    sqlite_path = files.sqlite_path
    if sqlite_path is not None and not sqlite_path.exists():
        raise BackupError(f"base de données introuvable : {sqlite_path}. "
                          "Ce nœud a-t-il été initialisé (« chaleur init ») ?")
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chaleur-backup-") as work:
        manifest: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "software_version": _software_version(),
            "node_name": node_name,
            "schema_revision": None,
            "database": make_url(files.database_url).get_backend_name(),
            "database_included": sqlite_path is not None,
            "secret_included": files.secret_path.is_file(),
            "keys": [path.name for path in _key_files(files)],
            "instance_files": [name for name in INSTANCE_FILES
                               if (files.instance_path / name).is_file()],
        }
        snapshot = Path(work) / DATABASE
        if sqlite_path is not None:
            progress(f"Copie cohérente de la base SQLite ({sqlite_path})…")
            _snapshot(sqlite_path, snapshot)
            name, manifest["schema_revision"] = _describe(snapshot)
            manifest["node_name"] = node_name or name
        descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, SECRET_MODE)
        os.chmod(output, SECRET_MODE)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode(), 0o644)
            if sqlite_path is not None:
                archive.add(snapshot, arcname=DATABASE, recursive=False,
                            filter=_with_mode(SECRET_MODE))
            if manifest["secret_included"]:
                progress("Ajout de la clé secrète de l'instance…")
                archive.add(files.secret_path, arcname=SECRET, filter=_with_mode(SECRET_MODE))
            for name in manifest["instance_files"]:
                progress(f"Ajout de {name}…")
                archive.add(files.instance_path / name, arcname=name,
                            filter=_with_mode(SECRET_MODE))
            for key in _key_files(files):
                progress(f"Ajout de la clé {KEYS_DIR}/{key.name}…")
                archive.add(key, arcname=f"{KEYS_DIR}/{key.name}")
    return manifest


def _with_mode(mode: int) -> Callable[[tarfile.TarInfo], tarfile.TarInfo]:
    def set_mode(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.mode = mode
        return info
    return set_mode


def read_manifest(archive_path: Path) -> dict[str, Any]:
    """The manifest of an archive, refusing files that are not Chaleur backups."""
    try:
        with tarfile.open(archive_path, mode="r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest: dict[str, Any] = json.loads(member.read())
    except FileNotFoundError as error:
        raise BackupError(f"fichier introuvable : {archive_path}") from error
    except (tarfile.TarError, KeyError, ValueError, OSError, EOFError, zlib.error) as error:
        raise BackupError(f"{archive_path} n'est pas une sauvegarde Chaleur lisible "
                          "(fichier abîmé ou incomplet ?). Rien n'a été modifié.") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"format de sauvegarde {manifest.get('format')!r} non pris en charge "
                          f"par cette version (format attendu : {FORMAT_VERSION}).")
    return manifest


def existing_node(files: NodeFiles) -> list[str]:
    """What a restore would overwrite: a non-empty database or key files (empty: a fresh node).

    The secret key alone does not count: every start of a fresh instance writes one.
    """
    found = []
    sqlite_path = files.sqlite_path
    if sqlite_path is not None and sqlite_path.exists() and sqlite_path.stat().st_size > 0:
        found.append(str(sqlite_path))
    found.extend(str(path) for path in _key_files(files))
    return found


def _target_of(name: str, files: NodeFiles) -> tuple[Path, int] | None:
    """Where an archive member goes, or None for a name no backup writes (refused)."""
    if name == SECRET:
        return files.secret_path, SECRET_MODE
    if name in INSTANCE_FILES:
        return files.instance_path / name, SECRET_MODE
    if name == DATABASE and files.sqlite_path is not None:
        return files.sqlite_path, SECRET_MODE
    head, _, tail = name.partition("/")
    if head == KEYS_DIR and tail and "/" not in tail and tail not in (".", ".."):
        return files.keys_path / tail, -1
    return None


def _write_file(target: Path, data: bytes, mode: int) -> None:
    """Write beside the target then rename, so a failed restore leaves no half file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".restoring")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, SECRET_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.chmod(partial, mode)
    os.replace(partial, target)


def _drop_sqlite_sidecars(database: Path) -> None:
    """Remove journal files of the database being replaced: SQLite would replay them on it."""
    for suffix in ("-wal", "-shm", "-journal"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)


def restore_backup(archive_path: Path, files: NodeFiles, force: bool = False,
                   progress: Progress = lambda _: None) -> RestoreReport:
    """Put an archive's database, secret and keys in place; refuse to overwrite a live node."""
    manifest = read_manifest(archive_path)
    existing = existing_node(files)
    if existing and not force:
        raise BackupError("cette instance contient déjà un nœud (" + ", ".join(existing)
                          + "). Rien n'a été modifié. Ajoutez --force pour l'écraser.")
    if manifest.get("database_included") and files.sqlite_path is None:
        raise BackupError("la sauvegarde contient une base SQLite mais ce nœud est configuré "
                          "pour une autre base (CHALEUR_DATABASE_URL). Rien n'a été modifié.")
    try:
        return _extract(archive_path, files, manifest, progress)
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise BackupError(f"archive abîmée ou incomplète ({error}). La liste des fichiers "
                          "est vérifiée avant toute écriture : relancez depuis une bonne "
                          "copie (avec --force si une partie a été restaurée).") from error


def _extract(archive_path: Path, files: NodeFiles, manifest: dict[str, Any],
             progress: Progress) -> RestoreReport:
    """Check every member name first, then write each file in place."""
    report = RestoreReport(manifest=manifest)
    with tarfile.open(archive_path, mode="r:gz") as archive:
        members = [member for member in archive.getmembers() if member.name != MANIFEST]
        plan = []
        for member in members:
            target = _target_of(member.name, files)
            if target is None or not member.isfile():
                raise BackupError(f"élément inattendu dans l'archive : {member.name!r}. "
                                  "Rien n'a été modifié.")
            plan.append((member, target))
        for member, (path, mode) in plan:
            handle = archive.extractfile(member)
            if handle is None:
                raise BackupError(f"élément illisible dans l'archive : {member.name!r}.")
            progress(f"Restauration de {member.name}…")
            if member.name == DATABASE:
                _drop_sqlite_sidecars(path)
            _write_file(path, handle.read(), stat.S_IMODE(member.mode) if mode < 0 else mode)
            report.restored.append(member.name)
            report.database_restored |= member.name == DATABASE
    return report


def renumber_feed(database: Path) -> int:
    """Start a new feed epoch in a restored database; the new epoch.

    The Pays read this node's feed up to a position the restored database has never reached,
    and holds records created after the backup. With a new epoch its next read is answered
    ``resync_required``: it drops what it holds from this node and reads the whole feed
    again, so records deleted since the backup come back and later ones disappear. Plain SQL,
    so an archive from an older schema (before ``db upgrade``) is renumbered too.
    """
    connection = sqlite3.connect(database)
    try:
        with connection:
            # Never an epoch the Pays may already hold: restoring the same archive twice
            # (in place, then on a new machine) must renumber twice.
            connection.execute("UPDATE node_identity SET feed_epoch = MAX(feed_epoch + 1, ?)",
                               (int(time.time()),))
        row = connection.execute("SELECT feed_epoch FROM node_identity").fetchone()
    except sqlite3.Error:
        return 0  # no identity in this database: it never shared anything
    finally:
        connection.close()
    return int(row[0]) if row else 0
