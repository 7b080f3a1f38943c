"""Error pages in the user's language: a full page, or a message partial for htmx requests."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, make_response, render_template, request
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from jinja2_fragments.flask import render_block
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from app.database import is_unavailable
from app.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
    403: (_l("Not allowed"), _l("Your account is not allowed to do this.")),
    404: (_l("Not found"), _l("This page does not exist, or it is not yours to see.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("File too large"), _l("The upload is larger than the portal accepts.")),
    429: (
        _l("Too many attempts"),
        _l("Too many attempts in a short time. Please wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("The portal hit an error. It has been logged; please try again."),
    ),
    503: (
        _l("Temporarily unavailable"),
        _l(
            "The portal cannot reach its database right now. Nothing was saved: please try "
            "again in a moment."
        ),
    ),
}
CSRF_MESSAGE = _l(
    "The form expired or did not come from this portal. Reload the page and submit it again."
)


def render_error(code: int, detail: str | None = None) -> Response:
    title, message = MESSAGES.get(code, MESSAGES[500])
    if request_ctx.url_adapter is None:
        # A Host header outside TRUSTED_HOSTS: no address can be built, so no page either.
        return Response(f"{code} {title}", code, mimetype="text/plain")
    context = {"code": code, "title": title, "message": detail or message}
    if request.headers.get("HX-Request"):
        # Show the error in the page's message area instead of replacing the target.
        response = make_response(render_block("errors/error.html", "message", **context), code)
        response.headers["HX-Retarget"] = "#messages"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return make_response(render_template("errors/error.html", **context), code)


def database_unavailable(error: BaseException) -> Response:
    """503 for a database that cannot be reached or did not answer: one log line, and a page
    drawn as if signed out, since loading the user would ask the database again."""
    log.error("database unavailable on %s %s: %s", request.method, request.path, _first_line(error))
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.close()
    g._login_user = AnonymousUserMixin()
    response = render_error(ServiceUnavailable.code)
    response.headers["Retry-After"] = "5"
    response.headers["Cache-Control"] = "no-store"
    return response


def _first_line(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> Response:
        return render_error(400, str(CSRF_MESSAGE))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        if isinstance(error, InternalServerError):
            # An error outside a view (a response hook reading the user, say) arrives here.
            cause = error.original_exception
            if cause is not None and is_unavailable(cause):
                return database_unavailable(cause)
            db.session.rollback()
        return render_error(error.code or 500)

    @app.errorhandler(SQLAlchemyError)
    def database_error(error: SQLAlchemyError) -> Response:
        if not is_unavailable(error):
            raise error
        return database_unavailable(error)
