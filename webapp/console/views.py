"""The console's pages; its work arrives with the issue that builds it."""

from __future__ import annotations

from flask import render_template

from webapp.accounts.models import Role, User
from webapp.console.blueprint import bp
from webapp.staff.principal import role_required


@bp.get("/")
@role_required(Role.ADVOCATE, Role.SUPERVISOR)
def index(principal: User):
    return render_template("staff/area.html", area="console")
