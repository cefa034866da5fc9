"""Example data for demonstrations, screenshots and the benchmark: ``chaleur example-data``."""

from __future__ import annotations

import sys
import time

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from node.extensions import db
from node.services.example_data import (
    EXAMPLE_PASSWORD,
    ExampleDataError,
    load_example_data,
)


@click.command(
    "example-data",
    short_help="Remplir le nœud de données d'exemple inventées.",
    help="Remplir ce nœud de membres, de lieux et de rencontres inventés (jamais de vraies "
         "personnes), pour une démonstration ou des captures d'écran.",
)
@click.option("--members", default=40, show_default=True, type=click.IntRange(1, 100_000),
              help="Nombre de membres inventés à créer.")
@click.option("--seed", default=1, show_default=True, type=int,
              help="Graine : la même graine donne toujours les mêmes données.")
@with_appcontext
def example_data_command(members: int, seed: int) -> None:
    """Fill this node with invented members, venues and rencontres (never real people)."""
    started = time.perf_counter()
    click.echo(f"Création de {members} membres inventés (graine {seed})…")
    try:
        summary = load_example_data(members=members, seed=seed)
        db.session.commit()
    except ExampleDataError as error:
        click.echo(f"Erreur : {error}", err=True)
        sys.exit(1)
    except SQLAlchemyError as error:
        db.session.rollback()
        click.echo(f"Erreur : la base a refusé les données d'exemple ({type(error).__name__}). "
                   "Le schéma est-il à jour (« chaleur db upgrade ») ? Rien n'a été ajouté.",
                   err=True)
        sys.exit(1)
    click.echo(f"{summary.members} membres, {summary.listings} offres et besoins, "
               f"{summary.venues} lieux, {summary.events} rencontres, {summary.rsvps} réponses "
               f"({time.perf_counter() - started:.1f} s).")
    click.echo(f"Les membres d'exemple se connectent avec le mot de passe « {EXAMPLE_PASSWORD} ».")


COMMANDS: list[click.Command] = [example_data_command]
