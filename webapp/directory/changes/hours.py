"""Opening hours as an editor writes them, and the HSDS schedules that say the same.

An editor gives the usual week (each day closed, or one or two spans of time; a span may end
after midnight, on purpose) and dated exceptions: a temporary closure, or holiday hours. Written
as HSDS 3 schedules the way `webapp.directory.hours` reads them: the week's schedules hold from
one exception to the next (`valid_from`, `valid_to`), so a closure is the gap between them, and
holiday hours are schedules of their own for those dates only.

The value stored in a change request is the model below, as JSON:
`{"week": {"MO": [["09:00", "17:00"]], ...}, "exceptions": [{"from": "2027-12-24",
"to": "2027-12-26", "hours": [], "note": "..."}]}`. Schedules this model cannot say (monthly
rules, every other week, several kinds at once) are read as `unusual`: the form says so, and
saving it replaces them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from webapp.db import new_id
from webapp.directory.errors import DirectoryError
from webapp.directory.tables import TABLES

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY = timedelta(days=1)
MOST_SPANS = 2  # a day: closed, open, or open with a break
MOST_EXCEPTIONS = 20
LONGEST_EXCEPTION = timedelta(days=366)
NOTE_LIMIT = 200
SPAN = re.compile(r"([0-2][0-9]:[0-5][0-9])-([0-2][0-9]:[0-5][0-9])")


class BadHours(DirectoryError, ValueError):
    """Hours that cannot be: `code` says why and `where` which day or exception."""

    def __init__(self, code: str, where: str = ""):
        super().__init__(f"{code} {where}".strip())
        self.code, self.where = code, where


def empty() -> dict:
    return {"week": {}, "exceptions": []}


@dataclass(frozen=True)
class _Row:
    days: tuple[str, ...]
    opens: str
    closes: str
    valid_from: date | None
    valid_to: date | None
    note: str


def read(session: Session, service_id: str) -> tuple[dict, bool]:
    """The service's hours as the model, and whether its schedules were unusual (some of what
    they say is not in the model)."""
    schedules = TABLES["schedule"]
    found = session.execute(
        select(schedules).where(schedules.c.service_id == service_id).order_by(schedules.c.id)
    ).all()
    rows, unusual = [], False
    for row in found:
        parsed = _parse(row._mapping)
        if parsed is None:
            unusual = True
        else:
            rows.append(parsed)
    if not rows:
        return empty(), unusual
    model, lost = _model(rows)
    return model, unusual or lost


def _parse(row) -> _Row | None:
    """A schedule the model can say: weekly, every week, whole weekdays, both times; or the
    note of a closure (no rule, no times, both dates, a description)."""
    days = tuple(d for d in (row["byday"] or "").split(",") if d)
    starts, ends = (
        _later(row["valid_from"], row["dtstart"]),
        _earlier(row["valid_to"], row["until"]),
    )
    note = row["description"] or ""
    times = row["opens_at"] or row["closes_at"]
    if not row["freq"] and not days and not times and starts and ends and note:
        return _Row((), "", "", starts, ends, note)
    weekly = (
        (row["freq"] or "WEEKLY").upper() == "WEEKLY"
        and (row["interval"] in (None, 1, 1.0))
        and not row["bymonthday"]
        and days
        and all(d in DAYS for d in days)
    )
    starts, ends = (
        _later(row["valid_from"], row["dtstart"]),
        _earlier(row["valid_to"], row["until"]),
    )
    note = row["description"] or ""
    if not weekly:
        return None
    if not row["opens_at"] and not row["closes_at"] and starts and ends and note:
        return _Row(tuple(sorted(days, key=DAYS.index)), "", "", starts, ends, note)
    if not row["opens_at"] or not row["closes_at"]:
        return None
    return _Row(
        tuple(sorted(days, key=DAYS.index)),
        _clock(row["opens_at"]),
        _clock(row["closes_at"], closing=True),
        starts,
        ends,
        note,
    )


def _clock(value: str, *, closing: bool = False) -> str:
    """HH:MM; a closing time at the end of the day ("23:59", "00:00") is "24:00"."""
    text = str(value)[:5]
    return "24:00" if closing and text in ("23:59", "00:00") else text


def _later(*values) -> date | None:
    found = [v for v in values if v]
    return max(found) if found else None


def _earlier(*values) -> date | None:
    found = [v for v in values if v]
    return min(found) if found else None


def _span_of(opens: str, closes: str) -> list[str]:
    return [opens, closes, OVERNIGHT] if closes < opens else [opens, closes]


def _week_of(rows: list[_Row]) -> dict[str, list[list[str]]]:
    week: dict[str, list[list[str]]] = {}
    for row in rows:
        for day in row.days:
            span = _span_of(row.opens, row.closes)
            if span not in week.setdefault(day, []):
                week[day].append(span)
    return {day: sorted(spans) for day, spans in week.items()}


def _model(every: list[_Row]) -> tuple[dict, bool]:
    """The usual week is what holds with no end date (else the latest rows); the gaps between
    its periods are exceptions, with the other rows of those dates as their hours."""
    notes = {(r.valid_from, r.valid_to): r.note for r in every if not r.opens}
    rows = [r for r in every if r.opens]
    if not rows:
        return empty(), bool(notes)
    open_ended = [r for r in rows if r.valid_to is None]
    latest = max((r.valid_to for r in rows if r.valid_to), default=None)
    regular_rows = open_ended or [r for r in rows if r.valid_to == latest]
    week = _week_of(regular_rows)
    shape = {(r.days, r.opens, r.closes) for r in regular_rows}
    periods: dict[tuple, list[_Row]] = {}
    for row in rows:
        periods.setdefault((row.valid_from, row.valid_to), []).append(row)
    regular = sorted(
        (
            span
            for span, members in periods.items()
            if {(r.days, r.opens, r.closes) for r in members} == shape
        ),
        key=lambda span: span[0] or date.min,
    )
    others = [span for span in periods if span not in regular]
    exceptions, lost = [], False
    for before, after in zip(regular, regular[1:], strict=False):
        if before[1] is None or after[0] is None:
            lost = True
            continue
        start, end = before[1] + DAY, after[0] - DAY
        if start > end:
            continue
        inside = [s for s in others if s[0] and s[1] and start <= s[0] and s[1] <= end]
        hours = sorted({(r.opens, r.closes) for s in inside for r in periods[s]})
        spans = [_span_of(*h) for h in hours]
        note = next((r.note for s in inside for r in periods[s] if r.note), "")
        note = notes.pop((start, end), note)
        exceptions.append(
            {"from": start.isoformat(), "to": end.isoformat(), "hours": spans, "note": note}
        )
        others = [s for s in others if s not in inside]
    first = regular[0][0] if regular else None
    if first is not None:
        lost = True  # the usual week only starts later: the model cannot say "from"
    return {"week": week, "exceptions": exceptions}, lost or bool(others) or bool(notes)


def check(model: dict, today: date) -> dict:
    """The model, cleaned (spans in order, exceptions by date), or BadHours."""
    week = {}
    for day in DAYS:
        spans = [list(span) for span in model.get("week", {}).get(day, [])]
        if len(spans) > MOST_SPANS:
            raise BadHours("too_many_spans", day)
        week_spans = [_span(span, day) for span in spans]
        _no_overlap(week_spans, day)
        if week_spans:
            week[day] = sorted(week_spans)
    exceptions = sorted(
        (_exception(found, today, n) for n, found in enumerate(model.get("exceptions", []))),
        key=lambda e: e["from"],
    )
    if len(exceptions) > MOST_EXCEPTIONS:
        raise BadHours("too_many_exceptions")
    for first, second in zip(exceptions, exceptions[1:], strict=False):
        if second["from"] <= first["to"]:
            raise BadHours("exceptions_overlap", second["from"])
    return {"week": week, "exceptions": exceptions}


OVERNIGHT = "overnight"  # a span's third element: it ends after midnight, on purpose


def _span(span: list, where: str) -> list[str]:
    """[opens, closes] or, ending after midnight on purpose, [opens, closes, OVERNIGHT]."""
    if len(span) not in (2, 3):
        raise BadHours("no_time", where)
    opens, closes = _time(span[0], where), _time(span[1], where)
    if closes == "00:00":
        closes = "24:00"
    if opens == closes:
        raise BadHours("same_time", where)
    if closes < opens:
        if len(span) != 3 or span[2] != OVERNIGHT:
            raise BadHours("closes_before_opens", where)
        return [opens, closes, OVERNIGHT]
    return [opens, closes]


def _time(value: object, where: str) -> str:
    text = str(value or "").strip()
    parts = text.split(":")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
        raise BadHours("no_time", where)
    hour, minute = int(parts[0]), int(parts[1])
    if not (0 <= hour <= 24 and 0 <= minute < 60) or (hour == 24 and minute):
        raise BadHours("no_time", where)
    return f"{hour:02d}:{minute:02d}"


def _no_overlap(spans: list[list[str]], where: str) -> None:
    minutes = []
    for opens, closes, *overnight in spans:
        start = _minutes(opens)
        minutes.append((start, 24 * 60 if overnight else _minutes(closes)))
    minutes.sort()
    for (_s1, e1), (s2, _e2) in zip(minutes, minutes[1:], strict=False):
        if s2 < e1:
            raise BadHours("spans_overlap", where)


def _minutes(clock: str) -> int:
    hour, minute = clock.split(":")
    return int(hour) * 60 + int(minute)


def _exception(found: dict, today: date, n: int) -> dict:
    where = str(n)
    try:
        start, end = date.fromisoformat(found["from"]), date.fromisoformat(found["to"])
    except (KeyError, TypeError, ValueError):
        raise BadHours("no_date", where) from None
    if end < start:
        raise BadHours("ends_before_it_starts", where)
    if end < today:
        raise BadHours("already_over", where)
    if end - start > LONGEST_EXCEPTION:
        raise BadHours("too_long_exception", where)
    spans = [_span(list(span), where) for span in found.get("hours", [])]
    if len(spans) > MOST_SPANS:
        raise BadHours("too_many_spans", where)
    _no_overlap(spans, where)
    note = " ".join(str(found.get("note") or "").split())[:NOTE_LIMIT]
    return {"from": start.isoformat(), "to": end.isoformat(), "hours": sorted(spans), "note": note}


def rows(model: dict) -> list[dict]:
    """HSDS schedule rows saying the model: the week between the exceptions, then each
    exception's own hours (an exception without hours is a closure: no rows)."""
    exceptions = model.get("exceptions", [])
    periods, start = [], None
    for found in exceptions:
        begins, ends = date.fromisoformat(found["from"]), date.fromisoformat(found["to"])
        periods.append((start, begins - DAY))
        start = ends + DAY
    periods.append((start, None))
    made = []
    for valid_from, valid_to in periods:
        made += _week_rows(model.get("week", {}), valid_from, valid_to, "")
    for found in exceptions:
        begins, ends = date.fromisoformat(found["from"]), date.fromisoformat(found["to"])
        days = _days_between(begins, ends)
        if found["hours"]:
            week = {day: found["hours"] for day in days}
            made += _week_rows(week, begins, ends, found.get("note", ""))
        elif found.get("note"):
            made.append(_closure_note(begins, ends, found["note"]))
    return made


def _closure_note(begins: date, ends: date, note: str) -> dict:
    """A closure is the week's gap; its note rides on a schedule of its dates with no rule at
    all (no freq, no days, no times), which `webapp.directory.hours` cannot read as open."""
    return {
        "freq": None,
        "byday": None,
        "opens_at": None,
        "closes_at": None,
        "valid_from": begins,
        "valid_to": ends,
        "description": note,
    }


def _days_between(begins: date, ends: date) -> list[str]:
    count = min((ends - begins).days + 1, 7)
    return sorted({DAYS[(begins + DAY * n).weekday()] for n in range(count)}, key=DAYS.index)


def _week_rows(week: dict, valid_from, valid_to, note: str) -> list[dict]:
    """One row per span shared by a set of days, e.g. MO,TU,WE 09:00-17:00."""
    by_span: dict[tuple[str, str], list[str]] = {}
    for day in DAYS:
        for opens, closes, *_overnight in week.get(day, []):
            by_span.setdefault((opens, closes), []).append(day)
    return [
        {
            "freq": "WEEKLY",
            "byday": ",".join(days),
            "opens_at": opens,
            "closes_at": "23:59" if closes == "24:00" else closes,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "description": note or None,
        }
        for (opens, closes), days in sorted(
            by_span.items(), key=lambda item: DAYS.index(item[1][0])
        )
    ]


def write(session: Session, service_id: str, model: dict) -> None:
    """Replace the service's schedules with the rows that say `model`."""
    schedules = TABLES["schedule"]
    session.execute(delete(schedules).where(schedules.c.service_id == service_id))
    made = [{"id": new_id(), "service_id": service_id, **row} for row in rows(model)]
    if made:
        session.execute(insert(schedules), made)


def summary(model: dict) -> str:
    """The model in one line for the HSDS history: "MO 09:00-17:00; ...; 2027-02-01..2027-02-14
    closed". Not translated: the history is data, exported as it is."""
    parts = []
    for day in DAYS:
        spans = model.get("week", {}).get(day, [])
        if spans:
            parts.append(f"{day} " + ", ".join(f"{s[0]}-{s[1]}" for s in spans))
    for found in model.get("exceptions", []):
        said = ", ".join(f"{s[0]}-{s[1]}" for s in found.get("hours", [])) or "closed"
        parts.append(f"{found['from']}..{found['to']} {said}")
    return "; ".join(parts)


def from_summary(text: str) -> dict | None:
    """The model a `summary` line says, for showing the history in a reader's language; None
    when the line is not one `summary` writes. The summary keeps no notes and no "ends after
    midnight" marks, so neither comes back."""
    model = empty()
    for part in text.split("; ") if text else []:
        head, _, rest = part.partition(" ")
        spans = [] if rest == "closed" else _spans_of(rest)
        if head in DAYS and spans and head not in model["week"]:
            model["week"][head] = spans
        elif ".." in head and spans is not None:
            first, _, last = head.partition("..")
            try:
                date.fromisoformat(first), date.fromisoformat(last)
            except ValueError:
                return None
            model["exceptions"].append({"from": first, "to": last, "hours": spans, "note": ""})
        else:
            return None
    return model


def _spans_of(text: str) -> list[list[str]] | None:
    found = [SPAN.fullmatch(span) for span in text.split(", ")]
    if not all(found):
        return None
    return [[match.group(1), match.group(2)] for match in found if match]
