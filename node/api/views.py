"""API endpoints."""

from node.api import bp  # noqa: F401
