"""``python -m directory``: initialise, serve and administer the Pays directory.

Every command prints what happened and what to do next, and fails with a clear French message
(exit status 1) instead of a traceback.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from directory.extensions import db
from directory.peering import identity
from directory.services import peers
from directory.services.coordinators import CoordinatorError, create_coordinator
from directory.services.network import is_stale
from webui.cli import FrenchFlaskGroup, build_cli_app, run_cli
from webui.instance import DIRECTORY_FOLDER, locate_instance
from webui.network_identity import fingerprint_command
from webui.serving import hand_over

#: Commands that make an instance where there is none; every other one needs one.
CREATING_COMMANDS = frozenset({"init"})


def _create_app(*args: Any, **kwargs: Any) -> Flask:
    from directory import create_app

    return build_cli_app(create_app, DIRECTORY_FOLDER, "directory.db", CREATING_COMMANDS,
                         "Pour créer l'annuaire : « chaleur-directory init ».")


def main() -> None:
    """Entry point of ``chaleur-directory`` and ``python -m directory``."""
    cli = FrenchFlaskGroup(create_app=_create_app, add_default_commands=False,
                     help="Chaleur : annuaire du Pays (agrégation, recherche, site).")
    run_cli(cli, "chaleur-directory", lambda: locate_instance(DIRECTORY_FOLDER))


def _fail(message: str) -> None:
    click.echo(f"Erreur : {message}", err=True)
    sys.exit(1)


def _ask_password() -> str:
    if not sys.stdin.isatty():
        _fail("mot de passe manquant : utilisez --password ou CHALEUR_COORDINATOR_PASSWORD.")
    first = getpass.getpass("Mot de passe : ")
    if first != getpass.getpass("Confirmez : "):
        _fail("les deux mots de passe diffèrent.")
    return first


def _add_coordinator(email: str, password: str | None, name: str) -> None:
    try:
        create_coordinator(email, password or _ask_password(), name)
    except CoordinatorError as error:
        _fail(str(error))
    click.echo(f"Compte de coordination créé pour {email}.")


@click.command(
    "init",
    short_help="Initialiser l'annuaire (base, identité, coordinateur).",
    help="Créer la base de données (migrations), l'identité réseau de l'annuaire et le "
         "premier compte de coordination.",
)
@click.option("--email", required=True, help="Adresse du premier compte de coordination.")
@click.option("--name", default="", help="Nom affiché.")
@click.option("--password", envvar="CHALEUR_COORDINATOR_PASSWORD",
              help="Mot de passe (sinon demandé ; ou CHALEUR_COORDINATOR_PASSWORD).")
@click.option("--node-id", default="pays", show_default=True,
              help="Identifiant réseau de l'annuaire (minuscules, chiffres, tirets).")
@click.option("--public-url", default=None,
              help="Adresse publique de l'annuaire, écrite dans settings.toml (par défaut "
                   "http://127.0.0.1:<port>).")
@click.option("--port", type=int, default=None,
              help="Port où « serve » écoute, écrit dans settings.toml (5050 par défaut).")
@click.option("--allow-private/--no-allow-private", default=None,
              help="Autoriser les nœuds à des adresses privées ou locales (essai local) ; oui "
                   "par défaut si l'adresse de l'annuaire est locale.")
@with_appcontext
def init_command(email: str, name: str, password: str | None, node_id: str,
                 public_url: str | None, port: int | None,
                 allow_private: bool | None) -> None:
    """Create the database (migrations), the network identity and the first coordinator."""
    _write_instance_settings(public_url, port, allow_private)
    upgrade_database()
    if identity.current_identity() is None:
        try:
            printed = identity.create_identity(node_id)
        except identity.IdentityError as error:
            _fail(str(error))
            return
        db.session.commit()
    else:
        printed = identity.current_fingerprint()
    _add_coordinator(email, password, name)
    node = identity.require_identity()
    click.echo(f"Identité réseau : {node.node_id} ; empreinte de la clé : {printed}")
    click.echo("Donnez cette empreinte aux villages (par téléphone) : ils la passent à "
               "« chaleur federation join --fingerprint ».")
    url = current_app.config["PUBLIC_URL"]
    click.echo(f"Étape suivante : « chaleur-directory serve », puis ouvrez {url}")


def _write_instance_settings(public_url: str | None, port: int | None,
                             allow_private: bool | None) -> None:
    """Note the choices given to ``init`` in settings.toml, so no later command (in any
    terminal) needs exported variables; nothing is written when none is given."""
    from urllib.parse import urlsplit

    from webui.instance import write_settings
    from webui.settings import LOOPBACK_HOSTS

    values: dict[str, Any] = {}
    if port is not None:
        values["SERVE_PORT"] = port
    if public_url is not None or port is not None:
        values["PUBLIC_URL"] = (public_url or f"http://127.0.0.1:{port}").rstrip("/")
    if allow_private is None and values:
        allow_private = (urlsplit(values["PUBLIC_URL"]).hostname or "") in LOOPBACK_HOSTS
    if allow_private is not None:
        values["FEDERATION_ALLOW_PRIVATE"] = allow_private
    if values:
        path = write_settings(Path(current_app.instance_path), values,
                              title="Annuaire du Pays (Chaleur)")
        current_app.config.update(values)
        click.echo(f"Réglages écrits dans {path}")


def upgrade_database() -> None:
    """Bring the schema to the latest migration (creates it on a new database)."""
    from flask_migrate import upgrade

    from directory import MIGRATIONS_DIR

    upgrade(directory=MIGRATIONS_DIR)


@click.command(
    "create-coordinator",
    short_help="Ajouter un compte de coordination.",
    help="Ajouter un autre compte de coordination.",
)
@click.option("--email", required=True, help="Adresse e-mail du compte.")
@click.option("--name", default="", help="Nom affiché.")
@click.option("--password", envvar="CHALEUR_COORDINATOR_PASSWORD",
              help="Mot de passe (sinon demandé ; ou CHALEUR_COORDINATOR_PASSWORD).")
@with_appcontext
def create_coordinator_command(email: str, name: str, password: str | None) -> None:
    """Add another coordinator account."""
    _add_coordinator(email, password, name)


@click.command(
    "serve",
    short_help="Servir l'annuaire (serveur de production).",
    help="Servir l'annuaire avec le serveur WSGI de production (waitress).",
)
@click.option("--host", default=None,
              help="Adresse d'écoute (par défaut SERVE_HOST des réglages : 127.0.0.1 ; "
                   "0.0.0.0 pour toutes les interfaces).")
@click.option("--port", default=None, type=int,
              help="Port d'écoute (par défaut SERVE_PORT des réglages : 5050).")
@click.option("--threads", default=4, show_default=True, type=int,
              help="Nombre de fils d'exécution pour répondre aux requêtes.")
@click.option("--federation/--no-federation", default=True, show_default=True,
              help="Lire les flux des nœuds admis en arrière-plan.")
@with_appcontext
def serve_command(host: str | None, port: int | None, threads: int, federation: bool) -> None:
    """Serve the directory with the production WSGI server (waitress), in a lean process."""
    host = host or str(current_app.config["SERVE_HOST"])
    port = port or int(current_app.config["SERVE_PORT"])
    click.echo(f"L'annuaire sert {current_app.config['PUBLIC_URL']} sur http://{host}:{port}")
    hand_over("directory.serving", host, port, threads, federation, current_app.instance_path)


#: A node's status in French, for the coordinator's terminal.
STATUS_TEXT = {"pending": "en attente d'admission", "admitted": "admis", "refused": "refusé",
               "suspended": "suspendu"}


@click.group("nodes", help="Lister les nœuds du réseau et décider de leur admission.",
             short_help="Nœuds du réseau : liste et décisions.")
def nodes_group() -> None:
    """List the network's nodes and decide on them."""


@nodes_group.command(
    "list",
    short_help="Lister les nœuds connus.",
    help="Lister chaque nœud connu avec son statut, son dernier échange réussi et "
         "l'empreinte de sa clé.",
)
@with_appcontext
def list_nodes() -> None:
    """Every known node with its status and last successful exchange."""
    rows = peers.all_peers()
    if not rows:
        click.echo("Aucun nœud connu.")
    for peer in rows:
        last = peer.last_success_at.isoformat(timespec="minutes") if peer.last_success_at else "-"
        stale = " (inactif)" if peer.status == "admitted" and is_stale(peer) else ""
        click.echo(f"{peer.node_id}\t{peer.status}\t{peer.label}\t{last}{stale}"
                   f"\t{peer.key_fingerprint}")


@click.group("federation", help="Réseau : identité de l'annuaire et lecture des flux des "
                                 "nœuds.",
             short_help="Réseau : identité de l'annuaire, lecture des flux.")
def federation_group() -> None:
    """The directory's network identity and the reading of nodes' feeds."""


federation_group.add_command(fingerprint_command(
    identity.STORE, short_help="Afficher l'empreinte de la clé de l'annuaire.",
    help_text="Afficher l'identifiant de l'annuaire et l'empreinte de sa clé, à lire aux "
              "villages."))


@federation_group.command(
    "pull",
    short_help="Lire les flux des nœuds admis.",
    help="Lire les flux de changements des nœuds admis (tous tout de suite avec --once, "
         "sinon selon le calendrier, en boucle).",
)
@click.option("--once", is_flag=True, help="Lire chaque nœud admis une fois, puis s'arrêter.")
@with_appcontext
def pull_command(once: bool) -> None:
    """Read the admitted nodes' change feeds (all now with --once, else on schedule)."""
    import time

    from directory.services.pull import pull_once

    try:
        identity.require_identity()
    except identity.IdentityError as error:
        _fail(str(error))
    while True:
        report = pull_once(force=once)
        click.echo(f"{report.nodes} nœud(s) lu(s), {report.pages} page(s), "
                   f"{report.applied} fiche(s) appliquée(s), {report.resyncs} relecture(s).")
        for node_id, reason in report.failures.items():
            click.echo(f"  échec {node_id} : {reason}")
        if once:
            sys.exit(1 if report.failures else 0)
        time.sleep(3)


def _decision_command(decision: str, summary: str) -> click.Command:
    @click.command(decision, help=summary, short_help=summary)
    @click.argument("node_id")
    @click.option("--reason", default="", help="Motif gardé au journal des décisions.")
    @click.option("--by", default="cli", show_default=True, help="Qui décide.")
    @with_appcontext
    def command(node_id: str, reason: str, by: str, fingerprint: str | None = None) -> None:
        known = peers.find_peer(node_id)
        if fingerprint is not None and known is not None \
                and not peers.fingerprint_matches(known, fingerprint):
            _fail(f"empreinte différente : la demande de {node_id} porte "
                  f"{known.key_fingerprint}, vous avez saisi {fingerprint}. Nœud non admis : "
                  "relisez-la avec le village ; si elle diffère encore, refusez.")
        try:
            peer = peers.decide(node_id, decision, by=by, reason=reason)
        except peers.PeerError as error:
            _fail(str(error))
            return
        click.echo(f"{peer.node_id} : {STATUS_TEXT.get(peer.status, peer.status)}")
        if peer.key_fingerprint and fingerprint is None:
            click.echo(f"Empreinte de sa clé : {peer.key_fingerprint} (à comparer avec celle "
                       "que lit le village)")

    if decision == "admit":
        command = click.option(
            "--fingerprint", default=None,
            help="Empreinte lue au téléphone par le village : le nœud n'est admis que si "
                 "elle est identique à celle de sa demande.")(command)
    return command


for _name, _summary in (("admit", "Admettre un nœud en attente."),
                        ("refuse", "Refuser la demande d'un nœud."),
                        ("suspend", "Suspendre un nœud (ses fiches disparaissent)."),
                        ("reinstate", "Rétablir un nœud suspendu.")):
    nodes_group.add_command(_decision_command(_name, _summary))

COMMANDS = [init_command, create_coordinator_command, serve_command, nodes_group,
            federation_group]


def register_commands(app: Flask) -> None:
    """The ``chaleur-directory`` command line: ``db`` (migrations) and the directory's own."""
    from directory import MIGRATIONS_DIR
    from webui.migration_engine import init_migrations

    init_migrations(app, db, MIGRATIONS_DIR)
    for command in COMMANDS:
        app.cli.add_command(command)
