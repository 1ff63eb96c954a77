"""Time zones a survivor may be in, from the deployment's phone region."""

from __future__ import annotations

import functools

import phonenumbers
from phonenumbers import timezone
from phonenumbers.tzdata import TIMEZONE_DATA


@functools.cache
def zones_for_region(region: str) -> list[str]:
    """The IANA zones of the region's country calling code (all of NANP for US), sorted."""
    prefix = str(phonenumbers.country_code_for_region(region))
    zones = {
        zone for key, names in TIMEZONE_DATA.items() if key.startswith(prefix) for zone in names
    }
    zones.discard(timezone.UNKNOWN_TIMEZONE)
    return sorted(zones)


def zone_of_number(number: str) -> str | None:
    """The zone a number's area places it in, when that is one zone."""
    zones = timezone.time_zones_for_number(phonenumbers.parse(number))
    return zones[0] if len(zones) == 1 and zones[0] != timezone.UNKNOWN_TIMEZONE else None
