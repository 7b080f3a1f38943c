"""The merchant alliance's menu entry."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import Role

MENU = {
    Role.MERCHANT: [
        ("alliance.home.home", _l("Merchant alliance")),
    ],
    Role.OFFICER: [
        ("alliance.home.home", _l("Merchant alliance")),
    ],
}
