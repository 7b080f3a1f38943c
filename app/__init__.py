"""Gongjian (共建): the app factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.typing import ResponseReturnValue
from werkzeug.middleware.proxy_fix import ProxyFix

from app import cli, database, errors, i18n, security, storage, uploads
from app.areas import install
from app.blueprints.auth.limits import warn_when_counted_per_process
from app.blueprints.auth.services import init_login
from app.config import load_config
from app.extensions import babel, csrf, db, htmx, limiter, migrate
from app.inputs import BoundedIntConverter, cleaned
from app.queue import queue
from app.rendering import init_template_helpers


class Portal(Flask):
    """Flask, with cleaned request values (app/inputs.py) and each request's view run again
    when it lost a race on the database."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.url_map.converters["int"] = BoundedIntConverter

    def dispatch_request(self) -> ResponseReturnValue:
        return database.retrying(super().dispatch_request, db.session.rollback)


def create_app(config: dict | None = None) -> Flask:
    """Build the portal. `config` overrides settings read from the environment (tests use it)."""
    app = Portal(__name__, instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    app.config.update(load_config(Path(app.instance_path), config))
    if app.config["PROXY_FIX_X_FOR"]:
        # Behind a load balancer: trust exactly as many proxies as configured, for client IPs
        # (rate limits) and the scheme (Secure cookies).
        hops = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    storage.init_app(app)
    db.init_app(app)
    with app.app_context():
        database.install(app, db.engine, db.metadata.tables)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    # Registered before CSRF, which reads the form: a photo form's own size limit applies.
    app.before_request(uploads.widen_request_limit)
    csrf.init_app(app)
    limiter.init_app(app)
    warn_when_counted_per_process(app)
    htmx.init_app(app)
    # After htmx, which sets its own request class: ours cleans what that one parses.
    app.request_class = cleaned(app.request_class)
    babel.init_app(app, locale_selector=i18n.select_locale)
    init_login(app)
    security.init_app(app)
    errors.init_app(app)
    init_template_helpers(app)
    cli.init_app(app)
    queue.immediate = app.config["QUEUE_IMMEDIATE"]
    _install_areas(app)
    return app


def _install_areas(app: Flask) -> None:
    from app.blueprints import alliance, auth, fees, pacts
    from app.blueprints import property as property_area

    for area in (auth, property_area, fees, pacts, alliance):
        install(app, area.AREA)
