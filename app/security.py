"""Response headers, cookie policy, where a redirect may lead, the portal's public address,
and database-level safety switches."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import event

from app.extensions import db

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Pico draws checkboxes and select arrows with data: SVGs; QR codes are data: too.
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def safe_next(target: str | None) -> str | None:
    """Where `?next=` may send the user after signing in or changing language: only a path on
    this site. Never another host, scheme-relative (//host), backslashes (browsers read them as
    slashes) or whitespace and control characters (browsers drop them: "/\t/host" is "//host")."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def public_url(endpoint: str, **values: object) -> str:
    """An absolute address for printing or a QR code, from the configured PUBLIC_URL: never
    from the request's Host header, which any client may set."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for(endpoint, **values)


class SessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if "_user_id" in session and "Cache-Control" not in response.headers:
        # Pages behind the login carry money and personal data: no shared or back-button caches.
        # The session says who is signed in without loading the user from the database, which
        # may be the very thing that is failing.
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.after_request(add_security_headers)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # SQLite ignores foreign keys unless asked, per connection; WAL lets readers and one
    # writer work at once, which an office with several clerks needs.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.close()
