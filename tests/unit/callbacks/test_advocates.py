"""What routing knows of an advocate: languages, skills and weekly shifts."""

from __future__ import annotations

import pytest

from tests import factories
from webapp.callbacks import advocates
from webapp.callbacks.errors import BadShift


@pytest.fixture
def advocate(db, db_app):
    return factories.user(db, db_app.config["HAVEN_SETTINGS"], roles=["advocate"])


def test_languages_and_skills_are_replaced_not_added(db, advocate):
    advocates.set_languages_and_skills(db, advocate.id, ["vi", "es", "es"], ["legal"])
    advocates.set_languages_and_skills(db, advocate.id, ["es", "ar"], [])
    profile = advocates.profile_of(db, advocate.id)
    assert profile.languages == ["ar", "es"] and profile.skills == []


def test_shifts_are_kept_in_the_advocates_zone(db, advocate):
    advocates.add_shifts(
        db, advocate.id, [4, 0], starts_minute=540, ends_minute=1050, time_zone="America/Chicago"
    )
    shifts = advocates.profile_of(db, advocate.id).shifts
    assert [(s.weekday, s.starts_minute, s.ends_minute, s.time_zone) for s in shifts] == [
        (0, 540, 1050, "America/Chicago"),
        (4, 540, 1050, "America/Chicago"),
    ]


@pytest.mark.parametrize(
    ("starts", "ends", "zone"),
    [(600, 540, "UTC"), (540, 540, "UTC"), (0, 1441, "UTC"), (540, 600, "Mars/Olympus")],
)
def test_a_shift_that_cannot_be_is_refused_and_nothing_kept(db, advocate, starts, ends, zone):
    with pytest.raises(BadShift):
        advocates.add_shifts(
            db, advocate.id, [0], starts_minute=starts, ends_minute=ends, time_zone=zone
        )
    assert advocates.profile_of(db, advocate.id).shifts == []
