"""Backups: one file with the database and the keys; restore on another machine."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
