"""Rencontres from the command line: ``chaleur events send-reminders`` (run it daily by cron)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from node.services import rsvps


@click.group("events", help="Rencontres : rappels par e-mail.",
             short_help="Rencontres : rappels par e-mail.")
def events_group() -> None:
    """Commands about rencontres."""


@events_group.command(
    "send-reminders",
    short_help="Envoyer les rappels des prochaines rencontres.",
    help="Envoyer un rappel par e-mail, une seule fois, à chaque personne qui a répondu "
         "« je viens » à une rencontre commençant dans les prochaines heures (--hours). "
         "À lancer chaque jour (cron).",
)
@click.option("--hours", default=48, show_default=True, type=click.IntRange(1, 168),
              help="Rappeler les rencontres qui commencent dans ce nombre d'heures.")
@with_appcontext
def send_reminders_command(hours: int) -> None:
    """Mail each person who said "going" once before their rencontre."""
    with force_locale("fr"):  # no request here to choose a language from
        sent = rsvps.send_reminders(timedelta(hours=hours))
    click.echo(f"{sent} rappel(s) envoyé(s).")


COMMANDS: list[click.Command] = [events_group]
