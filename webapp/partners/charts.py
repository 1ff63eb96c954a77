"""Bar charts drawn on the server as SVG geometry: no script, nothing loaded from elsewhere.

A hidden cell gets no bar at all, only its mark: a bar's length would tell what the mark hides.
"""

from __future__ import annotations

from dataclasses import dataclass

ROW = 28  # height of a row, bar and gap
BAR = 20
LABEL = 240  # room for the label, left of the bars
LENGTH = 320  # the longest bar
WIDTH = LABEL + LENGTH + 60


@dataclass(frozen=True)
class Bar:
    label: str
    shown: str
    y: int
    length: int | None  # None: hidden, no bar


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    bar_height: int


def bars(rows: list[dict]) -> Chart:
    """`rows` as the figures page lists them (label, shown, row)."""
    counts = [row["row"].count for row in rows if row["row"].count is not None]
    longest = max(counts, default=0) or 1
    drawn = tuple(
        Bar(
            label=row["label"],
            shown=row["shown"],
            y=i * ROW,
            length=None
            if row["row"].count is None
            else max(1, round(LENGTH * row["row"].count / longest))
            if row["row"].count
            else 0,
        )
        for i, row in enumerate(rows)
    )
    return Chart(drawn, WIDTH, max(len(rows), 1) * ROW, LABEL, BAR)
