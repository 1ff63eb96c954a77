"""Haven: a disguised support app for people living with domestic violence."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import runtime
from webapp.clock import Clock, SystemClock
from webapp.settings import Settings


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Flask:
    """Build the app from `settings`, or from the environment when none are given."""
    from webapp.assets import STATIC_ROOT

    app = Flask(__name__, static_folder=str(STATIC_ROOT), static_url_path="/static")
    settings = (settings or Settings.from_env()).with_local_defaults(Path(app.instance_path))
    configure(app, settings.checked(), clock or SystemClock())
    register_extensions(app)
    register_security(app)
    register_blueprints(app)
    register_errors(app)
    register_commands(app)
    register_probes(app)
    return app


def configure(app: Flask, settings: Settings, clock: Clock) -> None:
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.env == "test",
        PERMANENT_SESSION_LIFETIME=12 * 3600,
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=True,
        BABEL_DEFAULT_LOCALE="en",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).resolve().parent.parent / "translations"),
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_KEY_PREFIX="haven",
        RATELIMIT_STRATEGY="moving-window",
        SEND_FILE_MAX_AGE_DEFAULT=604800,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
    )
    runtime.install(app, settings, clock)
    if settings.proxy_hops:
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    from webapp import assets, crypto, db, i18n, richtext, testhooks
    from webapp.extensions import babel, csrf, limiter

    db.init_app(app, runtime.settings(app).database_url)
    crypto.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.register(app)
    richtext.register(app)
    assets.register(app, production=runtime.settings(app).is_production)
    testhooks.register(app)


def register_security(app: Flask) -> None:
    from webapp import history, logs, security

    security.register(app)
    history.register(app)
    logs.register(app)


def register_blueprints(app: Flask) -> None:
    """Each audience's package: its blueprint, its views and how its errors answer."""
    from webapp.api import blueprint as api
    from webapp.console import blueprint as console
    from webapp.hooks import blueprint as hooks
    from webapp.partners import blueprint as partners
    from webapp.portal import blueprint as portal
    from webapp.staff import blueprint as staff
    from webapp.survivor import blueprint as survivor

    for audience in (survivor, staff, console, portal, partners, api, hooks):
        audience.register(app)


def register_errors(app: Flask) -> None:
    from webapp import errors

    errors.register(app)


def register_probes(app: Flask) -> None:
    from webapp import health

    health.register(app)


def register_commands(app: Flask) -> None:
    from webapp import cli

    cli.register(app)
