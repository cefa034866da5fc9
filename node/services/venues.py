"""Venues: the tiers-lieux where rencontres happen.

A venue that a rencontre used is archived rather than deleted, so past rencontres keep their
place in attendance exports; an unused venue (a typo, a test) is simply removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flask_babel import gettext as _

from node.extensions import db
from node.models import Event, Venue
from node.services.community import find_commune


class VenueInvalid(ValueError):
    """A venue change was refused; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class Removal(StrEnum):
    ARCHIVED = "archived"
    DELETED = "deleted"


@dataclass(frozen=True)
class VenueValues:
    name: str
    address: str
    commune_code: str
    latitude: float | None
    longitude: float | None
    capacity: int | None
    accessibility: str


def save_venue(venue: Venue | None, values: VenueValues) -> Venue:
    """Create (venue None) or update a venue; the position defaults to the commune centroid."""
    name = " ".join(values.name.split())
    if not name:
        raise VenueInvalid(_("Le nom est obligatoire."), field="name")
    code = values.commune_code.strip().upper()
    commune = find_commune(code)
    if commune is None:
        raise VenueInvalid(_("Commune inconnue : indiquez son code INSEE (ex. 67475)."),
                           field="commune_code")
    if (values.latitude is None) != (values.longitude is None):
        field = "longitude" if values.longitude is None else "latitude"
        raise VenueInvalid(_("Indiquez la latitude et la longitude, ou aucune des deux."),
                           field=field)
    if values.latitude is not None and not -90 <= values.latitude <= 90:
        raise VenueInvalid(_("Latitude entre -90 et 90."), field="latitude")
    if values.longitude is not None and not -180 <= values.longitude <= 180:
        raise VenueInvalid(_("Longitude entre -180 et 180."), field="longitude")
    if values.capacity is not None and values.capacity < 0:
        raise VenueInvalid(_("La capacité ne peut pas être négative."), field="capacity")
    latitude, longitude = values.latitude, values.longitude
    if venue is not None and _was_default_position(venue, latitude, longitude):
        latitude = longitude = None  # moved to another commune: follow its centroid
    if venue is None:
        venue = Venue()
        db.session.add(venue)
    venue.name = name
    venue.address = values.address.strip()
    venue.commune_code = code
    venue.latitude = commune.lat if latitude is None else latitude
    venue.longitude = commune.lon if longitude is None else longitude
    venue.capacity = values.capacity
    venue.accessibility = values.accessibility.strip()
    return venue


def _was_default_position(venue: Venue, latitude: float | None,
                          longitude: float | None) -> bool:
    """True when the form sent back the old commune's centroid unchanged.

    The edit form shows the stored position; an admin who only changes the commune expects
    the venue to move with it, not to stay at the old village's centre.
    """
    old = find_commune(venue.commune_code)
    return old is not None and (latitude, longitude) == (old.lat, old.lon)


def venue_in_use(venue: Venue) -> bool:
    """True when any rencontre, past or future, takes place there."""
    used = db.session.scalar(db.select(db.func.count(Event.id)).where(Event.venue_id == venue.id))
    return bool(used)


def remove_venue(venue: Venue) -> Removal:
    """Archive a venue rencontres used (history keeps it), delete one nobody used."""
    if venue_in_use(venue):
        venue.archived = True
        return Removal.ARCHIVED
    db.session.delete(venue)
    return Removal.DELETED


def restore_venue(venue: Venue) -> None:
    venue.archived = False


def list_venues(include_archived: bool = True) -> list[Venue]:
    """Venues by name, active ones first."""
    query = db.select(Venue).order_by(Venue.archived, Venue.name)
    if not include_archived:
        query = query.where(Venue.archived.is_(False))
    return list(db.session.scalars(query))
