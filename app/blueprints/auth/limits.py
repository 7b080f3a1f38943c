"""How often someone may guess a password or an activation code.

Sign-in counts failures three ways, as the better sign-in systems do: per address and account
(tight: one person guessing one account), per account from any address (a botnet guessing one
account) and per address over all accounts (one machine spraying many). An office behind one
address is not locked out by one clerk's typos: their colleagues' accounts are other pairs, and
the address limit is generous. A successful sign-in costs nothing. A limit reached answers 429
before the password is looked at, so a locked-out guesser learns nothing.

Counts live in RATELIMIT_STORAGE_URI: Redis in production, so that every process counts the
same attempts (memory storage counts per process, and the app warns about it at start).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.extensions import limiter


def _account() -> str:
    return "account:" + (request.form.get("username") or "").strip().lower()[:64]


def _address_and_account() -> str:
    return get_remote_address() + "|" + _account()


def _signed_in_account() -> str:
    return f"user:{current_user.get_id()}"


def _failed(response: Response) -> bool:
    return response.status_code >= 400


def _limit(setting: str, key: Callable[[], str]) -> Callable[[Any], Any]:
    return limiter.limit(
        lambda: current_app.config[setting], key_func=key, methods=["POST"], deduct_when=_failed
    )


def sign_in_limits(view: Callable[..., Any]) -> Callable[..., Any]:
    for setting, key in (
        ("LOGIN_RATE_LIMIT", _address_and_account),
        ("LOGIN_ACCOUNT_RATE_LIMIT", _account),
        ("LOGIN_ADDRESS_RATE_LIMIT", get_remote_address),
    ):
        view = _limit(setting, key)(view)
    return view


password_limit = _limit("PASSWORD_RATE_LIMIT", _signed_in_account)
activation_limit = _limit("ACTIVATION_RATE_LIMIT", get_remote_address)


def warn_when_counted_per_process(app: Flask) -> None:
    if app.config["PRODUCTION"] and app.config["RATELIMIT_STORAGE_URI"].startswith("memory"):
        app.logger.warning(
            "RATELIMIT_STORAGE_URI is memory://: each process counts sign-in attempts alone, so "
            "with N processes an attacker gets N times the limit. Set it to redis://… in "
            "production."
        )
