"""Postal-code lookup, distances, prefilter boxes and coarse coordinates for the directory."""

from __future__ import annotations

import math
import zoneinfo

import pytest
import zipcodes

from webapp.directory.geo import (
    EARTH_RADIUS_KM,
    Place,
    _place_from_record,
    bounding_box,
    coarse,
    distance_km,
    find_postcode,
)

NEW_YORK = (40.7128, -74.0060)
LOS_ANGELES = (34.0522, -118.2437)


def destination(lat: float, lon: float, bearing_deg: float, km: float) -> tuple[float, float]:
    """The point `km` from (lat, lon) along `bearing_deg`, on the same sphere as the module."""
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    delta = km / EARTH_RADIUS_KM
    phi2 = math.asin(
        math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta)
    )
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi),
        math.cos(delta) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


def in_box(box: tuple[float, float, float, float], lat: float, lon: float) -> bool:
    min_lat, max_lat, min_lon, max_lon = box
    return min_lat <= lat <= max_lat and min_lon <= lon <= max_lon


@pytest.mark.parametrize(
    ("text", "city", "state", "time_zone", "near"),
    [
        ("10001", "New York", "NY", "America/New_York", NEW_YORK),
        ("60601", "Chicago", "IL", "America/Chicago", (41.8781, -87.6298)),
        ("94103", "San Francisco", "CA", "America/Los_Angeles", (37.7749, -122.4194)),
    ],
)
def test_known_zip_codes_give_their_place(text, city, state, time_zone, near):
    place = find_postcode(text)
    assert isinstance(place, Place)
    assert (place.postcode, place.city, place.state, place.time_zone) == (
        text,
        city,
        state,
        time_zone,
    )
    assert distance_km(place.latitude, place.longitude, *near) < 10


@pytest.mark.parametrize("text", ["10001-1234", " 10001 ", "\t10001-1234\n"])
def test_zip_plus_four_and_surrounding_space_are_accepted(text):
    assert find_postcode(text) == find_postcode("10001")


@pytest.mark.parametrize(
    "text",
    [
        "ABCDE",
        "",
        "   ",
        "00000",
        "123",
        "1000",
        "100011",
        "100011234",
        "10001-12",
        "10001 1234",
        "01195",  # retired
        "09001",  # APO, no location
        "10001; DROP TABLE",
    ],
)
def test_anything_but_a_known_located_zip_gives_none(text):
    assert find_postcode(text) is None


@pytest.mark.parametrize("country", ["CA", "GB", "us", ""])
def test_only_us_postcodes_are_supported(country):
    assert find_postcode("10001", country=country) is None


def test_lookups_are_cached():
    assert find_postcode("60601") is find_postcode(" 60601-0001 ")


def test_every_located_zip_has_a_real_time_zone():
    known = zoneinfo.available_timezones()
    places = [_place_from_record(record) for record in zipcodes.list_all() if record["active"]]
    located = [place for place in places if place is not None]
    assert len(located) > 40_000
    assert {place.time_zone for place in located} <= known
    assert all(-90 <= p.latitude <= 90 and -180 <= p.longitude <= 180 for p in located)


def test_new_york_to_los_angeles():
    assert distance_km(*NEW_YORK, *LOS_ANGELES) == pytest.approx(3936, abs=10)


def test_distance_is_symmetric_and_zero_to_self():
    assert distance_km(*NEW_YORK, *NEW_YORK) == 0
    assert distance_km(*NEW_YORK, *LOS_ANGELES) == distance_km(*LOS_ANGELES, *NEW_YORK)


def test_distance_across_the_antimeridian_and_to_the_antipode():
    assert distance_km(0, 179.5, 0, -179.5) == pytest.approx(math.pi * EARTH_RADIUS_KM / 180)
    # Rounding takes the haversine term one ulp past 1 here; the square root absorbs it.
    assert distance_km(-43.5577, 122.3446, 43.5577, -57.6554) == pytest.approx(
        math.pi * EARTH_RADIUS_KM
    )


CENTRES = [
    NEW_YORK,
    (61.2181, -149.9003),  # Anchorage
    (-33.8688, 151.2093),  # Sydney
    (0.0, 0.0),
    (70.0, 25.0),
]


@pytest.mark.parametrize("centre", CENTRES)
@pytest.mark.parametrize("radius_km", [1, 25, 500])
def test_box_holds_the_whole_circle(centre, radius_km):
    box = bounding_box(*centre, radius_km)
    for bearing in range(0, 360, 5):
        point = destination(*centre, bearing, radius_km * 0.9999)
        assert distance_km(*centre, *point) == pytest.approx(radius_km * 0.9999)
        assert in_box(box, *point), (bearing, point, box)


@pytest.mark.parametrize("centre", CENTRES)
@pytest.mark.parametrize("radius_km", [1, 25, 500])
def test_box_leaves_out_points_well_outside(centre, radius_km):
    box = bounding_box(*centre, radius_km)
    for bearing in (0, 90, 180, 270):
        assert not in_box(box, *destination(*centre, bearing, radius_km * 1.5)), bearing


def test_box_is_tight_away_from_poles_and_antimeridian():
    min_lat, max_lat, min_lon, max_lon = bounding_box(*NEW_YORK, 50)
    reach = math.degrees(50 / EARTH_RADIUS_KM)
    assert max_lat - NEW_YORK[0] == pytest.approx(reach)
    widest = max(destination(*NEW_YORK, b / 10, 50)[1] for b in range(0, 1800))
    assert max_lon == pytest.approx(widest, abs=1e-6)
    assert min_lon == pytest.approx(2 * NEW_YORK[1] - max_lon)


def test_box_near_a_pole_spans_every_longitude_and_clamps_latitude():
    min_lat, max_lat, min_lon, max_lon = bounding_box(89.9, 10, 50)
    assert min_lat == pytest.approx(89.9 - math.degrees(50 / EARTH_RADIUS_KM))
    assert (max_lat, min_lon, max_lon) == (90, -180, 180)
    assert bounding_box(-89.9, 10, 50)[0] == -90


def test_box_across_the_antimeridian_spans_every_longitude():
    adak = (51.88, -176.66)
    min_lat, max_lat, min_lon, max_lon = bounding_box(*adak, 500)
    assert (min_lon, max_lon) == (-180, 180)
    assert in_box((min_lat, max_lat, min_lon, max_lon), *destination(*adak, 270, 400))


def test_box_of_radius_zero_is_the_point_and_negative_is_refused():
    lat, lon = NEW_YORK
    assert bounding_box(lat, lon, 0) == (lat, lat, lon, lon)
    with pytest.raises(ValueError, match="radius_km"):
        bounding_box(*NEW_YORK, -1)


def test_coarse_rounds_to_two_places_by_default():
    assert coarse(40.712776, -74.005974) == (40.71, -74.01)
    assert coarse(40.712776, -74.005974, places=3) == (40.713, -74.006)


@pytest.mark.parametrize("centre", CENTRES)
def test_coarse_moves_a_point_less_than_a_kilometre_and_hides_its_spot(centre):
    lat, lon = centre
    points = [(lat + i / 997, lon + j / 991) for i in range(-10, 11) for j in range(-10, 11)]
    for point in points:
        area = coarse(*point)
        assert distance_km(*point, *area) < 0.8
        assert coarse(*area) == area
    assert len({coarse(*point) for point in points}) < len(points) / 4


def test_digits_from_an_arabic_keyboard_are_read_as_a_zip():
    place = find_postcode("١٠٠٠١")
    assert place is not None and place.city == "New York"
    assert find_postcode("1000²") is None, "superscripts are not digits of a ZIP"
