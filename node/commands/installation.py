"""``chaleur setup``: a village volunteer's one guided command, from nothing to a running node.

It asks (or takes as options, for scripts) what a node needs, writes the answers to the
instance's ``settings.toml`` so no later command needs exported variables, creates the
community, its first admin and the node's key, optionally asks the Pays directory to admit the
node, and writes a systemd service unit so the node restarts by itself. Getting the code,
installing, ``chaleur setup`` and ``chaleur serve``: four commands (docs/guide, chapter 2).
"""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext

import communes
from federation.keys import is_node_id
from node.extensions import db
from node.models import Community
from node.peering import identity
from node.peering.directory import DirectoryError, join_directory
from node.services.community import extra_communes
from webui.instance import write_settings
from webui.settings import LOOPBACK_HOSTS

SERVICE_CHOICES = ("afficher", "installer", "aucun")


def _fail(message: str) -> NoReturn:
    click.echo(f"Erreur : {message}", err=True)
    sys.exit(1)


def resolve_commune(text: str) -> communes.Commune:
    """The commune typed (code or name), or a French refusal naming the nearest ones."""
    found = communes.resolve(text, extra_communes())
    if found.commune is not None:
        return found.commune
    shown = ", ".join(f"{c.name} ({c.code})" for c in found.candidates)
    if found.ambiguous:
        _fail(f"« {text} » désigne plusieurs communes : {shown}. Donnez le code INSEE.")
    _fail(f"commune inconnue : « {text} »"
          + (f" (vouliez-vous dire {shown} ?)" if shown else "")
          + ". Donnez le code INSEE de la commune, par exemple 67089 pour Dettwiller.")


def _ask(interactive: bool, value: str | None, question: str, default: str | None = None,
         *, option: str) -> str:
    if value:
        return value
    if interactive:
        return str(click.prompt(question, default=default, prompt_suffix=" : "))
    if default is not None:
        return default
    _fail(f"{option} manque (sans terminal, rien ne peut être demandé).")


def _password(interactive: bool, given: str | None) -> str:
    if given:
        return given
    if not interactive:
        _fail("mot de passe manquant : --admin-password ou CHALEUR_ADMIN_PASSWORD.")
    first = getpass.getpass("Mot de passe de l'administrateur (8 caractères au moins) : ")
    if first != getpass.getpass("Confirmez : "):
        _fail("les deux mots de passe diffèrent.")
    return first


def service_unit(node_id: str, name: str, instance: Path) -> str:
    """A systemd unit that starts ``chaleur serve`` at boot and again after a crash."""
    user = getpass.getuser()
    return "\n".join([
        "[Unit]",
        f"Description=Chaleur : nœud « {name} »",
        "After=network-online.target",
        "Wants=network-online.target",
        "",
        "[Service]",
        f"User={user}",
        f"WorkingDirectory={instance.parent}",
        f"Environment=CHALEUR_INSTANCE_PATH={instance}",
        f"ExecStart={sys.executable} -m node serve",
        "Restart=on-failure",
        "RestartSec=5",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ])


def _service(choice: str, node_id: str, name: str, instance: Path, unit_dir: Path) -> None:
    if choice == "aucun":
        return
    unit = service_unit(node_id, name, instance)
    file_name = f"chaleur-{node_id}.service"
    local = instance / file_name
    local.write_text(unit, encoding="utf-8")
    if choice == "installer":
        try:
            (unit_dir / file_name).write_text(unit, encoding="utf-8")
        except OSError as error:
            click.echo(f"Service non installé ({error.strerror} : {unit_dir}). Il faut les "
                       "droits d'administrateur de la machine ; avec eux :")
        else:
            click.echo(f"Service installé : {unit_dir / file_name}")
            if shutil.which("systemctl") and unit_dir == Path("/etc/systemd/system"):
                done = subprocess.run(["systemctl", "enable", "--now", file_name],
                                      capture_output=True, text=True, check=False)
                if done.returncode == 0:
                    click.echo("Le nœud démarre maintenant et redémarrera tout seul.")
                    return
                click.echo("systemctl n'a pas pu l'activer : "
                           + (done.stderr.strip().splitlines() or ["?"])[-1])
            return
    click.echo(f"Service systemd écrit dans {local} ; pour que le nœud démarre seul et "
               "redémarre après une panne, avec les droits d'administrateur :")
    click.echo(f"  sudo cp {local} /etc/systemd/system/ && sudo systemctl enable --now "
               f"{file_name}")


@click.command(
    "setup",
    short_help="Installer le nœud pas à pas (réglages, communauté, admin, annuaire, service).",
    help="Installer le nœud en répondant à quelques questions (ou avec les options, pour un "
         "script) : réglages écrits dans l'instance, communauté et sa commune, premier "
         "administrateur, clé du nœud, adhésion à l'annuaire du Pays si vous en avez "
         "l'adresse et l'empreinte, service pour démarrer tout seul.",
)
@click.option("--name", help="Nom de la communauté, ex. « Indépendants de Dettwiller ».")
@click.option("--commune", "commune_text",
              help="Commune principale : code INSEE (67089) ou nom (Dettwiller).")
@click.option("--node-id", help="Identifiant du nœud sur le réseau (par défaut tiré du nom).")
@click.option("--public-url",
              help="Adresse publique du nœud (par défaut http://127.0.0.1:<port>, pour un essai).")
@click.option("--port", type=int, help="Port où « chaleur serve » écoute (5000 par défaut).")
@click.option("--admin-email", help="Adresse du premier administrateur.")
@click.option("--admin-name", help="Nom affiché du premier administrateur.")
@click.option("--admin-password", envvar="CHALEUR_ADMIN_PASSWORD",
              help="Mot de passe (sinon demandé ; ou variable CHALEUR_ADMIN_PASSWORD).")
@click.option("--allow-private/--no-allow-private", default=None,
              help="Autoriser un annuaire à une adresse privée ou locale (essai sur une seule "
                   "machine ou réseau local) ; oui par défaut si l'adresse du nœud est locale.")
@click.option("--directory", "directory_url",
              help="Adresse de l'annuaire du Pays à rejoindre (vide : plus tard).")
@click.option("--directory-fingerprint",
              help="Empreinte de l'annuaire, lue par la coordination du Pays.")
@click.option("--service", type=click.Choice(SERVICE_CHOICES), default=None,
              help="Service systemd : l'afficher (défaut), l'installer, ou aucun.")
@click.option("--service-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("/etc/systemd/system"), show_default=True,
              help="Dossier où installer le service.")
@click.option("--yes", "-y", "assume_defaults", is_flag=True,
              help="Ne rien demander : les valeurs par défaut pour ce qui n'est pas donné.")
@with_appcontext
def setup_command(name: str | None, commune_text: str | None, node_id: str | None,
                  public_url: str | None, port: int | None, admin_email: str | None,
                  admin_name: str | None, admin_password: str | None,
                  allow_private: bool | None, directory_url: str | None,
                  directory_fingerprint: str | None, service: str | None, service_dir: Path,
                  assume_defaults: bool) -> None:
    """Guided installation of a node (see the module docstring)."""
    from node.commands.setup import create_node, prepare_database

    interactive = sys.stdin.isatty() and not assume_defaults
    instance = Path(current_app.instance_path)
    prepare_database()
    if db.session.scalars(db.select(Community)).first() is not None:
        _fail(f"un nœud est déjà installé dans {instance}. Rien n'a été modifié. "
              "« chaleur serve » le démarre.")
    click.echo(f"Installation d'un nœud Chaleur dans {instance}")
    name = _ask(interactive, name, "Nom de la communauté", option="--name").strip()
    commune = resolve_commune(_ask(interactive, commune_text, "Commune (code INSEE ou nom)",
                                   option="--commune"))
    click.echo(f"Commune : {commune.name} ({commune.code})")
    node_id = _ask(interactive, node_id, "Identifiant sur le réseau",
                   identity.node_id_from_name(name), option="--node-id")
    if not is_node_id(node_id):
        _fail(f"identifiant de nœud invalide : {node_id!r} (lettres minuscules, chiffres et "
              "tirets, 63 caractères au plus). Choisissez-en un avec --node-id.")
    port = port or int(_ask(interactive, None, "Port du site",
                            str(current_app.config["SERVE_PORT"]), option="--port"))
    public_url = _ask(interactive, public_url, "Adresse publique du site",
                      f"http://127.0.0.1:{port}", option="--public-url").rstrip("/")
    host = (urlsplit(public_url).hostname or "").lower()
    if allow_private is None:
        allow_private = host in LOOPBACK_HOSTS or host.endswith(".local")
    admin_email = _ask(interactive, admin_email, "Adresse e-mail de l'administrateur",
                       option="--admin-email")
    admin_name = _ask(interactive, admin_name, "Nom affiché de l'administrateur",
                      "Administrateur", option="--admin-name")
    password = _password(interactive, admin_password)
    settings = {"PUBLIC_URL": public_url, "SERVE_PORT": port,
                "FEDERATION_ALLOW_PRIVATE": allow_private}
    path = write_settings(instance, settings, title=f"Nœud Chaleur « {name} »")
    current_app.config.update(settings)
    fingerprint = create_node(name, [commune.code], admin_email, admin_name, password, node_id)
    click.echo(f"Réglages écrits dans {path}")
    click.echo(f"Communauté « {name} » créée, administrateur {admin_email}.")
    click.echo(f"Identité réseau : {node_id} ; empreinte de la clé : {fingerprint}")
    if interactive and not directory_url:
        directory_url = click.prompt("Adresse de l'annuaire du Pays (vide : plus tard)",
                                     default="", show_default=False,
                                     prompt_suffix=" : ") or None
    if directory_url:
        directory_fingerprint = _ask(interactive, directory_fingerprint,
                                     "Empreinte de l'annuaire (lue par la coordination)",
                                     option="--directory-fingerprint")
        _join(directory_url, directory_fingerprint)
    if service is None:
        service = (click.prompt("Service systemd pour démarrer seul",
                                type=click.Choice(SERVICE_CHOICES), default="afficher",
                                prompt_suffix=" : ")
                   if interactive else "afficher")
    _service(service, node_id, name, instance, service_dir)
    click.echo(f"Étape suivante : « chaleur serve » dans ce dossier ({os.getcwd()}), puis "
               f"ouvrez {public_url}")


def _join(directory_url: str, expected: str) -> None:
    try:
        result = join_directory(directory_url, expected)
    except DirectoryError as error:
        _fail(f"{error}\nLe nœud est installé ; une fois corrigé : chaleur federation join "
              f"--directory {directory_url} --fingerprint <empreinte>")
    click.echo(f"Demande d'adhésion envoyée à l'annuaire « {result.directory_id} » "
               f"(empreinte vérifiée : {result.directory_fingerprint}).")
    click.echo(f"Lisez au coordinateur du Pays l'empreinte de CE nœud : "
               f"{identity.current_fingerprint()}")
    click.echo("Admission : en attente de la coordination du Pays.")


COMMANDS: list[click.Command] = [setup_command]
