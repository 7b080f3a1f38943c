"""The merchant alliance's menu entries: who sees each, and the paths each entry's section holds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import Role
from app.navigation import Entry, by_role, sections_of

ENTRIES: tuple[Entry, ...] = (
    Entry("alliance.home.home", _l("Merchant alliance"), (Role.MERCHANT, Role.OFFICER)),
    Entry(
        "alliance.totals.index",
        _l("Alliance totals"),
        (Role.ADMIN, Role.OFFICER),
        ("/alliance/totals",),
    ),
    Entry(
        "alliance.directory.index",
        _l("Shop directory"),
        (Role.ADMIN, Role.MERCHANT, Role.OFFICER),
        ("/alliance/directory",),
    ),
)
MENU = by_role(ENTRIES)
SECTIONS = sections_of(ENTRIES)
