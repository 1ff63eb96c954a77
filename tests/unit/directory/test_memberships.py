"""Which organizations an editor may change: kept by the directory, keyed by the user id."""

from __future__ import annotations

import pytest

from tests import factories
from webapp.directory import memberships
from webapp.directory.errors import UnknownOrganization


def test_an_editor_belongs_to_the_organizations_given_once_each(db, db_app):
    editor = factories.user(db, db_app.config["HAVEN_SETTINGS"], roles=["editor"])
    riverside = factories.organization(db, name="Riverside")
    hilltop = factories.organization(db, name="Hilltop")
    memberships.add_editor(db, editor.id, [riverside, hilltop, riverside])
    memberships.add_editor(db, editor.id, [hilltop])
    assert [o.name for o in memberships.organizations_of(db, editor.id)] == ["Hilltop", "Riverside"]


def test_an_unknown_organization_is_refused_by_name(db, db_app):
    editor = factories.user(db, db_app.config["HAVEN_SETTINGS"], roles=["editor"])
    with pytest.raises(UnknownOrganization):
        memberships.add_editor(db, editor.id, ["no-such-organization"])
    assert memberships.organizations_of(db, editor.id) == []


def test_finding_an_organization_by_name_adds_it_once(db):
    first = memberships.find_or_add_organization(db, "Demo", description="Made up.")
    assert memberships.find_or_add_organization(db, "Demo").id == first.id
