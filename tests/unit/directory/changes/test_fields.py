"""Which fields wait for a moderator, whatever an organization is allowed."""

from __future__ import annotations

from webapp.directory.changes.fields import BY_RESOURCE, Tier, editable


def test_fields_that_can_endanger_someone_always_wait_for_review():
    for resource, field in [
        ("phone", "number"),
        ("phone", "extension"),
        ("service", "application_process"),
        ("service", "eligibility_description"),
        ("service", "minimum_age"),
        ("service", "maximum_age"),
        ("service", "alert"),
        ("service", "url"),
        ("location", "name"),
    ]:
        assert editable(resource, field).tier is Tier.REVIEW, (resource, field)


def test_only_free_places_and_hours_may_go_live_before_review():
    quick = {
        (rule.resource, rule.field)
        for rules in BY_RESOURCE.values()
        for rule in rules
        if rule.tier is Tier.QUICK
    }
    assert quick == {
        ("service_capacity", "available"),
        ("service_capacity", "maximum"),
        ("service", "hours"),
    }


def test_names_numbers_and_addresses_are_never_translated():
    assert editable("service", "description").translatable
    assert not editable("service", "name").translatable
    assert not editable("phone", "number").translatable
    assert not editable("service", "url").translatable
