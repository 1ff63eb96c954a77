"""Partner agencies and their staff, kept by the reports domain."""

from __future__ import annotations

import pytest

from tests import factories
from webapp.reports import agencies
from webapp.reports.errors import UnknownAgency


def test_a_partner_works_for_the_agencies_given(db, db_app):
    partner = factories.user(db, db_app.config["HAVEN_SETTINGS"], roles=["partner"])
    police = agencies.find_or_add_agency(db, "County police")
    services = agencies.find_or_add_agency(db, "Victim services")
    assert agencies.find_or_add_agency(db, "County police").id == police.id
    agencies.add_members(db, partner.id, [services.id, police.id, police.id])
    assert [a.name for a in agencies.agencies_of(db, partner.id)] == [
        "County police",
        "Victim services",
    ]


def test_an_unknown_agency_is_refused(db, db_app):
    partner = factories.user(db, db_app.config["HAVEN_SETTINGS"], roles=["partner"])
    with pytest.raises(UnknownAgency):
        agencies.add_members(db, partner.id, ["no-such-agency"])
    assert agencies.agencies_of(db, partner.id) == []
