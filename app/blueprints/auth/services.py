"""Signing in and out, server-side login sessions, passwords and accounts."""

from __future__ import annotations

import secrets

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db, login_manager
from app.models import LoginSession, Role, User
from app.models.accounts import PASSWORD_METHOD, hash_token
from app.periods import utcnow

MIN_PASSWORD_LENGTH = 10
# Checked against when the username is unknown, so that a wrong username takes as long
# as a wrong password and does not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16), method=PASSWORD_METHOD)


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.account.login"
    login_manager.login_message = _l("Please sign in to open that page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)


def authenticate(username: str, password: str) -> User | None:
    """The active account with these credentials, or None."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def start_session(user: User, user_agent: str | None) -> str:
    """Open a login session for `user`; returns the token that identifies it in the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            token_hash=hash_token(token), user_id=user.id, user_agent=(user_agent or "")[:200]
        )
    )
    user.session_token = token
    return token


def load_session_user(token: str) -> User | None:
    """Flask-Login's loader: the user of a login session still open, if any."""
    row = db.session.execute(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            LoginSession.token_hash == hash_token(token),
            LoginSession.ended_at.is_(None),
            User.is_active.is_(True),
        )
    ).first()
    if row is None:
        return None
    user = row[0]
    user.session_token = token
    return user


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == hash_token(token), LoginSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


def change_password(user: User, new_password: str) -> None:
    """Set a new password and sign out every other browser of this account."""
    user.set_password(new_password)
    db.session.execute(
        update(LoginSession)
        .where(
            LoginSession.user_id == user.id,
            LoginSession.ended_at.is_(None),
            LoginSession.token_hash != hash_token(user.session_token or ""),
        )
        .values(ended_at=utcnow())
    )


def create_user(
    username: str,
    password: str,
    role: Role,
    display_name: str,
    company_id: int | None = None,
) -> User:
    """A new account; the caller commits. Managers need a company, other roles must not have one."""
    user = User(
        username=username.strip(), display_name=display_name, role=role, company_id=company_id
    )
    user.set_password(password)
    db.session.add(user)
    return user
