"""The portal blueprint, a staff area."""

from __future__ import annotations

from flask import Blueprint, Flask

from webapp.staff.blueprint import register_area

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.context_processor
def portal_helpers() -> dict:
    from webapp.portal.fields import history_author, history_text, label_of, value_text
    from webapp.runtime import now

    return {
        "moment": now(),
        "field_label": label_of,
        "value_text": value_text,
        "history_text": history_text,
        "history_author": history_author,
    }


def register(app: Flask) -> None:
    from webapp.portal import (  # noqa: F401  (routes attach to bp on import)
        confirmations,
        corrections,
        invitations,
        moderation,
        views,
    )

    register_area(app, bp)
