"""Visibility levels and the shared-record mixin (the UTC column type lives in webui)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from webui.sqltypes import UTCDateTime, utcnow

__all__ = ["SharedRecord", "UTCDateTime", "VISIBILITY_ORDER", "Visibility", "new_uuid", "utcnow"]


class Visibility(StrEnum):
    """Who may see a field group, from the narrowest to the widest audience."""

    PRIVATE = "private"  # the node's staff only (admins and animators)
    COMMUNITY = "community"  # signed-in members of this node
    NETWORK = "network"  # may be shared with the Pays directory
    PUBLIC = "public"  # anyone

    @property
    def rank(self) -> int:
        return VISIBILITY_ORDER.index(self)


VISIBILITY_ORDER = [Visibility.PRIVATE, Visibility.COMMUNITY, Visibility.NETWORK, Visibility.PUBLIC]


def new_uuid() -> str:
    return str(uuid.uuid4())


class SharedRecord:
    """A record that may be shared with the network: stable UUID, version, update time.

    The version grows by one on every flush that changes the row (see :func:`_bump_versions`),
    so a peer can always tell a newer copy from an older one.
    """

    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def bump_versions(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in session.dirty:
        if isinstance(obj, SharedRecord) and session.is_modified(obj, include_collections=False):
            obj.version = (obj.version or 0) + 1
            obj.updated_at = utcnow()
