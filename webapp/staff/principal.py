"""Who the staff member is: the server-side session behind the staff cookie, and role checks."""

from __future__ import annotations

from functools import wraps

from flask import abort, g, redirect, request, url_for

from webapp.accounts.models import Role, User
from webapp.accounts.sessions import find_session
from webapp.db import get_session
from webapp.runtime import now
from webapp.security import cookie_name

# Where each role starts after signing in, most powerful first.
LANDING = (
    (Role.ADMIN, "admin.index"),
    (Role.SUPERVISOR, "console.index"),
    (Role.ADVOCATE, "console.index"),
    (Role.MODERATOR, "portal.index"),
    (Role.EDITOR, "portal.index"),
    (Role.PARTNER, "partners.index"),
)


STAFF_COOKIE = "staff"


def current_principal() -> User | None:
    if "principal" not in g:
        token = request.cookies.get(cookie_name(STAFF_COOKIE), "")
        found = find_session(get_session(), token, now=now()) if token else None
        g.principal = found.user if found else None
    return g.principal


def landing_for(user: User) -> str:
    return next((url_for(endpoint) for role, endpoint in LANDING if user.has_role(role)), "/")


def role_required(*roles: Role):
    """Views behind this get `principal=`; anonymous visitors sign in first, others get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                return redirect(url_for("staff.login", next=request.path), 303)
            if not principal.has_role(*roles):
                abort(403)
            return view(*args, principal=principal, **kwargs)

        wrapper.required_roles = frozenset(roles)
        return wrapper

    return decorator


def signed_in_required(view):
    """Any staff member, whatever the role."""
    return role_required(*Role)(view)
