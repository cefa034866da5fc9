"""The node's own micro-community, its venues and the communes an admin added by hand."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from node.extensions import db
from node.models.base import SharedRecord


class SignupMode(StrEnum):
    INVITATION = "invitation"  # only people the admins invite can join
    REQUEST = "request"  # anyone may ask; an admin approves


class Community(SharedRecord, db.Model):  # type: ignore[name-defined,misc]
    """The micro-community this node serves (exactly one row)."""

    __tablename__ = "community"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    communes: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_role: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    signup_mode: Mapped[str] = mapped_column(String(16), default=SignupMode.REQUEST)
    # The counts shared with the Pays for its funders (services.shared_figures), kept here
    # so that the record changes, and is pushed, only when they change.
    shared_figures: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Venue(SharedRecord, db.Model):  # type: ignore[name-defined,misc]
    """A tiers-lieu where rencontres happen."""

    __tablename__ = "venue"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(255), default="")
    commune_code: Mapped[str] = mapped_column(String(5))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    capacity: Mapped[int | None] = mapped_column(Integer)
    accessibility: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class ExtraCommune(db.Model):  # type: ignore[name-defined,misc]
    """A commune code missing from the shipped list (e.g. a commune merged since 2018)."""

    __tablename__ = "extra_commune"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
