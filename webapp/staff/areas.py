"""Each staff audience's front page; their work arrives with the issues that build it."""

from __future__ import annotations

from flask import Blueprint, render_template

from webapp.accounts.models import Role, User
from webapp.staff.principal import role_required

console = Blueprint("console", __name__, url_prefix="/console")
portal = Blueprint("portal", __name__, url_prefix="/portal")
partners = Blueprint("partners", __name__, url_prefix="/partners")


@console.get("/")
@role_required(Role.ADVOCATE, Role.SUPERVISOR)
def index(principal: User):
    return render_template("staff/area.html", area="console")


@portal.get("/", endpoint="index")
@role_required(Role.EDITOR, Role.MODERATOR)
def index_portal(principal: User):
    return render_template("staff/area.html", area="portal")


@partners.get("/", endpoint="index")
@role_required(Role.PARTNER)
def index_partners(principal: User):
    return render_template("staff/area.html", area="partners")
