"""The UTC datetime column type shared by every directory model (see webui.sqltypes)."""

from webui.sqltypes import UTCDateTime, utcnow

__all__ = ["UTCDateTime", "utcnow"]
