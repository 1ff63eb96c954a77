"""Opening hours from HSDS schedules: open now, in the service's own time zone."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from webapp.directory.errors import ScheduleError
from webapp.directory.hours import (
    Schedule,
    is_always_open,
    is_open,
    offset_zone,
)
from webapp.directory.hsds import HSDS_DIR

HSDS_CSV = HSDS_DIR / "examples" / "csv" / "schedules.csv"
CHICAGO = "America/Chicago"
NEW_YORK = "America/New_York"
ALL_DAYS = "MO,TU,WE,TH,FR,SA,SU"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def local(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone))


def weekly(byday: str, opens: str | None, closes: str | None, zone=CHICAGO, **extra) -> Schedule:
    return Schedule(
        time_zone=zone,
        freq="WEEKLY",
        byday=byday,
        opens_at=time.fromisoformat(opens) if opens else None,
        closes_at=time.fromisoformat(closes) if closes else None,
        **extra,
    )


OFFICE = weekly("MO,TU,WE,TH,FR", "09:00", "17:00")


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Tuesday 16 January 2024, Chicago on CST (UTC-6).
        (utc(2024, 1, 16, 14, 59), False),
        (utc(2024, 1, 16, 15, 0), True),
        (utc(2024, 1, 16, 22, 59), True),
        (utc(2024, 1, 16, 23, 0), False),
        # Tuesday 16 July 2024, Chicago on CDT (UTC-5).
        (utc(2024, 7, 16, 13, 59), False),
        (utc(2024, 7, 16, 14, 0), True),
        (utc(2024, 7, 16, 21, 59), True),
        (utc(2024, 7, 16, 22, 0), False),
        # Saturday noon, and Tuesday evening in Chicago that is already Wednesday in UTC.
        (utc(2024, 1, 20, 18, 0), False),
        (utc(2024, 1, 17, 1, 0), False),
    ],
)
def test_weekday_hours_in_the_service_time_zone(at, expected):
    assert is_open([OFFICE], at) is expected


def test_the_same_instant_is_read_in_each_schedule_zone():
    tokyo = weekly("MO,TU,WE,TH,FR", "09:00", "17:00", zone="Asia/Tokyo")
    at = utc(2024, 1, 16, 15, 0)  # 09:00 in Chicago, 00:00 on Wednesday in Tokyo
    assert is_open([tokyo], at) is False
    assert is_open([tokyo, OFFICE], at) is True


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (local(CHICAGO, 2024, 3, 1, 19, 59), False),
        (local(CHICAGO, 2024, 3, 1, 20, 0), True),
        (local(CHICAGO, 2024, 3, 1, 23, 59), True),
        (local(CHICAGO, 2024, 3, 2, 1, 0), True),  # Saturday, from Friday night
        (local(CHICAGO, 2024, 3, 2, 2, 0), False),
        (local(CHICAGO, 2024, 3, 1, 1, 0), False),  # Friday early: Thursday is not listed
        (local(CHICAGO, 2024, 3, 2, 20, 0), False),
    ],
)
def test_overnight_hours_run_past_midnight(at, expected):
    assert is_open([weekly("FR", "20:00", "02:00")], at) is expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (local(CHICAGO, 2024, 3, 3, 22, 59), False),
        (local(CHICAGO, 2024, 3, 3, 23, 0), True),
        (local(CHICAGO, 2024, 3, 4, 1, 59), True),  # Monday, from Sunday night
        (local(CHICAGO, 2024, 3, 4, 2, 0), False),
        (local(CHICAGO, 2024, 3, 4, 23, 30), False),
    ],
)
def test_overnight_hours_run_past_the_end_of_the_week(at, expected):
    assert is_open([weekly("SU", "23:00", "02:00")], at) is expected


def test_closing_at_midnight_ends_the_day():
    evening = [weekly("FR", "18:00", "00:00")]
    assert is_open(evening, local(CHICAGO, 2024, 3, 1, 23, 59, 59)) is True
    assert is_open(evening, local(CHICAGO, 2024, 3, 2, 0, 0)) is False
    assert is_open(evening, local(CHICAGO, 2024, 3, 1, 17, 59)) is False


def test_weekly_days_without_times_are_open_all_day():
    weekend = [weekly("SA,SU", None, None)]
    assert is_open(weekend, local(CHICAGO, 2024, 3, 2, 0, 0)) is True
    assert is_open(weekend, local(CHICAGO, 2024, 3, 3, 23, 59, 59)) is True
    assert is_open(weekend, local(CHICAGO, 2024, 3, 4, 0, 0)) is False
    assert is_always_open(weekend) is False


TWENTY_FOUR_SEVEN = {
    "midnight to midnight": [weekly(ALL_DAYS, "00:00", "00:00")],
    "midnight to 23:59": [weekly(ALL_DAYS, "00:00", "23:59")],
    "midnight to 23:59:59": [weekly(ALL_DAYS, "00:00:00", "23:59:59")],
    "no times": [weekly(ALL_DAYS, None, None)],
    "opening at midnight only": [weekly(ALL_DAYS, "00:00", None)],
    "closing at 23:59 only": [weekly(ALL_DAYS, None, "23:59")],
    "no freq": [replace(weekly(ALL_DAYS, "00:00", "00:00"), freq=None)],
    "one schedule a day": [weekly(day, "00:00", "23:59") for day in ALL_DAYS.split(",")],
    "weekdays and weekend": [weekly("MO,TU,WE,TH,FR", None, None), weekly("SA,SU", None, None)],
}


@pytest.mark.parametrize("schedules", TWENTY_FOUR_SEVEN.values(), ids=TWENTY_FOUR_SEVEN.keys())
def test_twenty_four_seven(schedules):
    assert is_always_open(schedules) is True
    start = local(CHICAGO, 2024, 3, 4, 0, 0)
    for minutes in range(0, 7 * 24 * 60, 29):
        assert is_open(schedules, start + timedelta(minutes=minutes)) is True
    assert is_open(schedules, local(CHICAGO, 2024, 3, 10, 23, 59, 59)) is True


NOT_TWENTY_FOUR_SEVEN = {
    "six days": [weekly("MO,TU,WE,TH,FR,SA", "00:00", "00:00")],
    "long days": [weekly(ALL_DAYS, "06:00", "23:00")],
    "fortnightly": [weekly(ALL_DAYS, None, None, interval=2, dtstart=date(2024, 1, 1))],
    "monthly": [Schedule(time_zone=CHICAGO, freq="MONTHLY", byday=ALL_DAYS)],
    "none": [],
}


@pytest.mark.parametrize(
    "schedules", NOT_TWENTY_FOUR_SEVEN.values(), ids=NOT_TWENTY_FOUR_SEVEN.keys()
)
def test_not_twenty_four_seven(schedules):
    assert is_always_open(schedules) is False


def test_twenty_four_seven_can_be_checked_on_a_date():
    ended = [weekly(ALL_DAYS, None, None, valid_to=date(2024, 3, 31))]
    assert is_always_open(ended, on=date(2024, 3, 31)) is True
    assert is_always_open(ended, on=date(2024, 4, 1)) is False


VALID_IN_MARCH = weekly(
    ALL_DAYS, "09:00", "17:00", valid_from=date(2024, 3, 1), valid_to=date(2024, 3, 31)
)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (local(CHICAGO, 2024, 2, 29, 12, 0), False),
        (local(CHICAGO, 2024, 3, 1, 9, 0), True),
        (local(CHICAGO, 2024, 3, 31, 16, 59), True),
        (local(CHICAGO, 2024, 4, 1, 12, 0), False),
    ],
)
def test_valid_from_and_valid_to_bound_the_dates(at, expected):
    assert is_open([VALID_IN_MARCH], at) is expected


def test_until_is_the_last_day_and_inclusive():
    until_friday = [weekly("FR", "09:00", "17:00", until=date(2024, 3, 15))]
    assert is_open(until_friday, local(CHICAGO, 2024, 3, 15, 16, 59)) is True
    assert is_open(until_friday, local(CHICAGO, 2024, 3, 22, 12, 0)) is False


def test_an_overnight_opening_belongs_to_the_day_it_starts():
    last_night = [weekly("FR", "20:00", "02:00", valid_to=date(2024, 3, 1))]
    assert is_open(last_night, local(CHICAGO, 2024, 3, 2, 1, 0)) is True


def test_a_temporary_closure_is_closed_not_unknown():
    regular = weekly(ALL_DAYS, "09:00", "17:00")
    schedules = [
        replace(regular, valid_to=date(2024, 12, 23)),
        replace(regular, valid_from=date(2024, 12, 27)),
    ]
    assert is_open(schedules, local(CHICAGO, 2024, 12, 23, 12, 0)) is True
    assert is_open(schedules, local(CHICAGO, 2024, 12, 25, 12, 0)) is False
    assert is_open(schedules, local(CHICAGO, 2024, 12, 27, 12, 0)) is True


UNUSABLE = {
    "daily": Schedule(time_zone=CHICAGO, freq="DAILY", opens_at=time(9), closes_at=time(17)),
    "no days": Schedule(time_zone=CHICAGO, freq="WEEKLY", opens_at=time(9), closes_at=time(17)),
    "opening only": weekly("MO", "09:00", None),
    "closing only": weekly("MO", None, "17:00"),
    "bad day": weekly("MO,XX", "09:00", "17:00"),
    "weekly with occurrence": weekly("1MO", "09:00", "17:00"),
    "interval without dtstart": weekly("MO", "09:00", "17:00", interval=2),
    "bad month day": Schedule(time_zone=CHICAGO, freq="MONTHLY", bymonthday="32"),
}


def test_no_schedules_means_unknown_not_closed():
    assert is_open([], utc(2024, 3, 4, 15, 0)) is None


@pytest.mark.parametrize("schedule", UNUSABLE.values(), ids=UNUSABLE.keys())
def test_unusable_schedules_mean_unknown(schedule):
    assert is_open([schedule], local(CHICAGO, 2024, 3, 4, 12, 0)) is None
    assert is_open([schedule, OFFICE], local(CHICAGO, 2024, 3, 4, 20, 0)) is False


def test_morning_and_afternoon_with_a_lunch_gap():
    day = [weekly("MO", "09:00", "12:00"), weekly("MO", "13:00", "17:00")]
    assert is_open(day, local(CHICAGO, 2024, 3, 4, 11, 59)) is True
    assert is_open(day, local(CHICAGO, 2024, 3, 4, 12, 0)) is False
    assert is_open(day, local(CHICAGO, 2024, 3, 4, 12, 59)) is False
    assert is_open(day, local(CHICAGO, 2024, 3, 4, 13, 0)) is True
    assert is_open(day, local(CHICAGO, 2024, 3, 4, 17, 0)) is False


NIGHT = weekly(ALL_DAYS, "01:00", "03:00", zone=NEW_YORK)
DAYTIME = weekly(ALL_DAYS, "09:00", "17:00", zone=NEW_YORK)


@pytest.mark.parametrize(
    ("schedule", "at", "expected"),
    [
        # Sunday 10 March 2024: 02:00 EST jumps to 03:00 EDT, so 01:00-03:00 lasts one hour.
        (NIGHT, utc(2024, 3, 10, 5, 59), False),  # 00:59 EST
        (NIGHT, utc(2024, 3, 10, 6, 0), True),  # 01:00 EST
        (NIGHT, utc(2024, 3, 10, 6, 59), True),  # 01:59 EST
        (NIGHT, utc(2024, 3, 10, 7, 0), False),  # 03:00 EDT
        (DAYTIME, utc(2024, 3, 10, 12, 59), False),  # 08:59 EDT
        (DAYTIME, utc(2024, 3, 10, 13, 0), True),  # 09:00 EDT
        (DAYTIME, utc(2024, 3, 10, 20, 59), True),  # 16:59 EDT
        (DAYTIME, utc(2024, 3, 10, 21, 0), False),  # 17:00 EDT
        (DAYTIME, utc(2024, 3, 9, 14, 0), True),  # the day before: 09:00 EST
        (DAYTIME, utc(2024, 3, 9, 13, 59), False),
        # Sunday 3 November 2024: 02:00 EDT falls back to 01:00 EST, so 01:00-03:00 lasts three.
        (NIGHT, utc(2024, 11, 3, 4, 59), False),  # 00:59 EDT
        (NIGHT, utc(2024, 11, 3, 5, 0), True),  # 01:00 EDT
        (NIGHT, utc(2024, 11, 3, 6, 30), True),  # 01:30 EST, the second time
        (NIGHT, utc(2024, 11, 3, 7, 59), True),  # 02:59 EST
        (NIGHT, utc(2024, 11, 3, 8, 0), False),  # 03:00 EST
        (DAYTIME, utc(2024, 11, 3, 13, 59), False),  # 08:59 EST
        (DAYTIME, utc(2024, 11, 3, 14, 0), True),  # 09:00 EST
        (DAYTIME, utc(2024, 11, 3, 21, 59), True),  # 16:59 EST
        (DAYTIME, utc(2024, 11, 3, 22, 0), False),  # 17:00 EST
        (DAYTIME, utc(2024, 11, 2, 13, 0), True),  # the day before: 09:00 EDT
        (DAYTIME, utc(2024, 11, 2, 12, 59), False),
    ],
)
def test_daylight_saving_days_in_new_york(schedule, at, expected):
    assert is_open([schedule], at) is expected


FORTNIGHTLY = weekly("MO,TH", "09:00", "17:00", interval=2, dtstart=date(2024, 1, 1))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 12, 18), False),  # before dtstart
        (date(2024, 1, 1), True),
        (date(2024, 1, 4), True),
        (date(2024, 1, 8), False),
        (date(2024, 1, 11), False),
        (date(2024, 1, 15), True),
        (date(2024, 12, 30), True),  # week 52 from dtstart
    ],
)
def test_interval_two_is_fortnightly_from_dtstart(day, expected):
    at = local(CHICAGO, day.year, day.month, day.day, 12, 0)
    assert is_open([FORTNIGHTLY], at) is expected


def monthly(**rule) -> Schedule:
    return Schedule(
        time_zone=CHICAGO, freq="MONTHLY", opens_at=time(10), closes_at=time(14), **rule
    )


@pytest.mark.parametrize(
    ("schedule", "day", "expected"),
    [
        (monthly(byday="1MO"), date(2024, 3, 4), True),
        (monthly(byday="1MO"), date(2024, 3, 11), False),
        (monthly(byday="1MO"), date(2024, 4, 1), True),
        (monthly(byday="-1FR"), date(2024, 3, 29), True),
        (monthly(byday="-1FR"), date(2024, 3, 22), False),
        (monthly(byday="-1FR"), date(2024, 2, 23), True),
        (monthly(byday="1MO,-1FR"), date(2024, 5, 31), True),
        (monthly(bymonthday="1,15,-1"), date(2024, 2, 15), True),
        (monthly(bymonthday="1,15,-1"), date(2024, 2, 29), True),
        (monthly(bymonthday="1,15,-1"), date(2024, 2, 28), False),
        (monthly(byday="FR", bymonthday="13"), date(2024, 9, 13), True),
        (monthly(byday="FR", bymonthday="13"), date(2024, 9, 20), False),
        (monthly(dtstart=date(2024, 1, 10)), date(2024, 3, 10), True),
        (monthly(byday="1MO", interval=3, dtstart=date(2024, 1, 1)), date(2024, 4, 1), True),
        (monthly(byday="1MO", interval=3, dtstart=date(2024, 1, 1)), date(2024, 3, 4), False),
    ],
)
def test_monthly_rules(schedule, day, expected):
    assert is_open([schedule], local(CHICAGO, day.year, day.month, day.day, 12, 0)) is expected


def official_example_row() -> dict[str, str]:
    with HSDS_CSV.open(newline="", encoding="utf-8") as source:
        return next(csv.DictReader(source))


def test_the_official_hsds_csv_row_parses():
    schedule = Schedule.from_hsds(official_example_row(), CHICAGO)
    assert schedule == Schedule(
        time_zone=CHICAGO,
        freq="WEEKLY",
        byday="TH,FR",
        bymonthday="2,3,4",
        opens_at=time(10, 0),
        closes_at=time(18, 0),
        valid_from=date(2005, 1, 1),
        valid_to=date(2005, 1, 1),
        until=date(2005, 1, 1),
        dtstart=date(2005, 1, 1),
        interval=1,
        wkst="TU",
        description=official_example_row()["description"],
    )
    # Valid on Saturday 1 January 2005 only, which is neither a Thursday nor a Friday.
    assert is_open([schedule], local(CHICAGO, 2005, 1, 6, 12, 0)) is False
    timeless = replace(schedule, valid_from=None, valid_to=None, until=None)
    assert is_open([timeless], local(CHICAGO, 2005, 1, 6, 9, 59)) is False
    assert is_open([timeless], local(CHICAGO, 2005, 1, 6, 10, 0)) is True
    assert is_open([timeless], local(CHICAGO, 2005, 1, 7, 17, 59)) is True
    assert is_open([timeless], local(CHICAGO, 2005, 1, 8, 12, 0)) is False


def test_from_hsds_reads_loose_values():
    schedule = Schedule.from_hsds(
        {
            "freq": "weekly",
            "byday": "mo, we",
            "opens_at": "09:00-05:00",
            "closes_at": "17:30",
            "valid_from": "",
            "interval": 2.0,
            "dtstart": "2024-01-01",
            "description": "  ",
        },
        NEW_YORK,
    )
    assert (schedule.freq, schedule.byday, schedule.interval) == ("WEEKLY", "MO,WE", 2)
    assert (schedule.opens_at, schedule.closes_at) == (time(9), time(17, 30))
    assert schedule.valid_from is None and schedule.description is None
    assert Schedule.from_hsds({}, NEW_YORK) == Schedule(time_zone=NEW_YORK)
    late = Schedule.from_hsds(
        {"byday": ALL_DAYS, "opens_at": "00:00", "closes_at": "24:00"}, CHICAGO
    )
    assert late.closes_at == time(0) and is_always_open([late]) is True


@pytest.mark.parametrize(
    ("field", "value"),
    [("opens_at", "9am"), ("valid_to", "31/12/2024"), ("interval", "0"), ("interval", "1.5")],
)
def test_from_hsds_names_the_unreadable_field(field, value):
    with pytest.raises(ScheduleError) as caught:
        Schedule.from_hsds({field: value}, CHICAGO)
    assert caught.value.field == field


def test_a_fixed_offset_zone_from_the_hsds_timezone_field():
    assert offset_zone("3") == "+03:00"
    assert offset_zone(-5) == "-05:00"
    assert offset_zone("5.5") == "+05:30"
    schedule = weekly("MO", "09:00", "17:00", zone=offset_zone("-5"))
    assert is_open([schedule], utc(2024, 7, 15, 14, 0)) is True  # no DST on a fixed offset
    assert is_open([schedule], utc(2024, 7, 15, 13, 59)) is False


def test_an_unknown_zone_is_refused():
    with pytest.raises(ScheduleError):
        Schedule(time_zone="Mars/Olympus_Mons")


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError, match="aware"):
        is_open([OFFICE], datetime(2024, 3, 4, 12, 0))
