"""The merchant alliance's menu entry."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import Role
from app.navigation import Entry, by_role

MENU = by_role(
    [Entry("alliance.home.home", _l("Merchant alliance"), (Role.MERCHANT, Role.OFFICER))]
)
