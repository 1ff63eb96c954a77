"""The kinds of help a survivor can search by: taxonomy term codes of the seed taxonomy."""

from flask_babel import lazy_gettext as _l

# Code (`taxonomy_terms.code`) -> what the survivor reads; DESIGN.md's list, in its order.
CATEGORIES = {
    "shelter": _l("Shelter"),
    "hotline": _l("Hotline"),
    "legal_aid": _l("Legal help"),
    "counselling": _l("Counselling"),
    "advocacy": _l("Advocacy"),
    "children": _l("Children"),
    "immigration": _l("Immigration"),
    "financial": _l("Money and housing"),
}
