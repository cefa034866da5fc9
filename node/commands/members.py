"""Members from the command line: CSV import and export."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
