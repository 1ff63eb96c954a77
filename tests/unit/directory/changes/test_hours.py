"""Opening hours as editors write them, and the schedules that say the same to survivors."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from webapp.directory import hours as reading
from webapp.directory.changes import hours

TODAY = date(2027, 1, 12)
ZONE = ZoneInfo("America/Chicago")
WEEKDAYS = {day: [["09:00", "17:00"]] for day in ("MO", "TU", "WE", "TH", "FR")}


def schedules(model):
    return [
        reading.Schedule.from_hsds(
            {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()},
            "America/Chicago",
        )
        for row in hours.rows(model)
    ]


def open_at(model, *moment) -> bool:
    return bool(reading.is_open(schedules(model), datetime(*moment, tzinfo=ZONE)))


def round_trip(model):
    """The model written as rows and read back, as `read` does from the database."""
    stored = []
    for row in hours.rows(model):
        full = {
            "freq": None,
            "interval": None,
            "bymonthday": None,
            "dtstart": None,
            "until": None,
            **row,
        }
        stored.append(hours._parse(full))
    return hours._model(stored)


def test_a_week_with_a_lunch_break_and_a_late_night():
    model = hours.check(
        {
            "week": {
                "MO": [["13:00", "17:00"], ["09:00", "12:00"]],
                "FR": [["20:00", "02:00", hours.OVERNIGHT]],
            }
        },
        TODAY,
    )
    assert model["week"]["MO"] == [["09:00", "12:00"], ["13:00", "17:00"]]
    assert open_at(model, 2027, 1, 11, 10, 0) and not open_at(model, 2027, 1, 11, 12, 30)
    assert open_at(model, 2027, 1, 16, 1, 30), "Friday's night runs into Saturday"
    assert round_trip(model) == (model, False)


def test_a_temporary_closure_is_a_gap_in_the_week():
    model = hours.check(
        {
            "week": WEEKDAYS,
            "exceptions": [{"from": "2027-02-01", "to": "2027-02-14", "note": "Repairs"}],
        },
        TODAY,
    )
    assert open_at(model, 2027, 1, 29, 10, 0)
    assert not open_at(model, 2027, 2, 3, 10, 0), "closed for the works"
    assert open_at(model, 2027, 2, 15, 10, 0), "open again"
    assert round_trip(model) == (model, False)


def test_holiday_hours_replace_the_week_on_their_days():
    model = hours.check(
        {
            "week": WEEKDAYS,
            "exceptions": [
                {
                    "from": "2027-12-24",
                    "to": "2027-12-24",
                    "hours": [["09:00", "12:00"]],
                    "note": "Christmas Eve",
                }
            ],
        },
        TODAY,
    )
    assert open_at(model, 2027, 12, 24, 11, 0) and not open_at(model, 2027, 12, 24, 15, 0)
    assert open_at(model, 2027, 12, 23, 15, 0) and open_at(model, 2027, 12, 27, 15, 0)
    assert round_trip(model) == (model, False)


@pytest.mark.parametrize(
    ("model", "code"),
    [
        ({"week": {"MO": [["17:00", "09:00"]]}}, "closes_before_opens"),
        ({"week": {"MO": [["09:00", "09:00"]]}}, "same_time"),
        ({"week": {"MO": [["9", "17:00"]]}}, "no_time"),
        ({"week": {"MO": [["25:00", "26:00"]]}}, "no_time"),
        ({"week": {"MO": [["09:00", "13:00"], ["12:00", "17:00"]]}}, "spans_overlap"),
        ({"exceptions": [{"from": "2027-03-10", "to": "2027-03-01"}]}, "ends_before_it_starts"),
        ({"exceptions": [{"from": "2026-12-01", "to": "2026-12-24"}]}, "already_over"),
        ({"exceptions": [{"from": "2027-03-01", "to": "2028-06-01"}]}, "too_long_exception"),
        ({"exceptions": [{"from": "someday", "to": "2027-03-01"}]}, "no_date"),
        (
            {
                "exceptions": [
                    {"from": "2027-03-01", "to": "2027-03-10"},
                    {"from": "2027-03-05", "to": "2027-03-12"},
                ]
            },
            "exceptions_overlap",
        ),
    ],
)
def test_hours_that_cannot_be_are_refused(model, code):
    with pytest.raises(hours.BadHours) as refused:
        hours.check(model, TODAY)
    assert refused.value.code == code


def test_a_day_closing_at_midnight_is_not_a_night_span():
    model = hours.check({"week": {"SA": [["18:00", "00:00"]]}}, TODAY)
    assert model["week"]["SA"] == [["18:00", "24:00"]]
    assert open_at(model, 2027, 1, 16, 23, 30) and not open_at(model, 2027, 1, 17, 0, 30)


def test_schedules_the_model_cannot_say_are_unusual():
    monthly = {
        "freq": "MONTHLY",
        "interval": 1,
        "byday": "1MO",
        "bymonthday": None,
        "opens_at": "09:00",
        "closes_at": "12:00",
        "valid_from": None,
        "valid_to": None,
        "dtstart": None,
        "until": None,
        "description": None,
    }
    assert hours._parse(monthly) is None


def test_the_historys_summary_reads_back_as_the_hours_it_says():
    model = {
        "week": {"MO": [["09:00", "12:00"], ["13:00", "17:00"]], "FR": [["20:00", "02:00"]]},
        "exceptions": [
            {"from": "2027-01-18", "to": "2027-01-22", "hours": [], "note": ""},
            {"from": "2027-12-24", "to": "2027-12-24", "hours": [["10:00", "14:00"]], "note": ""},
        ],
    }
    assert hours.from_summary(hours.summary(model)) == model
    assert hours.from_summary("") == hours.empty()


@pytest.mark.parametrize(
    "line",
    [
        "Monday 09:00-17:00",
        "MO 9-5",
        "MO closed",
        "MO 09:00-17:00; MO 10:00-11:00",
        "2027-02-30..2027-03-01 closed",
        "MO 09:00-17:00 and more",
    ],
)
def test_a_line_the_summary_never_writes_is_not_read_as_hours(line):
    assert hours.from_summary(line) is None
