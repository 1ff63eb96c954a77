"""Postal codes and distances for the directory's "near me" search: pure functions, offline data."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import zipcodes

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius

# Checked here, not left to zipcodes: it also takes "100011234" and "10001-12", and non-ASCII
# digits make it panic (an exception `except Exception` does not catch).
_US_ZIP = re.compile(r"([0-9]{5})(?:-[0-9]{4})?")

# The zipcodes data names a village instead of a zone for this ZIP; Bethel, next door, uses this.
_TIME_ZONE_FIXES = {"Napakiak": "America/Anchorage"}


@dataclass(frozen=True)
class Place:
    """The centroid of a postal code, and what a search needs to know about it."""

    postcode: str
    latitude: float
    longitude: float
    time_zone: str
    city: str
    state: str


def find_postcode(text: str, country: str = "US") -> Place | None:
    """The place for a postal code a person typed, or None if it is not one we can search near.

    Only the US is supported for now: any other `country` gives None. "10001", " 10001 " and
    "10001-1234" are accepted; retired ZIPs and mail-only ones without a location (APO/FPO/DPO)
    give None.
    """
    if country != "US":
        return None
    match = _US_ZIP.fullmatch(_ascii_digits(text.strip()))
    if match is None:
        return None
    return _find_us_zip(match.group(1))


def _ascii_digits(text: str) -> str:
    """Digits typed on an Arabic, Persian or other keyboard, read as 0-9."""
    return "".join(
        str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in text
    )


@lru_cache(maxsize=4096)
def _find_us_zip(zip5: str) -> Place | None:
    # Each lookup scans the whole table (about 0.2 ms), hence the cache.
    try:
        records = zipcodes.matching(zip5)
    except (TypeError, ValueError):
        return None
    places = (_place_from_record(record) for record in records if record["active"])
    return next((place for place in places if place is not None), None)


def _place_from_record(record: dict) -> Place | None:
    latitude, longitude = float(record["lat"]), float(record["long"])
    if (latitude, longitude) == (0.0, 0.0) or not record["timezone"]:
        return None
    return Place(
        postcode=record["zip_code"],
        latitude=latitude,
        longitude=longitude,
        time_zone=_TIME_ZONE_FIXES.get(record["timezone"], record["timezone"]),
        city=record["city"],
        state=record["state"],
    )


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine, on a sphere of the mean Earth radius)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box holding every point within `radius_km`.

    Meant for a cheap indexed prefilter; follow it with `distance_km` for the exact cut.
    When the circle reaches a pole or crosses the antimeridian the box spans every longitude,
    so a plain `BETWEEN` on each axis stays correct.
    """
    if radius_km < 0:
        raise ValueError("radius_km must not be negative")
    angular = radius_km / EARTH_RADIUS_KM
    angular_deg = math.degrees(angular)
    min_lat, max_lat = lat - angular_deg, lat + angular_deg
    if min_lat <= -90 or max_lat >= 90:
        return max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0
    # The circle's widest longitude is where a meridian touches it, north or south of due east.
    d_lon = math.degrees(math.asin(min(math.sin(angular) / math.cos(math.radians(lat)), 1.0)))
    min_lon, max_lon = lon - d_lon, lon + d_lon
    if min_lon < -180 or max_lon > 180:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, min_lon, max_lon


def coarse(lat: float, lon: float, places: int = 2) -> tuple[float, float]:
    """Round coordinates to `places` decimals, for showing the area of a location, never its spot.

    A confidential shelter's public area comes from here so its exact point is never published.
    At 2 places the grid is about 1.1 km north-south (less east-west away from the equator),
    and the rounded point lies up to about 0.8 km from the real one.
    """
    return round(lat, places), round(lon, places)
