"""Figures for partner agencies: reports by month, by kind and by area, without identities.

Every count under 5 is shown only as "<5" (`SMALL`), and more cells are hidden ("complementary
suppression", `HIDDEN`) until no hidden cell can be worked out from what is shown: the other
cells, the total, and what the marks themselves say (a "<5" lies between 0 and 4, a hidden cell
is at least 5 and at most the total). Each table is one sum (its cells add up to its total), so
the range a reader can narrow a hidden cell to is exact (`ranges`); a table that cannot be
protected, or a period with fewer than 5 reports, is withheld whole.

Reports name several kinds: the kinds table's cells add up to more than the number of reports.
It is protected as if a reader knew that larger sum too, which is stronger than what she knows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.reports.choices import KINDS
from webapp.reports.models import Report

THRESHOLD = 5
SMALL = "small"  # under the threshold: shown as "<5"
HIDDEN = "hidden"  # at least the threshold, hidden so that no small cell can be worked out
DIMENSIONS = ("month", "kind", "area")


class Unprotectable(Exception):
    """Even with every cell hidden, one could be worked out: the table is withheld."""


@dataclass(frozen=True)
class Row:
    code: str
    count: int | None  # None when hidden
    mark: str | None  # None (shown), SMALL or HIDDEN


@dataclass(frozen=True)
class Table:
    dimension: str
    rows: tuple[Row, ...]
    total: int


@dataclass(frozen=True)
class Figures:
    first_month: date
    last_month: date
    total: int | None  # None when withheld
    tables: tuple[Table, ...]  # empty when withheld

    @property
    def withheld(self) -> bool:
        return self.total is None


def ranges(
    counts: Sequence[int], marks: Sequence[str | None], total: int, cap: int
) -> dict[int, tuple[int, int]]:
    """What a reader can narrow each hidden cell to, knowing the shown cells, `total` (the sum
    of all cells) and that a small cell is 0-4 and a hidden one THRESHOLD to `cap`."""
    hidden = [i for i, mark in enumerate(marks) if mark is not None]
    rest = total - sum(counts[i] for i, mark in enumerate(marks) if mark is None)
    bounds = {
        i: (0, min(THRESHOLD - 1, cap)) if marks[i] == SMALL else (THRESHOLD, cap) for i in hidden
    }
    low_sum = sum(low for low, _ in bounds.values())
    high_sum = sum(high for _, high in bounds.values())
    found = {}
    for i, (low, high) in bounds.items():
        others_low, others_high = low_sum - low, high_sum - high
        found[i] = (max(low, rest - others_high), min(high, rest - others_low))
    return found


def protect(counts: Sequence[int], total: int, cap: int) -> list[str | None]:
    """Marks for `counts` (summing to `total`, none above `cap`): small cells, then the smallest
    shown cells hidden one by one until no hidden cell is pinned to a single value."""
    marks: list[str | None] = [SMALL if count < THRESHOLD else None for count in counts]
    while any(low >= high for low, high in ranges(counts, marks, total, cap).values()):
        shown = [i for i, mark in enumerate(marks) if mark is None]
        if not shown:
            raise Unprotectable()
        marks[min(shown, key=counts.__getitem__)] = HIDDEN  # the first smallest
    return marks


def table(dimension: str, counts: Mapping[str, int], *, reports: int) -> Table:
    """One protected table; its cells sum to `reports` except for kinds (several per report)."""
    codes = list(counts)
    values = [counts[code] for code in codes]
    marks = protect(values, sum(values), cap=reports)
    rows = tuple(
        Row(code, None if marks[i] else values[i], marks[i]) for i, code in enumerate(codes)
    )
    return Table(dimension, rows, reports)


def months_back(today: date, months: int) -> list[date]:
    """The first days of the last `months` months, this one included, oldest first."""
    firsts = []
    year, month = today.year, today.month
    for _ in range(months):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def figures(
    session: Session, *, now: datetime, zone: str, areas: Iterable[str], months: int = 12
) -> Figures:
    """Reports written in the last `months` months (this one included, in the deployment's time
    zone), counted by month, kind and area, protected; withheld whole when they cannot be."""
    tz = ZoneInfo(zone)
    firsts = months_back(now.astimezone(tz).date(), months)
    since = datetime.combine(firsts[0], time(), tzinfo=tz)
    rows = session.execute(
        select(Report.created_at, Report.kinds, Report.area).where(Report.created_at >= since)
    ).all()
    area_codes = list(areas)
    by_month: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    by_area: Counter[str] = Counter()
    for created_at, kinds, area in rows:
        by_month[created_at.astimezone(tz).strftime("%Y-%m")] += 1
        by_kind.update(kind for kind in set(kinds or ()) if kind in KINDS)
        by_area[area if area in area_codes else "elsewhere"] += 1
    reports = len(rows)
    withheld = Figures(firsts[0], firsts[-1], None, ())
    if reports < THRESHOLD:
        return withheld
    try:
        tables = (
            table(
                "month",
                {f.strftime("%Y-%m"): by_month[f.strftime("%Y-%m")] for f in firsts},
                reports=reports,
            ),
            table("kind", {kind: by_kind[kind] for kind in KINDS}, reports=reports),
            table("area", {area: by_area[area] for area in area_codes}, reports=reports),
        )
    except Unprotectable:
        return withheld
    return Figures(firsts[0], firsts[-1], reports, tables)
