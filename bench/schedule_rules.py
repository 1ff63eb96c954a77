"""Does a schedule start an opening on this day? Haven's rule against dateutil's rrule.

Run from the repo root: .venv/bin/python bench/schedule_rules.py [--days 365]

Issue 15 asked to expand HSDS schedule rules with `dateutil.rrule` where it does what
`webapp/directory/hours.py` does by hand. Haven asks one question of a rule, many times: does an
opening start on this day (`_Rule.starts_on`, for the place page, open now and the weekly-hours
index)? rrule answers it by walking the occurrences from DTSTART (`after(day, inc=True)`), or
from its cache of every occurrence it has walked. For each rule shape below this prints whether
both give the same answer on every day, and the time of one answer each way.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from dateutil import rrule

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp.directory import hours  # noqa: E402

FIRST_DAY = date(2026, 1, 1)
SHAPES = {  # label: (freq, byday, bymonthday, interval, dtstart)
    "weekly MO-FR": ("WEEKLY", "MO,TU,WE,TH,FR", None, 1, date(2012, 3, 5)),
    "every 2nd week MO,TU": ("WEEKLY", "MO,TU", None, 2, date(2010, 1, 4)),
    "monthly last FR": ("MONTHLY", "-1FR", None, 1, date(2015, 1, 1)),
    "monthly 1st and 3rd WE": ("MONTHLY", "1WE,3WE", None, 1, date(2018, 6, 1)),
    "monthly day 15 and last day": ("MONTHLY", None, "15,-1", 1, date(2014, 2, 1)),
}
RRULE_DAYS = dict(
    zip(
        hours.WEEKDAYS,
        (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU),
        strict=True,
    )
)


def as_rrule(freq, byday, bymonthday, interval, dtstart, cache: bool) -> rrule.rrule:
    days = [
        RRULE_DAYS[code](int(n)) if n else RRULE_DAYS[code]
        for n, code in (
            hours.BYDAY_PART.fullmatch(part).groups() for part in (byday or "").split(",") if part
        )
    ]
    return rrule.rrule(
        rrule.WEEKLY if freq == "WEEKLY" else rrule.MONTHLY,
        dtstart=datetime.combine(dtstart, clock()),
        interval=interval,
        byweekday=days or None,
        bymonthday=[int(d) for d in bymonthday.split(",")] if bymonthday else None,
        cache=cache,
    )


def per_answer_us(answer, days: list[date]) -> tuple[list[bool], float]:
    start = time.perf_counter()
    answers = [answer(day) for day in days]
    return answers, (time.perf_counter() - start) / len(days) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    days = [FIRST_DAY + timedelta(days=n) for n in range(args.days)]
    print(f"{'rule':<30} {'same':>5} {'Haven us':>9} {'rrule us':>9} {'cached us':>9}")
    for label, (freq, byday, monthdays, interval, dtstart) in SHAPES.items():
        schedule = hours.Schedule(
            time_zone="UTC",
            freq=freq,
            byday=byday,
            bymonthday=monthdays,
            interval=interval,
            dtstart=dtstart,
            opens_at=clock(9),
            closes_at=clock(17),
        )
        haven, haven_us = per_answer_us(hours.rule(schedule).starts_on, days)
        timings = []
        for cache in (False, True):
            walked = as_rrule(freq, byday, monthdays, interval, dtstart, cache)

            def starts_on(day: date, walked=walked) -> bool:
                found = walked.after(datetime.combine(day, clock()), inc=True)
                return found is not None and found.date() == day

            answers, micros = per_answer_us(starts_on, days)
            timings.append((answers == haven, micros))
        same = "yes" if all(agrees for agrees, _ in timings) else "NO"
        cells = f"{haven_us:9.1f} {timings[0][1]:9.1f} {timings[1][1]:9.1f}"
        print(f"{label:<30} {same:>5} {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
