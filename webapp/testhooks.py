"""The stable test hooks of DESIGN.md section 5: `data-testid` attributes, only when enabled.

Browser tests (ours and any operator's) find the quick exit, the code field and the forms by
these names, which survive changes of wording. Production pages carry none of them, so a
page's source names nothing (`TEST_HOOKS`, on by default outside production).
"""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup

from webapp import runtime


def testid(name: str) -> Markup:
    """` data-testid="name"` when hooks are on, else nothing."""
    if not runtime.settings().emits_test_hooks:
        return Markup("")
    return Markup(' data-testid="%s"') % name


def testids(name: str) -> dict[str, str]:
    """The same for a WTForms field's keyword arguments: `field(**testids("search"))`."""
    return {"data-testid": name} if runtime.settings().emits_test_hooks else {}


def register(app: Flask) -> None:
    app.jinja_env.globals.update(testid=testid, testids=testids)
