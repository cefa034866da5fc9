"""``chaleur federation …``: the node's identity, joining the Pays directory, delivery.

Each command prints what happened and what to do next; failures exit with status 1 and a
French message, never a traceback. Private keys are never printed: only fingerprints.
"""

from __future__ import annotations

import sys
import time
from typing import NoReturn

import click
from flask import current_app
from flask.cli import AppGroup

from node.extensions import db
from node.models import Admission, utcnow
from node.peering import identity
from node.peering.directory import DirectoryError, announce_document, join_directory
from node.peering.membership import registered_directory
from node.peering.trust import purge_expired_nonces
from node.sharing.changes import announce_again
from node.sharing.feed import purge_feed
from node.sharing.network_copy import pull_network_copy
from node.sharing.push import last_outbox_error, outbox_counts, push_once
from webui.cli import spelled

federation = AppGroup("federation", help="Réseau : identité du nœud, annuaire du Pays, envois.",
                      short_help="Réseau : identité du nœud, annuaire du Pays, envois.")


def _fail(message: str) -> NoReturn:
    click.echo(f"Erreur : {message}", err=True)
    sys.exit(1)


@federation.command(
    "fingerprint",
    short_help="Afficher l'empreinte de la clé du nœud.",
    help="Afficher l'identifiant du nœud et l'empreinte de sa clé, à lire au coordinateur "
         "du Pays.",
)
def fingerprint_command() -> None:
    """Print this node's id and key fingerprint (to read to the Pays coordinator)."""
    try:
        node = identity.require_identity()
        printed = identity.current_fingerprint()
        click.echo(f"{node.node_id} ({node.current_keyid}) : {printed}")
        if sys.stdout.isatty():  # a person reading it out; scripts read one line
            click.echo(f"À épeler au téléphone, groupe par groupe — {spelled(printed)}")
    except identity.IdentityError as error:
        _fail(str(error))


@federation.command(
    "rotate-key",
    short_help="Changer la clé du nœud et prévenir l'annuaire.",
    help="Créer une nouvelle clé pour le nœud ; l'ancienne reste valable pendant le délai "
         "de grâce. L'annuaire du Pays est prévenu.",
)
def rotate_key_command() -> None:
    """Create a new key, keep the old one valid for the grace period, tell the directory."""
    try:
        rotation = identity.rotate_key()
    except identity.IdentityError as error:
        _fail(str(error))
    db.session.commit()
    click.echo(f"Nouvelle clé {rotation.current.keyid}, empreinte "
               f"{identity.current_fingerprint()}.")
    click.echo(f"L'ancienne clé {rotation.previous.keyid} reste valable jusqu'au "
               f"{rotation.grace_until:%d/%m/%Y %H:%M} UTC.")
    if registered_directory() is None:
        click.echo("Aucun annuaire enregistré : rien à annoncer.")
        return
    try:
        status = announce_document(rotation.previous)
    except DirectoryError as error:
        _fail(f"{error} Relancez « chaleur federation announce » avant la fin du délai de grâce.")
    click.echo(f"Annuaire prévenu (HTTP {status}), signé avec {rotation.previous.keyid}.")


@federation.command(
    "announce",
    short_help="Renvoyer la fiche du nœud à l'annuaire.",
    help="Renvoyer la fiche du nœud à l'annuaire du Pays, signée avec l'ancienne clé si "
         "elle est encore valable (après un changement de clé dont l'annonce a échoué), "
         "sinon avec la clé actuelle.",
)
def announce_command() -> None:
    """Re-send our node document to the directory, signed with the previous key if still
    valid (after a rotation whose announcement failed), else with the current one."""
    keys = identity.published_keys()
    retiring = [key for key in keys if key.status == "retiring"]
    keyid = retiring[0].keyid if retiring else identity.require_identity().current_keyid
    from federation.keys import load_private_key

    try:
        status = announce_document(load_private_key(identity.key_path(keyid), keyid))
    except DirectoryError as error:
        _fail(str(error))
    click.echo(f"Document du nœud envoyé à l'annuaire (HTTP {status}), signé avec {keyid}.")


@federation.command(
    "join",
    short_help="Demander à rejoindre l'annuaire du Pays.",
    help="Demander à l'annuaire du Pays d'admettre ce nœud. Le coordinateur compare "
         "ensuite les empreintes avant d'approuver.",
)
@click.option("--directory", "directory_url", required=True,
              help="Adresse de l'annuaire du Pays, ex. https://annuaire.example.")
@click.option("--fingerprint", "expected", required=True,
              help="Empreinte de l'annuaire donnée par le coordinateur (XXXX-XXXX-XXXX-XXXX-XXXX).")
def join_command(directory_url: str, expected: str) -> None:
    """Ask the Pays directory to admit this node."""
    try:
        identity.require_identity()
        result = join_directory(directory_url, expected)
    except (identity.IdentityError, DirectoryError) as error:
        _fail(str(error))
    click.echo(f"Demande d'adhésion envoyée à l'annuaire « {result.directory_id} » "
               f"(empreinte vérifiée : {result.directory_fingerprint}).")
    click.echo(f"Empreinte de CE nœud, à lire au coordinateur du Pays : "
               f"{identity.current_fingerprint()}")
    click.echo("Et ensuite : le coordinateur compare cette empreinte avec la sienne et approuve "
               "le nœud. Jusque-là, les changements attendent dans la file d'envoi ; ils partent "
               "seuls dès l'approbation (« chaleur federation status » pour suivre).")


@federation.command(
    "status",
    short_help="Afficher l'état de la liaison avec l'annuaire.",
    help="Afficher l'annuaire enregistré, l'état de l'admission tel que vu en dernier et "
         "la file d'envoi.",
)
def status_command() -> None:
    """Show the registered directory, admission as last seen, and the outbox."""
    try:
        node = identity.require_identity()
    except identity.IdentityError as error:
        _fail(str(error))
    click.echo(f"Nœud : {node.node_id}, clé {node.current_keyid} "
               f"({identity.current_fingerprint()})")
    peer = registered_directory()
    if peer is None:
        click.echo("Annuaire : aucun. À faire : « chaleur federation join --directory <adresse> "
                   "--fingerprint <empreinte> », avec l'adresse et l'empreinte données par la "
                   "coordination du Pays.")
    else:
        click.echo(f"Annuaire : {peer.node_id} ({peer.base_url}), empreinte {peer.fingerprint}")
        label, todo = ADMISSION_TEXT.get(peer.admission, (peer.admission, ""))
        click.echo(f"Admission : {label} (vu le {peer.admission_seen_at:%d/%m/%Y %H:%M} UTC)")
        if todo:
            click.echo(f"  À faire : {todo}")
    counts = outbox_counts()
    click.echo(f"File d'envoi : {counts['pending']} en attente, {counts['retrying']} à "
               f"réessayer, {counts['failed']} en échec, {counts['delivered']} remis")
    last_error = (peer.last_error if peer is not None else "") or last_outbox_error()
    if last_error and (counts["pending"] or counts["retrying"] or counts["failed"]):
        click.echo(f"Dernier problème : {explain_push_error(last_error)}")


#: Admission as last seen → (French label, what to do about it).
ADMISSION_TEXT = {
    Admission.REQUESTED: ("demandée, en attente de la coordination du Pays",
                          "lisez l'empreinte de ce nœud (« chaleur federation fingerprint ») "
                          "au coordinateur ; les changements partiront seuls dès l'admission."),
    Admission.ADMITTED: ("admis", ""),
    Admission.NOT_USABLE: ("pas encore admis, ou suspendu par la coordination",
                           "appelez la coordination du Pays : elle admet le nœud ou dit "
                           "pourquoi il est suspendu."),
    Admission.UNKNOWN_KEY: ("l'annuaire ne connaît pas la clé actuelle du nœud",
                            "« chaleur federation announce » (après un changement de clé ou "
                            "une restauration), puis appelez la coordination si cela persiste."),
}


def explain_push_error(text: str) -> str:
    """A stored delivery error (``code: detail``) as what happened and what to do."""
    code = text.split(":", 1)[0].strip()
    known = {
        "address_refused": "l'annuaire est à une adresse privée ou locale, que ce nœud refuse. "
                           "Pour un essai local seulement : FEDERATION_ALLOW_PRIVATE = true "
                           "dans settings.toml, puis redémarrez « chaleur serve ».",
        "url_unresolvable": "le nom de l'annuaire est introuvable (DNS ou connexion coupée). "
                            "Vérifiez la connexion Internet de la machine.",
        "unreachable": "l'annuaire ne répond pas (arrêté, ou connexion coupée). Les envois "
                       "reprendront seuls ; si cela dure, appelez la coordination du Pays.",
        "timeout": "l'annuaire répond trop lentement. Les envois reprendront seuls.",
        "key_not_usable": "le nœud n'est pas (encore) admis ou il est suspendu : appelez la "
                          "coordination du Pays.",
        "unknown_key": "l'annuaire ne connaît pas la clé du nœud : « chaleur federation "
                       "announce ».",
    }
    return known.get(code, text) + ("" if code not in known else f" [{code}]")


@federation.command(
    "push",
    short_help="Envoyer les changements en attente à l'annuaire.",
    help="Envoyer à l'annuaire du Pays les changements en attente (en boucle, ou une seule "
         "fois avec --once).",
)
@click.option("--once", is_flag=True, help="Un seul passage puis s'arrêter.")
def push_command(once: bool) -> None:
    """Send waiting changes to the directory (in a loop, or once)."""
    interval = float(current_app.config["FEDERATION_PUSH_INTERVAL"])
    while True:
        report = push_once()
        click.echo(f"{report.records} enregistrement(s) envoyé(s) en {report.batches} lot(s) : "
                   f"{report.delivered} remis, {report.retrying} à réessayer, "
                   f"{report.failed} en échec"
                   + (f" ; en attente : {report.waiting}" if report.waiting else ""))
        for error in report.errors:
            click.echo(f"  {explain_push_error(error)}")
        db.session.remove()
        if once:
            return
        time.sleep(interval)


@federation.command(
    "pull-network",
    short_help="Mettre à jour la copie locale du réseau.",
    help="Mettre à jour la copie locale du réseau affichée sur la page Réseau.",
)
def pull_network_command() -> None:
    """Refresh the local copy of the network shown on the Réseau page."""
    result = pull_network_copy()
    if not result.ok:
        _fail(f"copie du réseau non mise à jour : {result.message}")
    click.echo(f"Copie du réseau mise à jour ({result.fetched_at:%d/%m/%Y %H:%M} UTC).")


@federation.command(
    "purge-feed",
    short_help="Nettoyer le fil des changements.",
    help="Effacer du fil des changements les entrées remplacées et les anciennes "
         "suppressions ; oublier les nonces expirés.",
)
def purge_feed_command() -> None:
    """Drop superseded feed entries and old tombstones; forget expired nonces."""
    try:
        report = purge_feed()
    except identity.IdentityError as error:
        _fail(str(error))
    nonces = purge_expired_nonces(utcnow())
    db.session.commit()
    click.echo(f"{report.superseded} entrée(s) remplacée(s) et {report.tombstones} "
               f"suppression(s) anciennes effacées ; horizon du fil : {report.horizon_seq} ; "
               f"{nonces} nonce(s) expiré(s) oublié(s).")


@federation.command(
    "reshare",
    short_help="Annoncer à nouveau tout ce que le nœud partage.",
    help="Annoncer à nouveau à l'annuaire chaque membre, offre ou besoin et rencontre "
         "partagés, avec ce qu'ils partagent aujourd'hui (une fois, après une mise à jour "
         "qui l'indique).",
)
def reshare_command() -> None:
    """Announce every shared record again (after an upgrade that changed the payloads)."""
    count = announce_again(db.session)
    db.session.commit()
    click.echo(f"{count} fiche(s) annoncée(s) à nouveau ; elles partent vers l'annuaire.")


COMMANDS: list[click.Command] = [federation]
