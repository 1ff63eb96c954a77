"""Safe windows in the survivor's own zone, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from webapp.callbacks.errors import BadWindow
from webapp.callbacks.windows import Window, current_span, next_opening

EVENINGS = [Window.of([0, 1, 2, 3, 4], 18 * 60, 20 * 60)]  # weekdays 18:00-20:00


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_a_window_is_read_in_the_survivors_zone_not_the_servers():
    monday_1830_chicago = at(2027, 1, 12, 0, 30)  # Monday 18:30 in Chicago is Tuesday in UTC
    assert current_span(EVENINGS, "America/Chicago", monday_1830_chicago) == (
        at(2027, 1, 12, 0, 0),
        at(2027, 1, 12, 2, 0),
    )
    assert current_span(EVENINGS, "Asia/Tokyo", monday_1830_chicago) is None


def test_the_same_wall_clock_hours_across_the_spring_change():
    friday = at(2027, 3, 12, 18, 0)  # Friday 12:00 CST; Monday 15th is in daylight time
    assert next_opening(EVENINGS, "America/Chicago", friday) == at(2027, 3, 13, 0, 0)
    saturday_night = at(2027, 3, 14, 3, 0)
    assert next_opening(EVENINGS, "America/Chicago", saturday_night) == at(2027, 3, 15, 23, 0)


def test_a_time_the_clocks_skip_starts_when_they_jump():
    early_sunday = [Window.of([6], 2 * 60 + 30, 4 * 60)]  # 02:30 does not exist on 14 March
    opening = next_opening(early_sunday, "America/Chicago", at(2027, 3, 13, 12, 0))
    assert opening == at(2027, 3, 14, 8, 0)  # 03:00 CDT, the moment the clocks jump


@pytest.mark.parametrize(
    ("days", "start", "end", "wrong"),
    [
        ([], 60, 120, "days"),
        ([7], 60, 120, "days"),
        ([0], 120, 60, "hours"),
        ([0], 60, 60, "hours"),
    ],
)
def test_a_window_that_cannot_be_is_refused(days, start, end, wrong):
    with pytest.raises(BadWindow) as refused:
        Window.of(days, start, end)
    assert refused.value.args == (wrong,)


def test_an_unknown_zone_is_refused():
    with pytest.raises(BadWindow):
        current_span(EVENINGS, "Mars/Olympus", at(2027, 1, 12, 0, 30))
