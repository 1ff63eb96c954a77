"""Figures for partners: no count under 5 shown, and no hidden count can be worked out."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from webapp.reports import aggregates, operations
from webapp.reports.aggregates import HIDDEN, SMALL, Unprotectable, protect
from webapp.reports.models import Report


def feasible(counts, marks, total, *, cap, at_least=False):
    """Every value each hidden cell can take, knowing what a reader knows: the shown cells,
    the total, that "<5" is 0-4 and a hidden "x" is 5 up to `cap`. Found by enumerating the
    sums the other cells can make (independent of the interval reasoning in `ranges`).
    `at_least`: the cells add up to at least the total (kinds: several per report)."""
    hidden = [i for i, mark in enumerate(marks) if mark]
    bounds = {i: range(0, 5) if marks[i] == SMALL else range(5, cap + 1) for i in hidden}
    rest = total - sum(c for c, m in zip(counts, marks, strict=True) if not m)
    values = {}
    for i in hidden:
        sums = {0}
        for j in hidden:
            if j != i:
                sums = {s + v for s in sums for v in bounds[j]}
        if at_least:
            values[i] = {v for v in bounds[i] if any(v + s >= rest for s in sums)}
        else:
            values[i] = {v for v in bounds[i] if rest - v in sums}
    return values


def assert_protected(counts, marks, total, *, cap, at_least=False):
    for count, mark in zip(counts, marks, strict=True):
        assert mark or count >= 5, (counts, marks)
        if mark == SMALL:
            assert count < 5
        if mark == HIDDEN:
            assert count >= 5
    for i, values in feasible(counts, marks, total, cap=cap, at_least=at_least).items():
        assert counts[i] in values
        assert len(values) >= 2, f"cell {i} of {counts} can be worked out: {values}"


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([12, 30, 7], [None, None, None]),  # nothing small: nothing hidden
        ([2, 30], [SMALL, HIDDEN]),  # the total would give the 2 away
        ([2, 9, 30], [SMALL, HIDDEN, None]),  # the smallest other cell goes with it
        ([0, 3, 40], [SMALL, SMALL, None]),  # two small ones: 43 - 40 = 3, split unknown
        ([4, 5, 6, 20], [SMALL, HIDDEN, None, None]),
    ],
)
def test_small_cells_and_the_cells_that_would_give_them_away_are_hidden(counts, expected):
    marks = protect(counts, sum(counts), cap=sum(counts))
    assert marks == expected
    assert_protected(counts, marks, sum(counts), cap=sum(counts))


def test_two_small_cells_that_the_total_pins_get_a_third_hidden_with_them():
    # 4 + 4 + 9 = 17: with the 9 shown, the two "<5" must be 4 and 4.
    counts = [4, 4, 9, 30]
    marks = protect(counts, sum(counts), cap=sum(counts))
    assert marks[:3] == [SMALL, SMALL, HIDDEN]
    assert_protected(counts, marks, sum(counts), cap=sum(counts))


def test_a_table_that_cannot_be_protected_is_refused():
    with pytest.raises(Unprotectable):  # 8 reports, two areas of 4: both "<5" gives them away
        protect([4, 4], 8, cap=8)


def test_random_tables_never_show_a_small_count_nor_let_a_hidden_one_be_worked_out():
    rng = random.Random(20271)  # noqa: S311  (tables to check, not secrets)
    checked = 0
    for _ in range(400):
        size = rng.randint(2, 9)
        counts = [rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 25]) for _ in range(size)]
        total = sum(counts)
        try:
            marks = protect(counts, total, cap=total)
        except Unprotectable:
            continue
        assert_protected(counts, marks, total, cap=total)
        checked += 1
    assert checked > 300


NOW = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)


def add(db, n, *, month, area, kinds=("threats",)):
    created = datetime(month.year, month.month, 10, 12, 0, tzinfo=UTC)
    operations.submit(
        db,
        operations.Draft(
            kinds=list(kinds), happened="days", area=area, role="victim", text=f"report {n}"
        ),
        lookup_key=f"{n:064x}",
        form_key=f"{n:064d}",
        now=created,
    )


def crafted(db):
    """40 reports over three months and four areas, with small cells among them."""
    n = 0
    plan = [
        (date(2027, 1, 1), "chatham", ("physical",), 2),
        (date(2027, 1, 1), "rochester", ("threats",), 9),
        (date(2027, 2, 1), "rochester", ("threats", "stalking"), 14),
        (date(2027, 3, 1), "springfield-north", ("control",), 3),
        (date(2027, 3, 1), "rochester", ("threats",), 12),
    ]
    for month, area, kinds, count in plan:
        for _ in range(count):
            n += 1
            add(db, n, month=month, area=area, kinds=kinds)
    return n


def test_figures_by_month_kind_and_area_are_protected_on_crafted_data(db):
    reports = crafted(db)
    found = aggregates.figures(
        db,
        now=NOW,
        zone="UTC",
        areas=["chatham", "rochester", "springfield-north", "elsewhere", "unsaid"],
    )
    assert found.total == reports == 40
    assert (found.first_month, found.last_month) == (date(2026, 4, 1), date(2027, 3, 1))
    by = {table.dimension: table for table in found.tables}
    months = {row.code: row for row in by["month"].rows}
    assert len(months) == 12 and months["2027-02"].count == 14 and months["2027-03"].count == 15
    assert months["2026-12"].mark == SMALL  # no report: "<5" too
    # Nine empty months and a total of 40: with January's 11 shown, they would all be 0.
    assert months["2027-01"].count is None and months["2027-01"].mark == HIDDEN
    areas = {row.code: row for row in by["area"].rows}
    assert areas["chatham"].mark == SMALL and areas["springfield-north"].mark == SMALL
    assert areas["rochester"].count == 35  # the 5 left over are spread over four "<5"
    kinds = {row.code: row for row in by["kind"].rows}
    assert kinds["threats"].count == 35 and kinds["stalking"].count == 14
    for table in found.tables:
        counts = [row.count for row in table.rows]
        truth = _truth(table.dimension)
        marks = [row.mark for row in table.rows]
        real = [truth.get(row.code, 0) for row in table.rows]
        assert all(c is None or c == r for c, r in zip(counts, real, strict=True))
        kind = table.dimension == "kind"
        assert_protected(
            real, marks, table.total if not kind else table.total, cap=table.total, at_least=kind
        )


def _truth(dimension):
    return {
        "month": {"2027-01": 11, "2027-02": 14, "2027-03": 15},
        "area": {"chatham": 2, "rochester": 35, "springfield-north": 3},
        "kind": {"physical": 2, "threats": 35, "stalking": 14, "control": 3},
    }[dimension]


def test_fewer_than_five_reports_show_no_figures(db):
    for n in range(4):
        add(db, n + 1, month=date(2027, 3, 1), area="rochester")
    found = aggregates.figures(db, now=NOW, zone="UTC", areas=["rochester", "elsewhere"])
    assert found.withheld and found.tables == ()


def test_months_follow_the_deployment_time_zone(db):
    # 1 March 03:00 UTC is still February in Chicago; seven in January keep the empty months'
    # "<5" from adding up to nothing.
    when = [datetime(2027, 1, 10, 12, tzinfo=UTC)] * 7 + [datetime(2027, 3, 1, 3, tzinfo=UTC)] * 8
    for n, moment in enumerate(when):
        operations.submit(
            db,
            operations.Draft(
                kinds=["threats"], happened="days", area="chatham", role="victim", text="x"
            ),
            lookup_key=f"{n:064x}",
            form_key=f"{n:064d}",
            now=moment,
        )
    areas = ["chatham", "elsewhere"]
    chicago = aggregates.figures(db, now=NOW, zone="America/Chicago", areas=areas)
    months = {row.code: row for row in chicago.tables[0].rows}
    assert months["2027-02"].count == 8 and months["2027-03"].mark == SMALL
    utc = aggregates.figures(db, now=NOW, zone="UTC", areas=areas)
    months = {row.code: row for row in utc.tables[0].rows}
    assert months["2027-03"].count == 8 and months["2027-02"].mark == SMALL


def test_the_smallest_shown_cell_is_hidden_first_and_a_small_cell_may_be_four():
    assert protect([2, 30, 9], 41, cap=41) == [SMALL, None, HIDDEN]
    # 3 + 3 = 6 with both "<5": each is 2, 3 or 4, nothing to hide more.
    assert protect([3, 3, 30], 36, cap=36) == [SMALL, SMALL, None]


def test_the_window_starts_on_its_first_day_and_ends_in_this_month_of_the_zone(db):
    # 1 April 02:00 UTC is still 31 March in Chicago: the window is April 2026 to March 2027.
    now = datetime(2027, 4, 1, 2, 0, tzinfo=UTC)
    start = datetime(2026, 4, 1, 5, 0, tzinfo=UTC)  # midnight in Chicago
    plan = (
        [(start, "chatham", "physical")] * 2
        + [(start - timedelta(seconds=1), "chatham", "physical")] * 7
        + [(datetime(2027, 3, 5, tzinfo=UTC), "nowhere-known", "threats")] * 3
    )
    for n, (moment, area, kind) in enumerate(plan):
        db.add(
            Report(
                lookup_key=f"{n:064x}",
                form_key=f"{n:064d}",
                created_at=moment,
                last_activity_at=moment,
                kinds=[kind, kind, "unknown"],
                happened="days",
                area=area,
                role="victim",
                text="x",
            )
        )
    db.flush()
    found = aggregates.figures(db, now=now, zone="America/Chicago", areas=["chatham", "elsewhere"])
    assert (found.first_month, found.last_month) == (date(2026, 4, 1), date(2027, 3, 1))
    assert found.total == 5, "the seven a second before the window are left out"
    tables = {table.dimension: table for table in found.tables}
    areas = {row.code: row.mark for row in tables["area"].rows}
    assert areas == {"chatham": SMALL, "elsewhere": SMALL}, "an unknown area counts as elsewhere"
    kinds = {row.code: row for row in tables["kind"].rows}
    assert "unknown" not in kinds and kinds["physical"].mark == SMALL
    empty = aggregates.figures(db, now=now, zone="UTC", areas=["chatham"], months=1)
    assert empty.withheld and (empty.first_month, empty.last_month) == (
        date(2027, 4, 1),
        date(2027, 4, 1),
    )


def test_five_reports_are_enough_when_every_cell_stays_uncertain(db):
    for n, (area, kind, month) in enumerate(
        [("chatham", "physical", 1)] * 2 + [("rochester", "threats", 2)] * 3
    ):
        add(db, n + 1, month=date(2027, month, 1), area=area, kinds=(kind,))
    found = aggregates.figures(db, now=NOW, zone="UTC", areas=["chatham", "rochester"])
    assert found.total == 5 and not found.withheld
    assert all(row.mark == SMALL for table in found.tables for row in table.rows)


def test_a_report_from_an_area_no_longer_listed_counts_as_elsewhere(db):
    plan = [("chatham", 6), ("rochester", 7), ("an-area-since-removed", 8)]
    n = 0
    for area, count in plan:
        for _ in range(count):
            n += 1
            db.add(
                Report(
                    lookup_key=f"{n:064x}",
                    form_key=f"{n:064d}",
                    created_at=NOW,
                    last_activity_at=NOW,
                    kinds=["threats"],
                    happened="days",
                    area=area,
                    role="victim",
                    text="x",
                )
            )
    db.flush()
    found = aggregates.figures(db, now=NOW, zone="UTC", areas=["chatham", "rochester", "elsewhere"])
    [areas] = [table for table in found.tables if table.dimension == "area"]
    assert [(row.code, row.count) for row in areas.rows] == [
        ("chatham", 6),
        ("rochester", 7),
        ("elsewhere", 8),
    ]
