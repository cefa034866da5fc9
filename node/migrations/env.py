"""Alembic environment of the village node: the shared one (webui.migration_env)."""

from webui.migration_env import run

run()
