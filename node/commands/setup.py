"""Setting a node up: ``chaleur init``, ``chaleur create-admin``, ``chaleur serve``."""

from __future__ import annotations

import getpass
import os
import sys
from typing import NoReturn

import click
from flask import current_app
from flask.cli import with_appcontext

from federation.keys import is_node_id
from node.extensions import db
from node.models import Community, Role
from node.peering import identity
from node.services import accounts
from node.services.community import commune_name, find_commune
from webui.serving import hand_over


def _fail(message: str) -> NoReturn:
    click.echo(f"Erreur : {message}", err=True)
    sys.exit(1)


def prepare_database() -> None:
    """Bring the schema to the latest migration (or create it when no migration ships)."""
    from node import MIGRATIONS_DIR

    if os.path.isdir(os.path.join(MIGRATIONS_DIR, "versions")):
        from flask_migrate import upgrade

        upgrade(directory=MIGRATIONS_DIR)
    else:
        db.create_all()


def _parse_communes(raw: str) -> list[str]:
    codes = [code.strip().upper() for code in raw.replace(";", ",").split(",") if code.strip()]
    unknown = [code for code in codes if find_commune(code) is None]
    if unknown:
        _fail("code(s) INSEE inconnu(s) : " + ", ".join(unknown)
              + ". Une commune absente de la liste s'ajoute ensuite dans "
              "Administration › Communes.")
    if not codes:
        _fail("indiquez au moins une commune (code INSEE, par exemple 67475).")
    return codes


@click.command(
    "init",
    short_help="Initialiser le nœud (communauté, administrateur, clé).",
    help="Créer la base de données, la communauté, son premier administrateur et la clé de "
         "signature du nœud.",
)
@click.option("--name", required=True,
              help="Nom de la communauté, ex.\u00a0«\u00a0Tiers-lieu de Sparsbach\u00a0».")
@click.option("--communes", "commune_codes", required=True,
              help="Codes INSEE des communes couvertes, séparés par des virgules.")
@click.option("--admin-email", required=True, help="Adresse du premier administrateur.")
@click.option("--admin-name", default="Administrateur", show_default=True,
              help="Nom affiché du premier administrateur.")
@click.option("--admin-password", envvar="CHALEUR_ADMIN_PASSWORD",
              help="Mot de passe (sinon demandé ; ou variable CHALEUR_ADMIN_PASSWORD).")
@click.option("--node-id", default=None,
              help="Identifiant du nœud sur le réseau (par défaut : le nom en minuscules, "
                   "ex. tiers-lieu-de-sparsbach).")
@with_appcontext
def init_command(name: str, commune_codes: str, admin_email: str, admin_name: str,
                 admin_password: str | None, node_id: str | None) -> None:
    """Create the database, the community, its first admin and the node's signing key."""
    prepare_database()
    if db.session.scalars(db.select(Community)).first() is not None:
        _fail("ce nœud est déjà initialisé (la communauté existe). Rien n'a été modifié.")
    node_id = node_id or identity.node_id_from_name(name)
    if not is_node_id(node_id):
        _fail(f"identifiant de nœud invalide : {node_id!r}. Choisissez-en un avec --node-id "
              "(lettres minuscules, chiffres et tirets, 63 caractères au plus).")
    codes = _parse_communes(commune_codes)
    password = admin_password or _ask_password()
    fingerprint = create_node(name, codes, admin_email, admin_name, password, node_id)
    click.echo(f"Communauté « {name} » créée, administrateur {admin_email}.")
    click.echo("Commune(s) : " + ", ".join(f"{commune_name(code)} ({code})" for code in codes))
    click.echo(f"Identité réseau : {node_id} ; empreinte de la clé : {fingerprint}")
    url = current_app.config["PUBLIC_URL"]
    click.echo(f"Étape suivante : « chaleur serve », puis ouvrez {url}")


def create_node(name: str, codes: list[str], admin_email: str, admin_name: str, password: str,
                node_id: str) -> str:
    """Create the first admin, the community and the node's key, commit; the fingerprint.

    Shared by ``init`` and ``setup``; exits with a French message when the admin is refused.
    """
    try:
        accounts.create_account(admin_email, admin_name, password, role=Role.ADMIN,
                                commune_code=codes[0])
    except accounts.AccountError as error:
        _fail(str(error))
    db.session.add(Community(name=name.strip(), communes=codes))
    try:
        fingerprint = identity.create_identity(node_id)
    except identity.IdentityError as error:
        _fail(str(error))
    db.session.commit()
    return fingerprint


def _ask_password() -> str:
    if not sys.stdin.isatty():
        _fail("mot de passe manquant : utilisez --admin-password ou CHALEUR_ADMIN_PASSWORD.")
    first = getpass.getpass("Mot de passe de l'administrateur : ")
    if first != getpass.getpass("Confirmez : "):
        _fail("les deux mots de passe diffèrent.")
    return first


@click.command(
    "create-admin",
    short_help="Ajouter un compte administrateur ou animateur.",
    help="Ajouter un compte administrateur (admin) ou animateur (animator).",
)
@click.option("--email", required=True, help="Adresse e-mail du compte.")
@click.option("--name", "display_name", required=True, help="Nom affiché.")
@click.option("--password", envvar="CHALEUR_ADMIN_PASSWORD",
              help="Mot de passe (sinon demandé ; ou variable CHALEUR_ADMIN_PASSWORD).")
@click.option("--role", type=click.Choice(["admin", "animator"]), default="admin",
              show_default=True, help="Rôle : admin (administrateur) ou animator (animateur).")
@with_appcontext
def create_admin_command(email: str, display_name: str, password: str | None, role: str) -> None:
    """Add an admin or animator account."""
    try:
        accounts.create_account(email, display_name, password or _ask_password(), role=Role(role))
    except accounts.AccountError as error:
        _fail(str(error))
    db.session.commit()
    click.echo(f"Compte {role} créé pour {email}.")


@click.command(
    "serve",
    short_help="Servir le nœud (serveur de production).",
    help="Servir le nœud avec le serveur WSGI de production (waitress).",
)
@click.option("--host", default=None,
              help="Adresse d'écoute (par défaut SERVE_HOST des réglages : 127.0.0.1 ; "
                   "0.0.0.0 pour toutes les interfaces).")
@click.option("--port", default=None, type=int,
              help="Port d'écoute (par défaut SERVE_PORT des réglages : 5000).")
@click.option("--threads", default=4, show_default=True, type=int,
              help="Nombre de fils d'exécution pour répondre aux requêtes.")
@click.option("--federation/--no-federation", default=True, show_default=True,
              help="Pousser les changements vers l'annuaire et rafraîchir la copie du réseau.")
@with_appcontext
def serve_command(host: str | None, port: int | None, threads: int, federation: bool) -> None:
    """Serve the node with the production WSGI server (waitress), in a lean process."""
    url = current_app.config["PUBLIC_URL"]
    host = host or str(current_app.config["SERVE_HOST"])
    port = port or int(current_app.config["SERVE_PORT"])
    click.echo(f"Chaleur sert {url} sur http://{host}:{port}")
    hand_over("node.serving", host, port, threads, federation, current_app.instance_path)


COMMANDS = [init_command, create_admin_command, serve_command]
