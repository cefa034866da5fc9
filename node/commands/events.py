"""Rencontres from the command line: reminders."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
