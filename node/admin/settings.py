"""Community settings, venues and extra communes."""

from node.admin import bp  # noqa: F401
