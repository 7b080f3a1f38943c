"""Language selection: the user's choice, then the browser's, then Simplified Chinese."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"zh_CN": "简体中文", "en": "English"}


def supported(code: str | None) -> str | None:
    return code if code in current_app.config["LANGUAGES"] else None


def select_locale() -> str:
    if getattr(current_user, "is_authenticated", False) and supported(current_user.locale):
        return current_user.locale
    chosen = supported(request.cookies.get(LANGUAGE_COOKIE))
    if chosen:
        return chosen
    # Browsers send zh-CN, zh-Hans or plain zh for Chinese; all get the Chinese catalog.
    best = request.accept_languages.best_match(["zh-CN", "zh", "zh-Hans", "en"])
    if best and best.lower().startswith("en"):
        return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]
