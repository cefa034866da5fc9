"""Admissions, invitations and roles."""

from node.admin import bp  # noqa: F401
